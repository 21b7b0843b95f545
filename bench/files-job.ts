/**
 * One measured run of the file benchmark (files.ts) in its own Node process: a generated stream of
 * JSON records (`makeRecord`, ids 0 … n − 1 per subtask) written as lines by Sluice's row-format
 * `FileSink` (1 s checkpoints, `OnCheckpointRollingPolicy`), or by a raw loop appending the same
 * bytes with the same `FileSystem` client (`LocalFileSystem` / `WebHdfsFileSystem`) and flushing
 * every second. Parallelism 2 (the raw loop: two interleaved async loops, one file each).
 *
 *   node dist/files-job.js '<JSON FilesJobSpec>'
 */
import { StreamExecutionEnvironment } from '@sluice/core';
import { benchFileSystem, rowFileSink } from './file-output.js';
import { JobRecorder, runJob } from './job-report.js';
import { NumberSource, YIELD_EVERY } from './number-source.js';
import { makeRecord } from './workload.js';

export interface FilesJobSpec {
  impl: 'sluice' | 'raw';
  /** Record size in bytes (without the newline). */
  size: number;
  /** Records per subtask. */
  records: number;
  /** Output directory (local path or HDFS path). */
  output: string;
  /** Local checkpoint directory (Sluice). */
  checkpointDir: string;
  /** Write to HDFS through WebHDFS instead of the local disk. */
  webhdfs?: { url: string; user: string };
}

const PARALLELISM = 2;
const spec = JSON.parse(process.argv[2] ?? '{}') as FilesJobSpec;
const recorder = new JobRecorder(spec.records * PARALLELISM, `${spec.impl} files ${spec.size} B`);
const fileSystem = benchFileSystem(spec.webhdfs);

async function runSluice(): Promise<void> {
  const env = StreamExecutionEnvironment.create({ parallelism: PARALLELISM, onWarning: () => {} });
  env.enableCheckpointing(1000);
  env.getCheckpointConfig().setCheckpointStorage(spec.checkpointDir).setRestore('none');
  env
    .addSource(new NumberSource(spec.records))
    .uid('numbers')
    .map((id: number) => {
      recorder.count();
      return makeRecord(id, spec.size);
    })
    .addSink(rowFileSink(spec.output, fileSystem))
    .uid('output');
  const handle = await env.executeAsync('bench-files');
  const watch = setInterval(() => recorder.observe(handle.metrics()), 50);
  try {
    await handle.result;
  } finally {
    clearInterval(watch);
  }
}

/** Two interleaved loops, each appending batches of lines to its own file, flushing every second. */
async function runRaw(): Promise<void> {
  const subtask = async (index: number): Promise<void> => {
    const out = await fileSystem.create(`${spec.output}/part-${index}`);
    let lastFlush = performance.now();
    let text = '';
    for (let id = 0; id < spec.records;) {
      recorder.count();
      text += `${makeRecord(id, spec.size)}\n`;
      id += 1;
      if (id % YIELD_EVERY !== 0 && id < spec.records) continue;
      await out.write(text);
      text = '';
      if (performance.now() - lastFlush >= 1000) {
        const started = performance.now();
        await out.flush();
        recorder.checkpointMs.push(performance.now() - started);
        lastFlush = performance.now();
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await out.close();
  };
  await Promise.all(Array.from({ length: PARALLELISM }, (_, index) => subtask(index)));
}

await runJob(recorder, () => (spec.impl === 'sluice' ? runSluice() : runRaw()));
