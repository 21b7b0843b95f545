/**
 * Connector benchmarks side by side with the peers, all in one run on one real Kafka (testkit):
 * Sluice, a raw kafkajs loop ("no framework"), Apache Flink 2.2.1 in a local MiniCluster
 * (bench/flink, built with Maven) and Kafka's own ProducerPerformance / ConsumerPerformance as the
 * ceiling. Scenarios: A Kafka → parse → filter/map → Kafka EXACTLY_ONCE, C Kafka → FileSink on
 * local disk, D recovery after SIGKILL (A and C); 100 B and 1 KB JSON records, 4 partitions, 1 s
 * checkpoints, parallelism 2. Each measured job runs in its own process.
 *
 *   node dist/connectors.js [--quick] [--out <markdown file>] [--images <dir>]
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { cpus, freemem, loadavg, totalmem, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { createReadCommittedConsumer } from '@sluice/kafka';
import { LocalFileSystem } from '@sluice/filesystem-hdfs';
import type { FileSystem } from '@sluice/filesystem-hdfs';
import {
  VERSIONS,
  createKafkaTopic,
  resolveKafkaJars,
  startHdfs,
  startKafka,
} from '@sluice/testkit';
import type { HdfsServer, KafkaServer } from '@sluice/testkit';
import {
  JOB_NODE_FLAGS,
  argValue as argValueOf,
  checkArgs,
  fmtRate,
  isQuick,
  lastJsonLine,
  latencySummary,
  median,
  ratio,
  spreadPercent,
  writeSection,
} from './bench-lib.js';
import type { LatencySummary, RunReport } from './bench-lib.js';
import { writePng } from './charts.js';
import { benchFileSystem, webhdfsOf } from './file-output.js';
import { finishedFiles, finishedLines } from './finished-files.js';
import { hdfsPut, putRate } from './hdfs-put.js';
import type { JobSpec } from './connectors-job.js';
import { failureCause, killChildren, log, run } from './processes.js';
import { expectedOutput, makeRecord, transform } from './workload.js';

const args = process.argv.slice(2);
checkArgs(args, {
  options: ['--out', '--images', '--section', '--title', '--only', '--repeats', '--records'],
  usage:
    'usage: node dist/connectors.js [--quick] [--out <markdown file>] [--images <dir>] [--section <name>] [--title <heading>]\n' +
    '         [--only A,B,C,C-hdfs,D,latency,sluice,sluice-2t,raw,flink] [--repeats N] [--records N]',
});
const quick = isQuick(args);
const argValue = (name: string): string | undefined => argValueOf(args, name);
const here = dirname(fileURLToPath(import.meta.url));
const benchRoot = resolve(here, '..');
const outFile = argValue('--out');
const imagesDir = argValue('--images');
/** Section of the Markdown file to (re)write, and its heading (a partial run goes into its own section). */
const section = argValue('--section') ?? 'connectors';
const title = argValue('--title') ?? 'Connectors side by side with the peers (Kafka, files)';
/** `--only A,C,D,sluice,flink,...`: run only those scenarios / implementations (for development). */
const only = new Set((argValue('--only') ?? '').split(',').filter((x) => x !== ''));
const wanted = (...names: string[]): boolean =>
  names.every((n) => only.size === 0 || only.has(n) || ![...only].some((o) => sameKind(o, n)));
function sameKind(a: string, b: string): boolean {
  const scenarios = ['A', 'B', 'C', 'C-hdfs', 'D', 'latency'];
  return scenarios.includes(a) === scenarios.includes(b);
}
const PARTITIONS = 4;
const REPEATS = Number(argValue('--repeats') ?? (quick ? 1 : 3));
/** Record sizes; the smoke run (`--quick`) keeps to 100 B. */
const SIZES: readonly number[] = quick ? [100] : [100, 1024];
const recordsArg = Number(argValue('--records') ?? Number.NaN);
/** Input records per size (`--records N`: N of 100 B and N / 3 of 1 KB). */
const RECORDS: Record<number, number> = Number.isFinite(recordsArg)
  ? { 100: recordsArg, 1024: Math.round(recordsArg / 3) }
  : quick
    ? { 100: 10_000 }
    : { 100: 300_000, 1024: 100_000 };
/**
 * `sluice` runs its 2 parallel subtasks on one thread (the default of a Sluice job);
 * `sluice-2t` on 2 task threads (`taskThreads: 2`), for what the second thread costs and gains.
 */
const IMPLS = ['sluice', 'sluice-2t', 'raw', 'flink'] as const;
type Impl = (typeof IMPLS)[number];
/** The Node job implementations (connectors-job.js). */
type NodeImpl = Exclude<Impl, 'flink'>;
/**
 * The implementations in the order round `round` runs them: rotated every round, so that none
 * always runs first on a scenario (first after the previous scenario's jobs, on a broker and
 * page cache the others then find warm).
 */
function implOrder(round: number): readonly Impl[] {
  return IMPLS.map((_, i) => IMPLS[(i + round) % IMPLS.length] as Impl);
}
const SCENARIOS = ['A', 'B', 'C', 'C-hdfs'] as const;
type Scenario = (typeof SCENARIOS)[number];
const IMPL_NAMES: Record<Impl, string> = {
  sluice: 'Sluice',
  'sluice-2t': 'Sluice, 2 task threads',
  raw: 'raw kafkajs loop',
  flink: 'Apache Flink 2.2.1',
};

// ---- setup -----------------------------------------------------------------------------------

/** Retries a send a few times: right after topic creation the broker may still answer UNKNOWN_TOPIC_OR_PARTITION. */
async function sendWithRetry(send: () => Promise<unknown>): Promise<unknown> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await send();
    } catch (error) {
      if (attempt >= 8) throw error;
      await new Promise((r) => setTimeout(r, 250 * attempt));
    }
  }
}

async function produceInput(
  ctx: { kafka: Kafka; server: KafkaServer },
  input: { topic: string; size: number; count: number },
): Promise<number[]> {
  const { topic, size, count } = input;
  const { kafka } = ctx;
  await createTopic(ctx, topic);
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const batch = 2_000;
  const inFlight: Promise<unknown>[] = [];
  for (let start = 0; start < count; start += batch) {
    const messages: { partition: number; value: string }[] = [];
    for (let id = start; id < Math.min(count, start + batch); id += 1) {
      messages.push({ partition: id % PARTITIONS, value: makeRecord(id, size) });
    }
    inFlight.push(sendWithRetry(() => producer.send({ topic, acks: -1, messages })));
    if (inFlight.length >= 4) await inFlight.shift();
  }
  await Promise.all(inFlight);
  await producer.disconnect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const ends = Array.from({ length: PARTITIONS }, () => 0);
  for (const o of offsets) ends[o.partition] = Number(o.high);
  return ends;
}

async function createTopic(ctx: { server: KafkaServer }, topic: string): Promise<void> {
  await createKafkaTopic({ brokers: ctx.server.bootstrapServers, topic, partitions: PARTITIONS });
}

async function buildFlink(): Promise<string> {
  const project = join(benchRoot, 'flink');
  const offline = await run('mvn', ['-q', '-B', '-o', 'package'], { cwd: project });
  if (offline.code !== 0) {
    log('offline Maven build failed (jars not in ~/.m2 yet?): building online');
    const online = await run('mvn', ['-q', '-B', 'package'], { cwd: project });
    if (online.code !== 0)
      throw new Error(`Flink project build failed:\n${online.stdout}\n${online.stderr}`);
  }
  return `${join(project, 'target', 'classes')}:${join(project, 'target', 'lib', '*')}`;
}

// ---- measured runs -------------------------------------------------------------------------

interface Context {
  kafka: Kafka;
  server: KafkaServer;
  flinkClasspath: string;
  work: string;
  inputs: Map<number, Input>;
  seq: number;
  /** The testkit's HDFS, started when C-hdfs runs. */
  hdfs: HdfsServer | undefined;
}

/** Where a file scenario writes: local disk (C) or HDFS through WebHDFS (C-hdfs). */
function fileSystemOf(ctx: Context, scenario: Scenario): FileSystem {
  return benchFileSystem(scenario === 'C-hdfs' ? webhdfsOf(ctx.hdfs) : undefined);
}

/** Lines in the finished files a file scenario left in `dir`. */
async function outputLines(ctx: Context, scenario: Scenario, dir: string): Promise<number> {
  const fileSystem = fileSystemOf(ctx, scenario);
  try {
    return await finishedLines(fileSystem, dir);
  } finally {
    await fileSystem.close();
  }
}

/** One cell of the matrix: scenario × record size × implementation. */
interface Cell<I extends Impl = Impl> {
  scenario: Scenario;
  size: number;
  impl: I;
}

interface Prepared {
  output: string;
  checkpointDir: string;
  groupId: string;
}

async function prepare(ctx: Context, scenario: Scenario, impl: Impl): Promise<Prepared> {
  ctx.seq += 1;
  const name = `${impl}-${scenario}-${ctx.seq}`;
  const checkpointDir = join(ctx.work, `chk-${name}`);
  await mkdir(checkpointDir, { recursive: true });
  let output: string;
  if (scenario === 'A' || scenario === 'B') {
    output = `out-${name}`;
    await createTopic(ctx, output);
  } else {
    output = scenario === 'C-hdfs' ? `/bench/files-${name}` : join(ctx.work, `files-${name}`);
  }
  return { output, checkpointDir, groupId: `bench-${name}` };
}

/** An input topic and the end offsets (exclusive) of its partitions. */
interface Input {
  topic: string;
  ends: number[];
}

/** A job to start: a cell, its output, and (latency runs) its own live input. */
type JobRun<I extends Impl = Impl> = Cell<I> & { p: Prepared; input?: Input };

function nodeJob(
  ctx: Context,
  job: JobRun<NodeImpl> & { latencyFromId?: number },
  restore = false,
): [string, string[]] {
  const { impl, scenario, size, p } = job;
  const input = job.input ?? ctx.inputs.get(size)!;
  const spec: JobSpec = {
    impl: impl === 'raw' ? 'raw' : 'sluice',
    ...(impl === 'raw' ? {} : { threads: impl === 'sluice-2t' ? 2 : 1 }),
    scenario,
    bootstrap: ctx.server.bootstrapServers,
    input: input.topic,
    output: p.output,
    checkpointDir: p.checkpointDir,
    groupId: p.groupId,
    endOffsets: input.ends,
    restore,
    ...(job.latencyFromId === undefined ? {} : { latencyFromId: job.latencyFromId }),
    ...(scenario === 'C-hdfs' ? { webhdfs: webhdfsOf(ctx.hdfs) } : {}),
  };
  // SLUICE_BENCH_CPU_PROF=1 profiles the Sluice jobs; `raw` or `sluice,raw` names the implementations
  // (a job on task threads writes one profile per thread).
  const profiled = process.env['SLUICE_BENCH_CPU_PROF'] ?? '';
  const extra = (profiled === '1' ? ['sluice'] : profiled.split(',')).includes(impl)
    ? ['--cpu-prof', `--cpu-prof-dir=${join(benchRoot, 'dist', 'profiles', impl)}`]
    : [];
  // SLUICE_BENCH_NODE_FLAGS adds Node flags to the Sluice and raw jobs (experiments: heap sizes, tracing).
  const flags = (process.env['SLUICE_BENCH_NODE_FLAGS'] ?? '').split(' ').filter((flag) => flag !== '');
  return [process.execPath, [...JOB_NODE_FLAGS, ...flags, ...extra, join(here, 'connectors-job.js'), JSON.stringify(spec)]];
}

function flinkJob(ctx: Context, job: JobRun, restorePath = ''): [string, string[]] {
  const { scenario, size, p } = job;
  const input = job.input ?? ctx.inputs.get(size)!;
  return [
    'java',
    [
      '-Xmx1g',
      '-cp',
      ctx.flinkClasspath,
      'dev.sluice.bench.BenchJob',
      scenario,
      ctx.server.bootstrapServers.join(','),
      input.topic,
      p.output,
      p.checkpointDir,
      p.groupId,
      input.ends.join(','),
      ...(restorePath === '' ? [] : [restorePath]),
    ],
  ];
}

/**
 * User + system CPU seconds of a local process so far (Linux `/proc/<pid>/stat`), or undefined.
 * Used for the broker's CPU during a job: fetch settings move work between the job and the broker.
 */
function processCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime), counted after the command name: indexes 11 and 12.
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}

/** `getconf CLK_TCK` on Linux (the kernel's USER_HZ, 100 on every common architecture). */
const CLOCK_TICKS_PER_SECOND = 100;

async function measure(ctx: Context, cell: Cell): Promise<RunReport> {
  const { scenario, impl, size } = cell;
  const p = await prepare(ctx, scenario, impl);
  const [command, commandArgs] =
    impl === 'flink'
      ? flinkJob(ctx, { impl, scenario, size, p })
      : nodeJob(ctx, { impl, scenario, size, p });
  const flinkCheckpoints: number[] = [];
  const brokerCpuBefore = processCpuSeconds(ctx.server.pid());
  const result = await run(command, commandArgs, {
    timeoutMs: 15 * 60_000,
    onErrorLine: (line) => {
      const duration = flinkCheckpointDuration(line);
      if (duration !== undefined) flinkCheckpoints.push(duration);
    },
  });
  if (result.code !== 0) {
    throw new Error(
      `${impl} ${scenario} ${size} B failed (${result.code ?? result.signal}): ${failureCause(result)}\n${result.stderr.slice(-3000)}`,
    );
  }
  const report = lastJsonLine<RunReport>(result.stdout);
  if (impl === 'flink') report.checkpointMs = flinkCheckpoints;
  const brokerCpuAfter = processCpuSeconds(ctx.server.pid());
  if (brokerCpuBefore !== undefined && brokerCpuAfter !== undefined)
    report.brokerCpuSeconds = brokerCpuAfter - brokerCpuBefore;
  const expected = ctx.inputs.get(size)!.ends.reduce((a, b) => a + b, 0);
  if (report.records !== expected)
    throw new Error(`${impl} ${scenario}: processed ${report.records} of ${expected} records`);
  if (scenario === 'A' || scenario === 'B') {
    const visible = await countCommitted(ctx.kafka, p.output, {
      expected: expectedOutput(expected),
    });
    if (visible !== expectedOutput(expected))
      throw new Error(
        `${impl} A: ${visible} committed output records, expected ${expectedOutput(expected)}`,
      );
  } else {
    const lines = await outputLines(ctx, scenario, p.output);
    if (lines !== expectedOutput(expected))
      throw new Error(
        `${impl} ${scenario}: ${lines} lines in finished files, expected ${expectedOutput(expected)}`,
      );
    const fileSystem = fileSystemOf(ctx, scenario);
    await fileSystem.delete(p.output, { recursive: true });
    await fileSystem.close();
  }
  await rm(p.checkpointDir, { recursive: true, force: true });
  return report;
}

/**
 * Records a read_committed reader sees in `topic`: reads from the start until `expected` records
 * came and nothing more arrived for 2 s, or nothing arrived for 15 s.
 */
async function countCommitted(
  kafka: Kafka,
  topic: string,
  options: { expected: number; ids?: Map<number, string[]> },
): Promise<number> {
  const { expected, ids } = options;
  // kafkajs's own read_committed filter can pass aborted records; @sluice/kafka's consumer cannot.
  const consumer = createReadCommittedConsumer(kafka, { groupId: `count-${topic}-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  await new Promise<void>((resolveDone) => {
    let idle = setTimeout(resolveDone, 15_000);
    void consumer.run({
      eachBatch: async ({ batch }) => {
        seen += batch.messages.length;
        if (ids !== undefined) {
          for (const m of batch.messages) {
            const id = (JSON.parse(m.value?.toString() ?? '{}') as { id?: number }).id ?? -1;
            ids.set(id, [...(ids.get(id) ?? []), `p${batch.partition}@${m.offset}`]);
          }
        }
        clearTimeout(idle);
        idle = setTimeout(resolveDone, seen >= expected ? 2000 : 15_000);
      },
    });
  });
  await consumer.disconnect();
  return seen;
}

/**
 * The duration of a completed Flink checkpoint from the JobManager's log line
 * (`Completed checkpoint 5 for job … (1234 bytes, checkpointDuration=56 ms, finalizationTime=0 ms).`).
 */
function flinkCheckpointDuration(line: string): number | undefined {
  const match =
    /Completed checkpoint \d+ for job \S+ \(\d+ bytes, checkpointDuration=(\d+) ms/.exec(line);
  return match === null ? undefined : Number(match[1]);
}

// ---- ceiling: Kafka's own perf tools ---------------------------------------------------------

interface Ceiling {
  produce: number;
  consume: number;
}

async function kafkaTools(ctx: Context, size: number, kafkaLib: string): Promise<Ceiling> {
  const count = ctx.inputs.get(size)!.ends.reduce((a, b) => a + b, 0);
  const classpath = join(kafkaLib, '*');
  const topic = `ceiling-${size}-${(ctx.seq += 1)}`;
  await createTopic(ctx, topic);
  const bootstrap = ctx.server.bootstrapServers.join(',');
  const produced = await run('java', [
    '-Xmx512m',
    '-cp',
    classpath,
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic',
    topic,
    '--num-records',
    String(count),
    '--record-size',
    String(size),
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${bootstrap}`,
    'acks=all',
  ]);
  const producedLine = produced.stdout.trim().split('\n').at(-1) ?? '';
  const produce = Number(/([\d.]+) records\/sec/.exec(producedLine)?.[1] ?? Number.NaN);
  const consumed = await run('java', [
    '-Xmx512m',
    '-cp',
    classpath,
    'org.apache.kafka.tools.ConsumerPerformance',
    '--bootstrap-server',
    bootstrap,
    '--topic',
    ctx.inputs.get(size)!.topic,
    '--messages',
    String(count),
    '--group',
    `ceiling-${ctx.seq}`,
    '--timeout',
    '60000',
  ]);
  // CSV: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  const row =
    consumed.stdout
      .trim()
      .split('\n')
      .at(-1)
      ?.split(',')
      .map((s) => s.trim()) ?? [];
  const consume = Number(row[9] ?? row[5] ?? Number.NaN);
  if (!Number.isFinite(produce) || !Number.isFinite(consume))
    log(
      `perf tools output not understood:\n${produced.stdout}\n${consumed.stdout}\n${consumed.stderr.slice(-1000)}`,
    );
  return { produce, consume };
}

// ---- D: recovery ---------------------------------------------------------------------------

interface Recovery {
  impl: Impl;
  scenario: Scenario;
  killedAfterRecords: number;
  /** Restarted process spawn → first output committed after the restart, ms. */
  firstCommitMs: number;
  /** Records processed twice (before the kill and again after the restart). */
  replayed: number;
  exactlyOnce: boolean;
  /** Committed output records after the restart / expected. */
  output: string;
  /** Set when the restarted job did not finish within the time limit. */
  note?: string;
}

const RESTART_LIMIT_MS = 150_000;

async function recovery(ctx: Context, cell: Cell<'sluice' | 'flink'>): Promise<Recovery> {
  const { scenario, impl, size } = cell;
  const p = await prepare(ctx, scenario, impl);
  const total = ctx.inputs.get(size)!.ends.reduce((a, b) => a + b, 0);
  const killAt = Math.floor(total * 0.4);
  let lastProgress = 0;
  const [command, commandArgs] =
    impl === 'flink'
      ? flinkJob(ctx, { impl, scenario, size, p })
      : nodeJob(ctx, { impl, scenario, size, p });
  const first = await run(command, commandArgs, {
    timeoutMs: 10 * 60_000,
    onLine: (line, child) => {
      const match = /^progress (\d+)$/.exec(line);
      if (match === null) return;
      lastProgress = Number(match[1]);
      // Let at least two checkpoints complete before the kill.
      if (lastProgress >= killAt && child.exitCode === null) child.kill('SIGKILL');
    },
  });
  if (first.signal !== 'SIGKILL')
    throw new Error(
      `recovery ${impl} ${scenario}: the first run was not killed (${first.code}): ${first.stderr.slice(-2000)}`,
    );
  // What is visible before the restart.
  let restorePath = '';
  if (impl === 'flink') restorePath = await newestFlinkCheckpoint(p.checkpointDir);
  let before = 0;
  let visibleAt = 0;
  let stopWatch = (): Promise<void> => Promise.resolve();
  if (scenario === 'A') {
    const consumer = createReadCommittedConsumer(ctx.kafka, { groupId: `watch-${p.groupId}` });
    await consumer.connect();
    await consumer.subscribe({ topic: p.output, fromBeginning: true });
    let lastMessage = performance.now();
    let restartAt = Number.POSITIVE_INFINITY;
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const now = performance.now();
        if (now >= restartAt && visibleAt === 0) visibleAt = now - restartAt;
        else if (now < restartAt) before += batch.messages.length;
        lastMessage = now;
      },
    });
    while (performance.now() - lastMessage < 2000) await new Promise((r) => setTimeout(r, 200));
    restartAt = performance.now();
    stopWatch = () => consumer.disconnect();
    const [c2, a2] =
      impl === 'flink'
        ? flinkJob(ctx, { impl, scenario, size, p }, restorePath)
        : nodeJob(ctx, { impl, scenario, size, p }, true);
    const second = await restart([c2, a2], { impl, atLeast: total - lastProgress });
    await stopWatch();
    const ids = new Map<number, string[]>();
    const visible = await countCommitted(ctx.kafka, p.output, {
      expected: expectedOutput(total),
      ids,
    });
    const duplicates = [...ids.entries()].filter(([, at]) => at.length > 1);
    const output =
      `${visible.toLocaleString('en-US')} / ${expectedOutput(total).toLocaleString('en-US')}` +
      (duplicates.length > 0
        ? `; ${duplicates.length} ids twice, e.g. ${duplicates
            .slice(0, 3)
            .map(([id, at]) => `${id} at ${at.join(' and ')}`)
            .join('; ')}`
        : '');
    return recoveryResult(second, {
      base: {
        impl,
        scenario,
        killedAfterRecords: lastProgress,
        firstCommitMs: visibleAt,
        exactlyOnce: visible === expectedOutput(total),
        output,
      },
      lastProgress,
      total,
    });
  }
  const local = new LocalFileSystem();
  const finishedCount = async (): Promise<number> => (await finishedFiles(local, p.output)).length;
  before = await finishedCount();
  const restartAt = performance.now();
  const poll = setInterval(() => {
    void finishedCount().then((n) => {
      if (n > before && visibleAt === 0) visibleAt = performance.now() - restartAt;
    });
  }, 25);
  const [c2, a2] =
    impl === 'flink'
      ? flinkJob(ctx, { impl, scenario, size, p }, restorePath)
      : nodeJob(ctx, { impl, scenario, size, p }, true);
  const second = await restart([c2, a2], { impl, atLeast: total - lastProgress });
  clearInterval(poll);
  const lines = await finishedLines(local, p.output);
  const output = `${lines.toLocaleString('en-US')} / ${expectedOutput(total).toLocaleString('en-US')}`;
  return recoveryResult(second, {
    base: {
      impl,
      scenario,
      killedAfterRecords: lastProgress,
      firstCommitMs: visibleAt,
      exactlyOnce: lines === expectedOutput(total),
      output,
    },
    lastProgress,
    total,
  });
}

/** How a restarted job ended: the records it processed (its last progress line) and why it did not end by itself. */
interface Restarted {
  records: number;
  note?: string;
}

/** Flink's restarted job is stopped after this long without a new record (≥ 4 completed 1 s checkpoints). */
const RESTART_IDLE_MS = 5000;

/**
 * Runs the restarted job. A bounded Flink `KafkaSource` never ends after a restore from a
 * retained checkpoint (FLINK-31006: the restored enumerator never signals "no more splits"), so
 * the Flink job is stopped (SIGKILL) once it processed at least `atLeast` records (everything
 * after the kill point) and then nothing new for {@link RESTART_IDLE_MS}: by then its last
 * checkpoints have committed the output.
 */
async function restart(
  [command, commandArgs]: [string, string[]],
  options: { impl: Impl; atLeast: number },
): Promise<Restarted> {
  let records = 0;
  let changedAt = performance.now();
  let stoppedIdle = false;
  let idle: NodeJS.Timeout | undefined;
  const result = await run(command, commandArgs, {
    timeoutMs: RESTART_LIMIT_MS,
    onLine: (line, child) => {
      const match = /^progress (\d+)$/.exec(line);
      if (match === null || Number(match[1]) === records) return;
      records = Number(match[1]);
      changedAt = performance.now();
      if (options.impl !== 'flink' || idle !== undefined || records < options.atLeast) return;
      idle = setInterval(() => {
        if (performance.now() - changedAt < RESTART_IDLE_MS) return;
        stoppedIdle = true;
        child.kill('SIGKILL');
      }, 250);
    },
  });
  clearInterval(idle);
  if (result.code === 0) return { records: lastJsonLine<RunReport>(result.stdout).records };
  if (stoppedIdle)
    return {
      records,
      note: `its bounded KafkaSource does not end after a restore (FLINK-31006): stopped ${RESTART_IDLE_MS / 1000} s after its last record`,
    };
  return {
    records: Number.NaN,
    note: `the restarted job did not finish within ${RESTART_LIMIT_MS / 1000} s (${result.code ?? result.signal})`,
  };
}

/** The D row of a restarted run: records replayed (before the kill + after the restart − input). */
function recoveryResult(
  second: Restarted,
  options: { base: Omit<Recovery, 'replayed' | 'note'>; lastProgress: number; total: number },
): Recovery {
  return {
    ...options.base,
    replayed: Math.max(0, options.lastProgress + second.records - options.total),
    ...(second.note === undefined ? {} : { note: second.note }),
  };
}

/** The newest retained Flink checkpoint (`<dir>/<job id>/chk-<n>` with a `_metadata` file). */
async function newestFlinkCheckpoint(dir: string): Promise<string> {
  let best = '';
  let bestId = -1;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.name !== '_metadata') continue;
    const match = /chk-(\d+)$/.exec(entry.parentPath);
    if (match !== null && Number(match[1]) > bestId) {
      bestId = Number(match[1]);
      best = entry.parentPath;
    }
  }
  if (best === '') throw new Error(`no complete Flink checkpoint in ${dir}`);
  return `file://${best}`;
}

// ---- end-to-end latency ----------------------------------------------------------------------

/** Live input of the latency runs: records produced before the job starts (excluded), then a fixed rate. */
const LATENCY = quick
  ? { warmup: 200, rate: 2000, seconds: 3 }
  : { warmup: 200, rate: 5000, seconds: 20 };

interface LatencyRow {
  scenario: 'A' | 'C';
  impl: Impl;
  /** Records measured and their latency percentiles, ms. */
  summary: LatencySummary;
}

/** End offsets of `count` records written with partition = id mod PARTITIONS. */
function endsOf(count: number): number[] {
  return Array.from({ length: PARTITIONS }, (_, p) =>
    Math.max(0, Math.ceil((count - p) / PARTITIONS)),
  );
}

/**
 * Record timestamp → committed-visible, for exactly-once output: the job reads a topic that a
 * producer fills at a fixed rate while it runs; A: a read_committed reader of the output, C: a
 * poll (every 50 ms) of the finished files (the raw C loop, whose files are never "finished",
 * measures its own fsync + offset commit instead). Only records produced after the job's first
 * record count.
 */
async function latency(
  ctx: Context,
  cell: { scenario: 'A' | 'C'; impl: Impl },
): Promise<LatencyRow> {
  const { scenario, impl } = cell;
  const size = 100;
  const total = LATENCY.warmup + LATENCY.rate * LATENCY.seconds;
  const p = await prepare(ctx, scenario, impl);
  const input: Input = { topic: `live-${p.groupId}`, ends: endsOf(total) };
  await createTopic(ctx, input.topic);
  const producer = ctx.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  let produced = 0;
  const produceUpTo = async (end: number): Promise<void> => {
    const messages: { partition: number; value: string }[] = [];
    for (; produced < Math.min(end, total); produced += 1)
      messages.push({ partition: produced % PARTITIONS, value: makeRecord(produced, size) });
    if (messages.length > 0)
      await sendWithRetry(() => producer.send({ topic: input.topic, acks: -1, messages }));
  };
  await produceUpTo(LATENCY.warmup);
  const latencies: number[] = [];
  const measureLine = (text: string, visibleAt: number): void => {
    const { id, ts } = JSON.parse(text) as { id: number; ts: number };
    if (id >= LATENCY.warmup) latencies.push(visibleAt - ts);
  };
  const watch = await watchOutput(ctx, { scenario, impl, output: p.output, measureLine });
  let started!: () => void;
  const firstRecord = new Promise<void>((resolve) => {
    started = resolve;
  });
  const [command, commandArgs] =
    impl === 'flink'
      ? flinkJob(ctx, { impl, scenario, size, p, input })
      : nodeJob(ctx, { impl, scenario, size, p, input, latencyFromId: LATENCY.warmup });
  const job = run(command, commandArgs, {
    timeoutMs: 10 * 60_000,
    onLine: (line) => {
      if (/^progress [1-9]/.test(line)) started();
    },
  });
  await Promise.race([firstRecord, job]);
  const paceStart = performance.now();
  while (
    produced < total &&
    (await Promise.race([job.then(() => true), sleep(50).then(() => false)])) === false
  ) {
    await produceUpTo(
      LATENCY.warmup + Math.floor(((performance.now() - paceStart) / 1000) * LATENCY.rate),
    );
  }
  await producer.disconnect();
  const result = await job;
  await watch.stop(expectedOutput(total));
  await rm(p.checkpointDir, { recursive: true, force: true });
  if (result.code !== 0)
    throw new Error(
      `latency ${scenario} ${impl} failed (${result.code ?? result.signal}): ${failureCause(result)}\n${result.stderr.slice(-3000)}`,
    );
  const report = lastJsonLine<RunReport>(result.stdout);
  const summary = report.latency ?? latencySummary(latencies);
  if (summary.n === 0) throw new Error(`latency ${scenario} ${impl}: no committed output observed`);
  return { scenario, impl, summary };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Watches a job's committed output and hands every newly visible record to `measureLine` with the
 * time it became visible. `stop(expected)` waits until `expected` records were seen (at most 10 s
 * without progress) and ends the watch.
 */
async function watchOutput(
  ctx: Context,
  options: {
    scenario: 'A' | 'C';
    impl: Impl;
    output: string;
    measureLine: (text: string, visibleAt: number) => void;
  },
): Promise<{ stop: (expected: number) => Promise<void> }> {
  const { scenario, impl, output, measureLine } = options;
  let seen = 0;
  let lastSeen = performance.now();
  const waitFor = async (expected: number, poll?: () => Promise<void>): Promise<void> => {
    while (seen < expected && performance.now() - lastSeen < 10_000) {
      await poll?.();
      await sleep(50);
    }
  };
  const see = (text: string, at: number): void => {
    seen += 1;
    lastSeen = performance.now();
    measureLine(text, at);
  };
  if (scenario === 'A') {
    const consumer = createReadCommittedConsumer(ctx.kafka, { groupId: `latency-${output}` });
    await consumer.connect();
    await consumer.subscribe({ topic: output, fromBeginning: true });
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const at = Date.now();
        for (const m of batch.messages) see(m.value?.toString() ?? '{}', at);
      },
    });
    return {
      stop: async (expected) => {
        await waitFor(expected);
        await consumer.disconnect();
      },
    };
  }
  if (impl === 'raw') return { stop: () => Promise.resolve() };
  const local = new LocalFileSystem();
  const read = new Set<string>();
  const poll = async (): Promise<void> => {
    for (const file of await finishedFiles(local, output)) {
      if (read.has(file.path)) continue;
      read.add(file.path);
      const at = Date.now();
      const text = Buffer.from(await local.readFile(file.path)).toString('utf8');
      for (const line of text.split('\n')) if (line !== '') see(line, at);
    }
  };
  const timer = setInterval(() => void poll(), 50);
  return {
    stop: async (expected) => {
      clearInterval(timer);
      await waitFor(expected, poll);
    },
  };
}

// ---- report ----------------------------------------------------------------------------------

type Key = `${Scenario}/${number}/${Impl}`;
const key = (scenario: Scenario, size: number, impl: Impl): Key => `${scenario}/${size}/${impl}`;

const steadyRate = (r: RunReport): number => r.steadyRecords / r.steadySeconds;

const inputCount = (ctx: Context, size: number): number =>
  (ctx.inputs.get(size)?.ends ?? []).reduce((a, b) => a + b, 0);

/** The lines scenario C writes for the input of `size` (the same bytes, up to the timestamps' digits). */
function sameBytesAsC(ctx: Context, size: number): string {
  const lines: string[] = [];
  for (let id = 0; id < inputCount(ctx, size); id += 1) {
    const out = transform(makeRecord(id, size));
    if (out !== '') lines.push(`${out}\n`);
  }
  return lines.join('');
}

async function main(): Promise<void> {
  const loads: number[] = [];
  const loadTimer = setInterval(() => loads.push(loadavg()[0] ?? 0), 5000);
  loads.push(loadavg()[0] ?? 0);
  const startedAt = Date.now();
  const work = await mkdtemp(join(tmpdir(), 'sluice-bench-connectors-'));
  let server: KafkaServer | undefined;
  const results = new Map<Key, RunReport[]>();
  const ceilings = new Map<number, Ceiling[]>();
  const puts = new Map<number, number[]>();
  const recoveries: Recovery[] = [];
  const latencies: LatencyRow[] = [];
  const failures: string[] = [];
  let hdfs: HdfsServer | undefined;
  const onSignal = (): void => {
    killChildren();
    void Promise.all([server?.stop(), hdfs?.stop()]).finally(() => process.exit(130));
  };
  const attempt = async (what: string, body: () => Promise<void>): Promise<void> => {
    try {
      await body();
    } catch (error) {
      failures.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      log(`FAILED ${failures.at(-1) ?? ''}`);
    }
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    log(`quick=${quick}; starting Kafka and building the Flink job`);
    const [started, flinkClasspath, kafkaLib, startedHdfs] = await Promise.all([
      startKafka(),
      buildFlink(),
      resolveKafkaJars(),
      wanted('C-hdfs') ? startHdfs() : Promise.resolve(undefined),
    ]);
    server = started;
    hdfs = startedHdfs;
    const kafka = new Kafka({
      clientId: 'bench',
      brokers: server.bootstrapServers,
      logLevel: logLevel.NOTHING,
    });
    const ctx: Context = { kafka, server, flinkClasspath, work, inputs: new Map(), seq: 0, hdfs };
    for (const size of SIZES) {
      const topic = `in-${size}`;
      const t0 = performance.now();
      const ends = await produceInput(ctx, { topic, size, count: RECORDS[size] ?? 0 });
      ctx.inputs.set(size, { topic, ends });
      log(
        `input ${topic}: ${ends.join('+')} records in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
    }
    for (let round = 0; round < REPEATS; round += 1) {
      for (const size of SIZES) {
        try {
          if (only.size === 0 || only.has('tools')) {
            const ceiling = await kafkaTools(ctx, size, kafkaLib);
            ceilings.set(size, [...(ceilings.get(size) ?? []), ceiling]);
            log(
              `round ${round + 1} ${size} B kafka tools: produce ${fmtRate(ceiling.produce)}, consume ${fmtRate(ceiling.consume)}`,
            );
          }
        } catch (error) {
          failures.push(`kafka tools ${size} B: ${String(error)}`);
        }
        if (hdfs !== undefined && (only.size === 0 || only.has('tools'))) {
          const server = hdfs;
          await attempt(`round ${round + 1} hdfs dfs -put ${size} B`, async () => {
            const put = await hdfsPut(server, {
              text: sameBytesAsC(ctx, size),
              localFile: join(work, `put-${size}-${round}.json`),
              remoteDir: `/bench/put-${size}-${round}`,
            });
            // As input records per second, comparable with the C-hdfs rates.
            const rate = (putRate(put) * inputCount(ctx, size)) / put.fileBytes;
            puts.set(size, [...(puts.get(size) ?? []), rate]);
            log(`round ${round + 1} ${size} B hdfs dfs -put: ${fmtRate(rate)}`);
          });
        }
        for (const scenario of SCENARIOS) {
          for (const impl of implOrder(round)) {
            if (!wanted(scenario, impl)) continue;
            // Flink's file sink writes to local disk only here (hdfs:// would need Hadoop in bench/flink).
            if (impl === 'flink' && scenario === 'C-hdfs') continue;
            // The smoke run leaves the 2-thread line out (task threads have their own tests).
            if (impl === 'sluice-2t' && quick) continue;
            // The smoke run keeps Flink (≈ 20 s of JVM and MiniCluster start per job) to A.
            if (quick && impl === 'flink' && scenario !== 'A') continue;
            try {
              const report = await measure(ctx, { scenario, impl, size });
              results.set(key(scenario, size, impl), [
                ...(results.get(key(scenario, size, impl)) ?? []),
                report,
              ]);
              log(
                `round ${round + 1} ${scenario} ${size} B ${impl}: ${fmtRate(steadyRate(report))} steady, ` +
                  `startup ${report.startupMs.toFixed(0)} ms${report.tailMs === undefined ? '' : `, tail ${report.tailMs.toFixed(0)} ms`}, cpu ${report.cpuSeconds.toFixed(2)} s${report.brokerCpuSeconds === undefined ? '' : ` (broker ${report.brokerCpuSeconds.toFixed(2)} s)`}, rss ${(report.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
              );
            } catch (error) {
              failures.push(
                `round ${round + 1} ${scenario} ${size} B ${impl}: ${error instanceof Error ? error.message : String(error)}`,
              );
              log(`FAILED ${failures.at(-1) ?? ''}`);
            }
          }
        }
      }
    }
    for (const scenario of ['A', 'C'] as const) {
      for (const impl of ['sluice', 'raw', 'flink'] as const) {
        if (!wanted('latency', impl) || (quick && impl === 'flink')) continue;
        await attempt(`latency ${scenario} ${impl}`, async () => {
          const row = await latency(ctx, { scenario, impl });
          latencies.push(row);
          log(
            `latency ${scenario} ${impl}: p50 ${row.summary.p50} ms, p99 ${row.summary.p99} ms (${row.summary.n} records)`,
          );
        });
      }
    }
    for (const scenario of ['A', 'C'] as const) {
      for (const impl of ['sluice', 'flink'] as const) {
        if (!wanted('D', impl) || (quick && impl === 'flink')) continue;
        try {
          const r = await recovery(ctx, { scenario, impl, size: 100 });
          recoveries.push(r);
          log(
            `D ${scenario} ${impl}: first commit ${r.firstCommitMs.toFixed(0)} ms after restart, replayed ${r.replayed}, output ${r.output}, exactly-once ${r.exactlyOnce} ${r.note ?? ''}`,
          );
        } catch (error) {
          failures.push(
            `D ${scenario} ${impl}: ${error instanceof Error ? error.message : String(error)}`,
          );
          log(`FAILED ${failures.at(-1) ?? ''}`);
        }
      }
    }
  } finally {
    clearInterval(loadTimer);
    killChildren();
    await Promise.all([server?.stop(), hdfs?.stop()]);
    await rm(work, { recursive: true, force: true });
  }
  loads.push(loadavg()[0] ?? 0);
  const minutes = (Date.now() - startedAt) / 60_000;
  const markdown = report({
    results,
    ceilings,
    puts,
    recoveries,
    latencies,
    failures,
    loads,
    minutes,
  });
  process.stdout.write(`${markdown}\n`);
  if (outFile !== undefined) await writeSection(outFile, section, markdown);
  if (imagesDir !== undefined) await charts(imagesDir, results, ceilings);
  log(
    `done in ${minutes.toFixed(1)} min${failures.length > 0 ? `, ${failures.length} failures` : ''}`,
  );
  if (failures.length > 0) process.exitCode = 1;
}

interface Collected {
  results: Map<Key, RunReport[]>;
  ceilings: Map<number, Ceiling[]>;
  /** `hdfs dfs -put` of C's output bytes, as input records per second. */
  puts: Map<number, number[]>;
  recoveries: Recovery[];
  latencies: LatencyRow[];
  failures: string[];
  loads: number[];
  minutes: number;
}

function stat(
  c: Collected,
  cell: Cell,
  pick: (r: RunReport) => number,
): { median: number; spread: number; n: number } {
  const { scenario, size, impl } = cell;
  const values = (c.results.get(key(scenario, size, impl)) ?? [])
    .map(pick)
    .filter((v) => Number.isFinite(v));
  return { median: median(values), spread: spreadPercent(values), n: values.length };
}

function report(c: Collected): string {
  const lines: string[] = [];
  const cpu = cpus();
  lines.push(`## ${title}`);
  lines.push('');
  lines.push(
    `Command: \`npm run bench${quick ? ' -- --quick' : ''}\` (this section: \`node bench/dist/connectors.js ${args.join(' ').replaceAll(`${resolve(benchRoot, '..')}/`, '')}\`). ` +
      `Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${c.minutes.toFixed(0)} min.`,
  );
  lines.push('');
  lines.push(
    `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM (${(freemem() / 2 ** 30).toFixed(0)} GiB free at the end), ` +
      `Node ${process.version}, Java 17, Kafka ${VERSIONS.kafka} (one KRaft broker from @sluice/testkit, on the same machine), Flink 2.2.1 + flink-connector-kafka 5.0.0-2.2. ` +
      `**1-minute load average during the run: median ${median(c.loads).toFixed(1)}, min ${Math.min(...c.loads).toFixed(1)}, max ${Math.max(...c.loads).toFixed(1)}** ` +
      "(sampled every 5 s; the machine was shared with other engineers' test suites, so absolute numbers are noise: compare the ratios, measured in the same run with the implementations interleaved, in an order rotated every round).",
  );
  lines.push('');
  lines.push(
    `Workload: ${SIZES.map((s) => `${(RECORDS[s] ?? 0).toLocaleString('en-US')} JSON records of ${s} B`).join(' and ')} in a topic with ${PARTITIONS} partitions; ` +
      'every job parses each record, drops ids divisible by 10, replaces `amount` by `cents`, upper-cases `country` and re-encodes the JSON. ' +
      'Parallelism 2 (Sluice: both subtasks of every operator on one event loop, the default; the "Sluice, 2 task threads" line runs the same job with `taskThreads: 2`, subtask i of every operator on thread i, the calling thread and one worker thread, so that B\'s keyBy hands records between the threads; Flink: two task slots in a MiniCluster), exactly-once, checkpoints every 1 s to local disk. ' +
      `${REPEATS} run${REPEATS > 1 ? 's' : ''} per cell, each in a fresh process; the output of every run is checked (read_committed count / lines in finished files).`,
  );
  lines.push('');
  lines.push(
    '- **A**: Kafka → parse → filter/map → Kafka, EXACTLY_ONCE (Sluice `KafkaSink`, Flink `KafkaSink` with a 15 min transaction timeout; the raw loop: kafkajs transactional producer, one transaction per second with `sendOffsets`).',
  );
  lines.push(
    '- **C**: Kafka → row-format `FileSink` (`SimpleStringEncoder`, default date-time bucket assigner, `OnCheckpointRollingPolicy` so that every checkpoint commits a finished part) on local disk; the raw loop appends each batch to one file per partition, fsyncs and commits offsets every second.',
  );
  lines.push(
    '- **B**: Kafka → parse → filter → keyBy user (1,000 users) → running count and sum of cents per user in two keyed `ValueState`s → JSON totals → Kafka, EXACTLY_ONCE (Flink: `KeyedProcessFunction` with the same states; the raw loop: a `Map`, not checkpointed).',
  );
  lines.push(
    "- **C-hdfs**: C on the testkit's HDFS (MiniDFSCluster, one DataNode, same machine): Sluice `FileSink` over WebHDFS (`WebHdfsFileSystem`); the raw loop appends each batch to one file per partition with the same WebHDFS client and flushes (WebHDFS APPEND) + commits offsets every second. Flink is not run on HDFS (its `hdfs://` file system needs Hadoop's client jars in bench/flink); its C row on local disk is the nearest figure. Ceiling: `hdfs dfs -put` of the same bytes (FsShell, Java RPC client), without FsShell's JVM start (rate = 3 copies / (put of 4 copies − put of 1 copy, one FsShell call each), so the JVM start cancels), as input records/s.",
  );
  lines.push(
    "- Throughput = records after the first fifth of the input (warm-up) / time from that point to the end of the job (output committed). Startup = process start → first record in the map (Sluice: the map counts its records in gauges, read through the job's metrics; the first record's time is exact, the warm-up mark is interpolated between the counts' samples, taken every 20 ms, every 100 ms on a task thread). CPU = user + system seconds of the job process over the whole run (JVM: `getProcessCpuTime`), per million input records. Peak RSS = `maxRSS` / `VmHWM`; both Node jobs (Sluice and the raw loop) run with `--max-semi-space-size=4`, the setting docs/operations.md recommends for every Sluice job (Node 20's default young generation is 4 × larger), Flink with `-Xmx1g`. Checkpoint duration: Sluice's `lastCheckpointDuration` metric, Flink's `checkpointDuration` from its CheckpointCoordinator's \"Completed checkpoint\" log lines (both trigger → completed, i.e. including the sinks' pre-commit), the raw loops' commit (`sendOffsets` + `commit` / fsync + `commitOffsets`).",
  );
  lines.push('');
  lines.push('### Throughput (median of runs, spread = (max − min) / median)');
  lines.push('');
  lines.push(
    '| Scenario | Record | Sluice (1 thread, the default) | raw kafkajs | Flink | Sluice / raw | Sluice / Flink | Sluice on 2 task threads (2 threads / 1) | Kafka tools consume / produce |',
  );
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  const measured = (scenario: Scenario, size: number): boolean =>
    IMPLS.some((impl) => (c.results.get(key(scenario, size, impl)) ?? []).length > 0);
  for (const scenario of SCENARIOS) {
    for (const size of SIZES) {
      if (!measured(scenario, size)) continue;
      const s = stat(c, { scenario, size, impl: 'sluice' }, steadyRate);
      const r = stat(c, { scenario, size, impl: 'raw' }, steadyRate);
      const f = stat(c, { scenario, size, impl: 'flink' }, steadyRate);
      const two = stat(c, { scenario, size, impl: 'sluice-2t' }, steadyRate);
      const ceil = c.ceilings.get(size) ?? [];
      const cell = (x: { median: number; spread: number; n: number }): string =>
        x.n === 0
          ? 'not run'
          : `${fmtRate(x.median)} ± ${x.spread.toFixed(0)} % (${((x.median * size) / 2 ** 20).toFixed(1)} MB/s)`;
      lines.push(
        `| ${scenario} | ${size} B | ${cell(s)} | ${cell(r)} | ${cell(f)} | **${ratio(s.median, r.median)}** | **${ratio(s.median, f.median)}** | ` +
          `${two.n === 0 ? 'not run' : `${fmtRate(two.median)} ± ${two.spread.toFixed(0)} % (${ratio(two.median, s.median)})`} | ` +
          (scenario === 'C-hdfs'
            ? `hdfs dfs -put ${fmtRate(median(c.puts.get(size) ?? []))} |`
            : `${fmtRate(median(ceil.map((x) => x.consume)))} / ${fmtRate(median(ceil.map((x) => x.produce)))} |`),
      );
    }
  }
  lines.push('');
  lines.push('### Resources (median of runs)');
  lines.push('');
  lines.push(
    '| Scenario | Record | Impl | Startup to first record | CPU s per M records | Peak RSS | Checkpoint / commit duration (median of all) | Sluice / peer: startup, CPU per record, RSS |',
  );
  lines.push('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const scenario of SCENARIOS) {
    for (const size of SIZES) {
      if (!measured(scenario, size)) continue;
      const base = {
        startup: stat(c, { scenario, size, impl: 'sluice' }, (r) => r.startupMs).median,
        cpu: stat(c, { scenario, size, impl: 'sluice' }, (r) => (r.cpuSeconds / r.records) * 1e6)
          .median,
        rss: stat(c, { scenario, size, impl: 'sluice' }, (r) => r.peakRssBytes).median,
      };
      for (const impl of IMPLS) {
        if ((c.results.get(key(scenario, size, impl)) ?? []).length === 0) continue;
        const startup = stat(c, { scenario, size, impl: impl }, (r) => r.startupMs).median;
        const cpuPerM = stat(
          c,
          { scenario, size, impl: impl },
          (r) => (r.cpuSeconds / r.records) * 1e6,
        ).median;
        const rss = stat(c, { scenario, size, impl: impl }, (r) => r.peakRssBytes).median;
        const checkpoints = (c.results.get(key(scenario, size, impl)) ?? []).flatMap(
          (r) => r.checkpointMs ?? [],
        );
        const vs =
          impl === 'sluice'
            ? '—'
            : `${ratio(base.startup, startup)}, ${ratio(base.cpu, cpuPerM)}, ${ratio(base.rss, rss)}`;
        lines.push(
          `| ${scenario} | ${size} B | ${IMPL_NAMES[impl]} | ${Number.isFinite(startup) ? `${(startup / 1000).toFixed(2)} s` : 'n/a'} | ${Number.isFinite(cpuPerM) ? cpuPerM.toFixed(1) : 'n/a'} | ` +
            `${Number.isFinite(rss) ? `${(rss / 2 ** 20).toFixed(0)} MiB` : 'n/a'} | ${checkpoints.length > 0 ? `${median(checkpoints).toFixed(0)} ms (${checkpoints.length})` : 'not observed'} | ${vs} |`,
        );
      }
    }
  }
  if (c.latencies.length > 0) {
    lines.push('');
    lines.push('### End-to-end latency of exactly-once output (100 B records)');
    lines.push('');
    lines.push(
      `A producer writes ${LATENCY.rate.toLocaleString('en-US')} records/s for ${LATENCY.seconds} s into a fresh topic while the job runs (records produced before the job's first record are not counted); latency = the moment a record became committed-visible − its timestamp (set when it was produced). ` +
        'A: seen by a `read_committed` consumer (`createReadCommittedConsumer`) of the output topic; C: the part file holding it appeared as a finished file (polled every 50 ms); the raw C loop has no finished files, so it measures its own fsync + offset commit. 1 s checkpoints / commits everywhere.',
    );
    lines.push('');
    lines.push('| Scenario | Impl | p50 | p99 | Records measured |');
    lines.push('| --- | --- | --- | --- | --- |');
    for (const row of c.latencies) {
      lines.push(
        `| ${row.scenario} | ${IMPL_NAMES[row.impl]} | ${row.summary.p50.toFixed(0)} ms | ${row.summary.p99.toFixed(0)} ms | ${row.summary.n.toLocaleString('en-US')} |`,
      );
    }
  }
  if (c.recoveries.length > 0) {
    lines.push('');
    lines.push('### D: recovery after SIGKILL (100 B records)');
    lines.push('');
    lines.push(
      'The job is killed with SIGKILL once 40 % of the input went through the map, then started again on the same checkpoint directory (Sluice: `restore: latest`; Flink: `execution.state-recovery.path` = newest retained `chk-<n>`). First committed output = restarted process spawn → first record visible to a `read_committed` consumer (A) / first new finished part file (C). Replayed = records processed before the kill (last progress report, ≤ 100 ms stale) + after the restart − input.',
    );
    lines.push('');
    lines.push(
      '| Scenario | Impl | Killed after (records) | Restart → first committed output | Records replayed | Committed output / expected | Exactly once |',
    );
    lines.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const r of c.recoveries) {
      lines.push(
        `| ${r.scenario} | ${IMPL_NAMES[r.impl]} | ${r.killedAfterRecords.toLocaleString('en-US')} | ${r.firstCommitMs > 0 ? `${(r.firstCommitMs / 1000).toFixed(2)} s` : 'none seen'} | ` +
          `${Number.isFinite(r.replayed) ? r.replayed.toLocaleString('en-US') : 'n/a'} | ${r.output} | ${r.exactlyOnce ? 'yes' : '**no**'}${r.note === undefined ? '' : ` (${r.note})`} |`,
      );
    }
  }
  lines.push('');
  if (imagesDir !== undefined) {
    lines.push('![Throughput per scenario](images/bench-throughput.png)');
    lines.push('');
    lines.push('![Startup and peak RSS](images/bench-resources.png)');
    lines.push('');
  }
  if (c.failures.length > 0) {
    lines.push('### Failures in this run');
    lines.push('');
    for (const f of c.failures) lines.push(`- ${f.split('\n')[0] ?? ''}`);
    lines.push('');
  }
  return lines.join('\n');
}

async function charts(
  dir: string,
  results: Map<Key, RunReport[]>,
  ceilings: Map<number, Ceiling[]>,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  const colors: Record<Impl, string> = {
    sluice: '#2b7bba',
    'sluice-2t': '#9cc7e6',
    raw: '#9bbf3b',
    flink: '#e6772e',
  };
  const med = (cell: Cell, pick: (r: RunReport) => number): number =>
    median((results.get(key(cell.scenario, cell.size, cell.impl)) ?? []).map(pick));
  const groups = SCENARIOS.flatMap((scenario) => SIZES.map((size) => ({ scenario, size })));
  await writePng(join(dir, 'bench-throughput.png'), {
    title: 'Steady-state throughput, exactly-once, 1 s checkpoints (same run)',
    unit: 'input records / s',
    series: IMPLS.map((impl) => ({ name: IMPL_NAMES[impl], color: colors[impl] })),
    groups: groups.map(({ scenario, size }) => ({
      label: `${scenario} · ${size} B`,
      values: IMPLS.map((impl) => med({ scenario, size, impl }, steadyRate)),
    })),
    ceiling: {
      name: 'Kafka ConsumerPerformance (ceiling; not drawn for C-hdfs)',
      values: groups.map(({ scenario, size }) =>
        scenario === 'C-hdfs'
          ? Number.NaN
          : median((ceilings.get(size) ?? []).map((x) => x.consume)),
      ),
    },
  });
  await writePng(join(dir, 'bench-resources.png'), {
    title: 'Startup to first record (s) and peak RSS (100 MiB units), A, B, C, 100 B',
    unit: 's  |  100 MiB',
    series: IMPLS.map((impl) => ({ name: IMPL_NAMES[impl], color: colors[impl] })),
    groups: (['A', 'B', 'C'] as const).flatMap((scenario) => [
      {
        label: `${scenario} startup (s)`,
        values: IMPLS.map((impl) => med({ scenario, size: 100, impl }, (r) => r.startupMs / 1000)),
      },
      {
        label: `${scenario} RSS (100 MiB)`,
        values: IMPLS.map((impl) =>
          med({ scenario, size: 100, impl }, (r) => r.peakRssBytes / (100 * 2 ** 20)),
        ),
      },
    ]),
  });
}

try {
  await main();
} catch (error) {
  killChildren();
  console.error(error);
  process.exitCode = 1;
}
