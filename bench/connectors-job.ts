/**
 * One measured run of a connector scenario in its own Node process (started by connectors.ts):
 * Sluice or the raw kafkajs loop, scenario A (Kafka → parse → filter/map → Kafka, exactly-once)
 * B (Kafka → parse → keyBy user → running count and sum per user → Kafka, exactly-once)
 * or C (Kafka → row files on local disk or HDFS, exactly-once), 1 s checkpoints / commits. The
 * Sluice job's operators are declared in connectors-pipeline.ts (a pipeline module, so that it
 * can run on task threads).
 *
 *   node dist/connectors-job.js '<JSON JobSpec>'
 *
 * Prints `progress <records>` lines every 100 ms (for the kill in the recovery scenario) and one
 * JSON RunReport line at the end.
 */
import { mkdir, open } from 'node:fs/promises';
import type * as Pipeline from './connectors-pipeline.js';
import type { PipelineArgs } from './connectors-pipeline.js';
import { JobRecorder, runJob } from './job-report.js';
import { aggregateOutput, parseForAggregate, transform } from './workload.js';

export interface JobSpec {
  impl: 'sluice' | 'raw';
  scenario: 'A' | 'B' | 'C' | 'C-hdfs';
  bootstrap: string[];
  input: string;
  /** Topic (A) or directory (C: local path; C-hdfs: HDFS path). */
  output: string;
  checkpointDir: string;
  groupId: string;
  /** End offset (exclusive) of every input partition, by partition number. */
  endOffsets: number[];
  /** Restore the newest checkpoint of an earlier (killed) run. */
  restore: boolean;
  /**
   * Latency mode (the raw C loop only, which has no finished files to watch): record commit time −
   * record timestamp for the records with at least this id.
   */
  latencyFromId?: number;
  webhdfs?: { url: string; user: string };
  /**
   * Task threads of the Sluice job: with 2, subtask i of every operator runs on thread i (B's
   * keyBy then hands records between the threads).
   * @defaultValue 1
   */
  threads?: number;
}

const spec = JSON.parse(process.argv[2] ?? '{}') as JobSpec;
const totalInput = spec.endOffsets.reduce((a, b) => a + b, 0);
const recorder = new JobRecorder(totalInput, `${spec.impl} ${spec.scenario} ${spec.threads ?? 1}t ${totalInput} records`);
/** Counts one input record of the raw loop (the Sluice job counts in its map's metrics). */
const count = (): void => recorder.count();

async function runSluice(): Promise<void> {
  // Imported here, so the raw kafkajs loop never loads (or depends on the build state of) Sluice.
  const { StreamExecutionEnvironment } = await import('@sluice/core');
  const pipeline = new URL('./connectors-pipeline.js', import.meta.url);
  const { COUNT_GROUP } = (await import(pipeline.href)) as typeof Pipeline;
  const threads = spec.threads ?? 1;
  const env = StreamExecutionEnvironment.create({
    parallelism: 2,
    taskThreads: threads,
    onWarning: () => {},
  });
  env.enableCheckpointing(1000);
  env
    .getCheckpointConfig()
    .setCheckpointStorage(spec.checkpointDir)
    .setRestore(spec.restore ? 'latest' : 'none');
  const args: PipelineArgs = {
    scenario: spec.scenario,
    bootstrap: spec.bootstrap,
    input: spec.input,
    output: spec.output,
    groupId: spec.groupId,
    ...(spec.webhdfs === undefined ? {} : { webhdfs: spec.webhdfs }),
  };
  await env.addPipeline(pipeline, { args, exportName: 'connectorsPipeline' });
  const handle = await env.executeAsync(`bench-${spec.scenario}`);
  // The source is unbounded: once every partition's last record was emitted, stop with a final
  // checkpoint (which commits the output), as Flink's bounded source does. Checked every 20 ms
  // on the metrics: the calling thread's own subtasks' metrics are current, a task thread's are
  // up to 100 ms old (it sends them every 100 ms), so on task threads the stop comes up to
  // ~100 ms later than the last record (the raw loop notices its end in the batch that holds
  // the last record).
  const offsetKey = /\.KafkaConsumer\.topic\..+\.partition\.(\d+)\.currentOffsets$/;
  const countKey = new RegExp(`^(.+)\\.${COUNT_GROUP}\\.(records|firstRecordAt|sampledAt)$`);
  let stopping = false;
  const checkEnd = (): void => {
    const metrics = handle.metrics();
    recorder.observe(metrics);
    let done = 0;
    const counts = new Map<string, Record<string, number>>();
    for (const [name, value] of Object.entries(metrics)) {
      const counted = countKey.exec(name);
      if (counted !== null && typeof value === 'number') {
        const subtask = counted[1] as string;
        counts.set(subtask, { ...counts.get(subtask), [counted[2] as string]: value });
        continue;
      }
      const match = offsetKey.exec(name);
      if (match === null) continue;
      const end = spec.endOffsets[Number(match[1])] ?? 0;
      if (typeof value === 'number' && value >= end - 1) done += 1;
    }
    for (const [subtask, c] of counts) {
      // Gauge times are ms since the epoch; the recorder's clock is this thread's performance.now().
      if (
        c['records'] === undefined ||
        c['sampledAt'] === undefined ||
        c['firstRecordAt'] === undefined
      )
        continue;
      const at = (epochMs: number): number => epochMs - performance.timeOrigin;
      recorder.sample(subtask, {
        records: c['records'],
        sampledAt: at(c['sampledAt']),
        firstRecordAt: at(c['firstRecordAt']),
      });
    }
    if (!stopping && done === spec.endOffsets.length) {
      stopping = true;
      void handle.cancel({ withCheckpoint: true });
    }
  };
  const watch = setInterval(checkEnd, 20);
  try {
    await handle.result;
  } finally {
    clearInterval(watch);
  }
  // The last metrics (a task thread sends its last ones when it stops).
  checkEnd();
}

/** The "no framework" loop: one kafkajs consumer, eachBatch → transactional sendBatch / file append. */
async function runRaw(): Promise<void> {
  // Imported here, as Sluice is in runSluice: each implementation loads only what it uses (and a
  // Sluice job's first kafkajs load is then @sluice/kafka's, as in an application that uses it).
  const { Kafka, logLevel } = (await import('kafkajs')).default;
  const kafka = new Kafka({
    clientId: 'bench-raw',
    brokers: spec.bootstrap,
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: spec.groupId, readUncommitted: false });
  const next = spec.endOffsets.map(() => 0);
  const finished = (): boolean => next.every((offset, p) => offset >= (spec.endOffsets[p] ?? 0));
  let lastCommit = performance.now();
  const offsetsFor = () => ({
    topics: [
      {
        topic: spec.input,
        partitions: next.map((offset, partition) => ({ partition, offset: String(offset) })),
      },
    ],
  });
  let done!: () => void;
  const allDone = new Promise<void>((resolve) => {
    done = resolve;
  });

  if (spec.scenario === 'A' || spec.scenario === 'B') {
    // B keeps the per-user totals in a Map (not checkpointed: the raw loop would lose them on a crash).
    const totals = new Map<string, { count: number; cents: number }>();
    const work =
      spec.scenario === 'A'
        ? transform
        : (text: string): string => {
            const parsed = parseForAggregate(text);
            if (parsed === undefined) return '';
            const total = totals.get(parsed.user) ?? { count: 0, cents: 0 };
            total.count += 1;
            total.cents += parsed.cents;
            totals.set(parsed.user, total);
            return aggregateOutput(parsed.user, total.count, total.cents);
          };
    const producer = kafka.producer({
      transactionalId: `${spec.groupId}-raw`,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: 900_000,
    });
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topic: spec.input, fromBeginning: true });
    let transaction = await producer.transaction();
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat }) => {
        const messages: { value: string }[] = [];
        for (const message of batch.messages) {
          count();
          const out = work(message.value?.toString() ?? '');
          if (out !== '') messages.push({ value: out });
        }
        if (messages.length > 0) await transaction.send({ topic: spec.output, messages });
        next[batch.partition] = Number(batch.lastOffset()) + 1;
        const end = finished();
        if (end || performance.now() - lastCommit >= 1000) {
          const started = performance.now();
          await transaction.sendOffsets({ consumerGroupId: spec.groupId, ...offsetsFor() });
          await transaction.commit();
          recorder.checkpointMs.push(performance.now() - started);
          lastCommit = performance.now();
          if (end) done();
          else transaction = await producer.transaction();
        }
        await heartbeat();
      },
    });
    await allDone;
    await consumer.disconnect();
    await producer.disconnect();
    return;
  }

  // C: one file per partition, appended per batch; every second sync + offset commit.
  const openFile = await appenders();
  const files = new Map<number, Appender>();
  /** Latency mode: timestamps of the records written since the last commit (ids from `latencyFromId`). */
  const pendingTs: number[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic: spec.input, fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch, heartbeat }) => {
      let text = '';
      for (const message of batch.messages) {
        count();
        const out = transform(message.value?.toString() ?? '');
        if (out === '') continue;
        text += `${out}\n`;
        if (spec.latencyFromId !== undefined) {
          const { id, ts } = JSON.parse(out) as { id: number; ts: number };
          if (id >= spec.latencyFromId) pendingTs.push(ts);
        }
      }
      let file = files.get(batch.partition);
      if (file === undefined) {
        file = await openFile(`${spec.output}/part-${batch.partition}`);
        files.set(batch.partition, file);
      }
      await file.write(text);
      next[batch.partition] = Number(batch.lastOffset()) + 1;
      const end = finished();
      if (end || performance.now() - lastCommit >= 1000) {
        const started = performance.now();
        await Promise.all([...files.values()].map((f) => f.sync()));
        await consumer.commitOffsets(
          offsetsFor().topics[0]!.partitions.map((p) => ({ ...p, topic: spec.input })),
        );
        const committedAt = Date.now();
        for (const ts of pendingTs.splice(0)) recorder.latencyMs.push(committedAt - ts);
        recorder.checkpointMs.push(performance.now() - started);
        lastCommit = performance.now();
        if (end) done();
      }
      await heartbeat();
    },
  });
  await allDone;
  await consumer.disconnect();
  await Promise.all([...files.values()].map((f) => f.close()));
}

/** A file the raw C loop appends to. */
interface Appender {
  write(text: string): Promise<void>;
  /** Makes the written bytes durable (fsync; on HDFS the WebHDFS append of the buffered bytes). */
  sync(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the raw loop's files: on local disk with node:fs (no framework); on HDFS (C-hdfs) with the
 * WebHDFS client the FileSink uses (`WebHdfsFileSystem`), as there is no other WebHDFS client.
 */
async function appenders(): Promise<(path: string) => Promise<Appender>> {
  if (spec.scenario === 'C-hdfs' && spec.webhdfs !== undefined) {
    const { benchFileSystem } = await import('./file-output.js');
    const fileSystem = benchFileSystem(spec.webhdfs);
    return async (path) => {
      const out = await fileSystem.create(path);
      return {
        write: (text) => out.write(text),
        sync: async () => {
          await out.flush();
        },
        close: async () => {
          await out.close();
        },
      };
    };
  }
  await mkdir(spec.output, { recursive: true });
  return async (path) => {
    const handle = await open(path, 'a');
    return {
      write: async (text) => {
        await handle.write(text);
      },
      sync: () => handle.sync(),
      close: () => handle.close(),
    };
  };
}

await runJob(recorder, () => (spec.impl === 'sluice' ? runSluice() : runRaw()));
