// Kafka → HDFS exactly once: the fault-test job (jobs/file-sink-job.ts with SLUICE_SOURCE=kafka)
// reads a topic of a real Kafka broker (testkit, started here) into a FileSink on the real HDFS
// (checkpoints on HDFS too), and is SIGKILLed at seeded points: timers and the injected points of
// the sink, the file system and the checkpoint storage. Before every run the test appends a wave of
// new records to the topic; only after the planned kills does it write the END records that let
// the job finish, so every kill happens. Then Hadoop's own FsShell `-cat` reads the finished files:
// every record exactly once.
//
// SLUICE_KAFKA_HDFS_KILLS=<n> sets the number of kills (soak); SLUICE_CHAOS_SEED=<n> the seed.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createKafkaTopic, startKafka } from '@sluice/testkit';
import type { KafkaServer } from '@sluice/testkit';
import { Kafka, logLevel } from 'kafkajs';
import type { Producer } from 'kafkajs';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { readFinishedWithFsShell } from './helpers/fs-shell-finished.js';
import { checkExactlyOnce, describeExactlyOnce, isExactlyOnceReport } from './helpers/exactly-once.js';
import { bundleScript, JobProcesses, seeded } from './jobs/job-processes.js';
import type { JobRun } from './jobs/job-processes.js';
import type { FileSinkKillPoint } from './jobs/kill-switch.js';

const KILLS = Number(process.env['SLUICE_KAFKA_HDFS_KILLS'] ?? '20');
const SEED = Number(process.env['SLUICE_CHAOS_SEED'] ?? '1');
const WAVE = 150;

/** Injected points that every run passes (the job keeps checkpointing while it waits for data). */
const POINTS: Record<Exclude<FileSinkKillPoint, 'fs.truncated'>, number> = {
  'source.emit': 2 * WAVE,
  'fs.write-partial': 4, // one output write per 16 KiB of records or per checkpoint
  'fs.created': 3,
  'fs.flushed': 4,
  'sink.snapshot-done': 4,
  'storage.metadata-committed': 4,
  'sink.notify': 4,
  'fs.renamed': 2,
};

type Kill = { readonly point: string; readonly backstopMs: number } | { readonly afterMs: number };

function drawKills(seed: number, count: number): Kill[] {
  const random = seeded(seed);
  const points = Object.entries(POINTS);
  return Array.from({ length: count }, (): Kill => {
    if (random() < 0.4) return { afterMs: Math.round(1200 + random() * 2500) };
    const [point, range] = points[Math.floor(random() * points.length)] as [string, number];
    // A point not reached in time (e.g. no part to rename yet) is backed by a timer kill.
    return { point: `${point}:${1 + Math.floor(random() * range)}`, backstopMs: 4000 };
  });
}

let kafkaServer: KafkaServer | undefined;
let producer: Producer | undefined;
let jobs: JobProcesses | undefined;
let dir: string | undefined;

beforeAll(async () => {
  const [server, script] = await Promise.all([startKafka({ useExternal: false }), bundleScript(new URL('./jobs/file-sink-job.ts', import.meta.url))]);
  kafkaServer = server;
  jobs = new JobProcesses(script);
  const kafka = new Kafka({ clientId: 'kafka-to-hdfs-test', brokers: [...server.bootstrapServers], logLevel: logLevel.NOTHING });
  producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 }); // a retried send right after topic creation must not duplicate input
  await producer.connect();
  dir = await mkdtemp(join(tmpdir(), 'sluice-kafka-hdfs-'));
}, 300_000);

afterAll(async () => {
  jobs?.stopAll();
  await producer?.disconnect();
  await kafkaServer?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

function outcome(run: JobRun): string {
  if (run.signal === 'SIGKILL') return `killed ${run.killedAt !== undefined ? `at ${run.killedAt}` : 'by timer'} after ${run.elapsedMs} ms`;
  return `exit ${String(run.exitCode)} after ${run.elapsedMs} ms`;
}

it(`Kafka → FileSink on HDFS: ${KILLS} seeded SIGKILLs, restarted until done, every record exactly once (FsShell -cat)`, { timeout: 900_000 }, async () => {
  const server = kafkaServer as KafkaServer;
  const send = producer as Producer;
  const topic = `numbers-${randomUUID()}`;
  await createKafkaTopic({ brokers: [...server.bootstrapServers], topic, partitions: 2 });
  const hdfs = inject('sluiceHdfs');
  const out = `/kafka-sigkill-${randomUUID()}/out`;
  const env = {
    // @sluice/kafka finds kafkajs's files with createRequire(import.meta.url): from the bundle in
    // a temporary directory that needs the repository's node_modules on NODE_PATH.
    NODE_PATH: dirname(dirname(createRequire(import.meta.url).resolve('kafkajs/package.json'))),
    SLUICE_JOB_DIR: dir as string,
    SLUICE_SOURCE: 'kafka',
    SLUICE_KAFKA_BROKERS: server.bootstrapServers.join(','),
    SLUICE_KAFKA_TOPIC: topic,
    SLUICE_TARGET: 'hdfs',
    SLUICE_WEBHDFS_URL: hdfs.webhdfsUrl,
    SLUICE_HDFS_USER: hdfs.user,
    SLUICE_OUT: out,
    SLUICE_CHECKPOINTS: 'target',
    SLUICE_CHECKPOINT_INTERVAL_MS: '150',
    SLUICE_PARALLELISM: '2',
    SLUICE_PAUSE_EVERY: '2',
    SLUICE_PART_BYTES: '1500',
  };
  let produced = 0;
  const wave = async (count: number): Promise<void> => {
    const messages = Array.from({ length: count }, (_, i) => ({ value: String(produced + i), partition: (produced + i) % 2 }));
    await send.send({ topic, messages });
    produced += count;
  };

  const log: string[] = [];
  let kills = 0;
  for (const kill of drawKills(SEED, KILLS)) {
    await wave(WAVE);
    const run = await jobs!.run(
      { ...env, SLUICE_KILL_AT: 'point' in kill ? kill.point : '' },
      { killAfterMs: 'point' in kill ? kill.backstopMs : kill.afterMs, timeoutMs: 120_000 },
    );
    log.push(`${'point' in kill ? kill.point : `timer ${kill.afterMs} ms`} → ${outcome(run)}`);
    if (run.signal !== 'SIGKILL') throw new Error(`a run ended without being killed:\n${log.join('\n')}\nstderr:\n${run.stderr.slice(-4000)}`);
    kills += 1;
  }
  await wave(WAVE);
  await send.send({ topic, messages: [{ value: 'END', partition: 0 }, { value: 'END', partition: 1 }] });
  const last = await jobs!.run({ ...env, SLUICE_KILL_AT: '' }, { timeoutMs: 120_000 });
  log.push(`final run → ${outcome(last)}`);
  expect(last.stdout, `${log.join('\n')}\nstderr:\n${last.stderr.slice(-4000)}`).toContain('JOB_FINISHED');

  const finished = await readFinishedWithFsShell(hdfs, out);
  const report = checkExactlyOnce({ ...finished, total: produced });
  expect(isExactlyOnceReport(report), `${describeExactlyOnce(report)}\n${log.join('\n')}`).toBe(true);
  expect(kills).toBeGreaterThanOrEqual(KILLS);
  process.stdout.write(`Kafka → HDFS SIGKILL: ${kills} kills, ${produced} records exactly once (seed ${SEED})\n${log.join('\n')}\n`);
});
