/**
 * File sink benchmark (issue 8's bench/files-*): a generated stream of JSON records → Sluice's
 * row-format FileSink (1 s checkpoints, exactly-once) on local disk and on the testkit's real HDFS
 * (WebHDFS), against a raw loop appending the same bytes with the same `FileSystem` client and
 * flushing every second, and `hdfs dfs -put` of the same bytes as the HDFS ceiling. 100 B and
 * 1 KB records, parallelism 2, every run in its own process, implementations interleaved.
 *
 *   node dist/files.js [--quick] [--out <markdown file>] [--repeats N] [--records N]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FileSystem } from '@sluice/filesystem-hdfs';
import { VERSIONS, startHdfs } from '@sluice/testkit';
import type { HdfsServer } from '@sluice/testkit';
import {
  JOB_NODE_FLAGS,
  argValue as argValueOf,
  checkArgs,
  fmtRate,
  isQuick,
  lastJsonLine,
  median,
  ratio,
  spreadPercent,
  writeSection,
} from './bench-lib.js';
import type { RunReport } from './bench-lib.js';
import { benchFileSystem, webhdfsOf } from './file-output.js';
import type { FilesJobSpec } from './files-job.js';
import { finishedFiles } from './finished-files.js';
import { hdfsPut, putRate } from './hdfs-put.js';
import type { PutCeiling } from './hdfs-put.js';
import { failureCause, killChildren, log, run } from './processes.js';
import { makeRecord } from './workload.js';

const args = process.argv.slice(2);
checkArgs(args, {
  options: ['--out', '--repeats', '--records'],
  usage: 'usage: node dist/files.js [--quick] [--out <markdown file>] [--repeats N] [--records N]',
});
const quick = isQuick(args);
const argValue = (name: string): string | undefined => argValueOf(args, name);
const here = dirname(fileURLToPath(import.meta.url));
const outFile = argValue('--out');
const REPEATS = Number(argValue('--repeats') ?? (quick ? 1 : 3));
const SIZES = [100, 1024] as const;
const recordsArg = Number(argValue('--records') ?? Number.NaN);
/** Records per subtask and size (`--records N`: N of 100 B and N / 4 of 1 KB). */
const RECORDS: Record<number, number> = Number.isFinite(recordsArg)
  ? { 100: recordsArg, 1024: Math.round(recordsArg / 4) }
  : quick
    ? { 100: 20_000, 1024: 5_000 }
    : { 100: 200_000, 1024: 50_000 };
const TARGETS = ['local', 'hdfs'] as const;
type Target = (typeof TARGETS)[number];
const IMPLS = ['sluice', 'raw'] as const;
type Impl = (typeof IMPLS)[number];
type Key = `${Target}/${number}/${Impl}`;

interface Context {
  hdfs: HdfsServer;
  work: string;
  seq: number;
}

function fileSystemOf(ctx: Context, target: Target): FileSystem {
  return benchFileSystem(target === 'hdfs' ? webhdfsOf(ctx.hdfs) : undefined);
}

async function measure(
  ctx: Context,
  cell: { target: Target; size: number; impl: Impl },
): Promise<RunReport> {
  const { target, size, impl } = cell;
  ctx.seq += 1;
  const name = `${impl}-${target}-${size}-${ctx.seq}`;
  const output = target === 'local' ? join(ctx.work, name) : `/bench-files/${name}`;
  const spec: FilesJobSpec = {
    impl,
    size,
    records: RECORDS[size] ?? 0,
    output,
    checkpointDir: join(ctx.work, `chk-${name}`),
    ...(target === 'hdfs' ? { webhdfs: webhdfsOf(ctx.hdfs) } : {}),
  };
  const result = await run(process.execPath, [...JOB_NODE_FLAGS, join(here, 'files-job.js'), JSON.stringify(spec)], {
    timeoutMs: 15 * 60_000,
  });
  if (result.code !== 0)
    throw new Error(
      `${name} failed (${result.code ?? result.signal}): ${failureCause(result)}\n${result.stderr.slice(-3000)}`,
    );
  const report = lastJsonLine<RunReport>(result.stdout);
  const fileSystem = fileSystemOf(ctx, target);
  try {
    const bytes = (await finishedFiles(fileSystem, output)).reduce((sum, f) => sum + f.length, 0);
    const expected = spec.records * 2 * (size + 1);
    if (bytes !== expected)
      throw new Error(`${name}: ${bytes} bytes in finished files, expected ${expected}`);
    await fileSystem.delete(output, { recursive: true });
  } finally {
    await fileSystem.close();
    await rm(spec.checkpointDir, { recursive: true, force: true });
  }
  return report;
}

/** The same bytes as one run of `size` (2 × records lines), put with `hdfs dfs -put`. */
async function ceiling(ctx: Context, size: number): Promise<PutCeiling> {
  const records = RECORDS[size] ?? 0;
  const lines: string[] = [];
  for (let subtask = 0; subtask < 2; subtask += 1)
    for (let id = 0; id < records; id += 1) lines.push(makeRecord(id, size));
  ctx.seq += 1;
  return hdfsPut(ctx.hdfs, {
    text: `${lines.join('\n')}\n`,
    localFile: join(ctx.work, `put-${size}-${ctx.seq}.json`),
    remoteDir: `/bench-files/put-${size}-${ctx.seq}`,
  });
}

const rate = (r: RunReport): number => r.records / r.seconds;

async function main(): Promise<void> {
  const loads: number[] = [loadavg()[0] ?? 0];
  const loadTimer = setInterval(() => loads.push(loadavg()[0] ?? 0), 5000);
  const startedAt = Date.now();
  const work = await mkdtemp(join(tmpdir(), 'sluice-bench-files-'));
  const results = new Map<Key, RunReport[]>();
  const puts = new Map<number, PutCeiling[]>();
  const failures: string[] = [];
  let hdfs: HdfsServer | undefined;
  const onSignal = (): void => {
    killChildren();
    void hdfs?.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    log(`files: quick=${quick}; starting HDFS`);
    hdfs = await startHdfs();
    const ctx: Context = { hdfs, work, seq: 0 };
    for (let round = 0; round < REPEATS; round += 1) {
      for (const size of SIZES) {
        for (const target of TARGETS) {
          for (const impl of IMPLS) {
            try {
              const report = await measure(ctx, { target, size, impl });
              const key: Key = `${target}/${size}/${impl}`;
              results.set(key, [...(results.get(key) ?? []), report]);
              log(`round ${round + 1} files ${target} ${size} B ${impl}: ${fmtRate(rate(report))}`);
            } catch (error) {
              failures.push(
                `round ${round + 1} ${target} ${size} B ${impl}: ${error instanceof Error ? error.message : String(error)}`,
              );
              log(`FAILED ${failures.at(-1) ?? ''}`);
            }
          }
        }
        try {
          const put = await ceiling(ctx, size);
          puts.set(size, [...(puts.get(size) ?? []), put]);
          log(
            `round ${round + 1} files hdfs dfs -put ${size} B: ${fmtRate(putRate(put) / (size + 1))}`,
          );
        } catch (error) {
          failures.push(
            `round ${round + 1} hdfs dfs -put ${size} B: ${error instanceof Error ? error.message : String(error)}`,
          );
          log(`FAILED ${failures.at(-1) ?? ''}`);
        }
      }
    }
  } finally {
    clearInterval(loadTimer);
    killChildren();
    await hdfs?.stop();
    await rm(work, { recursive: true, force: true });
  }
  loads.push(loadavg()[0] ?? 0);
  const markdown = report({
    results,
    puts,
    failures,
    loads,
    minutes: (Date.now() - startedAt) / 60_000,
  });
  process.stdout.write(`${markdown}\n`);
  if (outFile !== undefined) await writeSection(outFile, 'files', markdown);
  if (failures.length > 0) process.exitCode = 1;
}

function report(c: {
  results: Map<Key, RunReport[]>;
  puts: Map<number, PutCeiling[]>;
  failures: string[];
  loads: number[];
  minutes: number;
}): string {
  const cpu = cpus();
  const lines = [
    '## File sink: generated stream → FileSink (local disk, HDFS) vs a raw loop',
    '',
    `Command: \`npm run bench${quick ? ' -- --quick' : ''}\` (this section: \`node bench/dist/files.js ${args.join(' ')}\`). ` +
      `Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${c.minutes.toFixed(0)} min; ` +
      `${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, Node ${process.version}, HDFS ${VERSIONS.hadoop} (the testkit's MiniDFSCluster, one DataNode, same machine); ` +
      `**1-minute load average: median ${median(c.loads).toFixed(1)}, max ${Math.max(...c.loads).toFixed(1)}**.`,
    '',
    `Workload: per subtask ${SIZES.map((s) => `${(RECORDS[s] ?? 0).toLocaleString('en-US')} JSON records of ${s} B`).join(' or ')} (\`makeRecord\`, one line each), parallelism 2. ` +
      '**Sluice**: number source → map to the record → row-format `FileSink` (`SimpleStringEncoder`, `OnCheckpointRollingPolicy`), checkpoints every 1 s to local disk, final checkpoint at the end. ' +
      '**Raw loop**: two interleaved async loops generating the same records, appending 1,024 lines per `write` to one file each with the same `FileSystem` client (`LocalFileSystem` / `WebHdfsFileSystem`), `flush()` every second, `close()` at the end. ' +
      "**`hdfs dfs -put`**: the same bytes from a local file with Hadoop's FsShell (Java client, RPC + DataNode streaming), rate without FsShell's fixed cost (rate = 3 files / (time of one FsShell call putting 4 copies − time of one putting 1 copy), so the JVM start cancels). " +
      `Both Node jobs run with \`${JOB_NODE_FLAGS.join(' ')}\` (docs/operations.md, "Memory"). ` +
      `Rate = records / (first record → output committed). ${REPEATS} run${REPEATS > 1 ? 's' : ''} per cell, interleaved; the finished files' bytes are checked after every run.`,
    '',
    '| Target | Record | Sluice FileSink | raw loop, same client | Sluice / raw (goal ≥ 0.8×) | `hdfs dfs -put` | Sluice / put | Sluice checkpoint (median) | raw flush (median) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const target of TARGETS) {
    for (const size of SIZES) {
      const runs = (impl: Impl): RunReport[] => c.results.get(`${target}/${size}/${impl}`) ?? [];
      const s = runs('sluice').map(rate);
      const r = runs('raw').map(rate);
      const putRates = (c.puts.get(size) ?? [])
        .map((p) => putRate(p) / (size + 1))
        .filter((rate) => Number.isFinite(rate));
      const cell = (values: number[]): string =>
        values.length === 0
          ? 'not run'
          : `${fmtRate(median(values))} ± ${spreadPercent(values).toFixed(0)} % (${((median(values) * (size + 1)) / 2 ** 20).toFixed(1)} MB/s)`;
      const durations = (impl: Impl): string => {
        const all = runs(impl).flatMap((x) => x.checkpointMs ?? []);
        return all.length === 0 ? 'n/a' : `${median(all).toFixed(0)} ms (${all.length})`;
      };
      lines.push(
        `| ${target === 'local' ? 'local disk' : 'HDFS (WebHDFS)'} | ${size} B | ${cell(s)} | ${cell(r)} | **${ratio(median(s), median(r))}** | ` +
          `${target === 'hdfs' ? cell(putRates) : '—'} | ${target === 'hdfs' ? ratio(median(s), median(putRates)) : '—'} | ${durations('sluice')} | ${durations('raw')} |`,
      );
    }
  }
  if (c.failures.length > 0) {
    lines.push('', '### Failures in this run', '');
    for (const f of c.failures) lines.push(`- ${f.split('\n')[0] ?? ''}`);
  }
  lines.push('');
  return lines.join('\n');
}

try {
  await main();
} catch (error) {
  killChildren();
  console.error(error);
  process.exitCode = 1;
}
