// The end goal: a Kafka → Kafka EXACTLY_ONCE job run as a child process, SIGKILLed at seeded
// random points and restarted (same job name and checkpoint directory) until it finishes; an
// independent read_committed reader then sees every input record exactly once.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DeliveryGuarantee } from '../src/sink/kafka-sink.js';
import { brokers, createTopic, kafkaClient, lastPositions, readCommittedUntilMarkers, readerRedeliveries, uniqueName } from './helpers.js';
import type { KafkaToKafkaJobOptions } from './jobs/kafka-to-kafka-job.js';

const KILLS = Number(process.env['SLUICE_KAFKA_KILLS'] ?? '8');
const SEED = Number(process.env['SLUICE_KAFKA_SEED'] ?? '20261127');
const RECORDS = 40_000;

let admin: Admin;
let kafka: Kafka;
let dir: string;
const children = new Set<ChildProcess>();
beforeAll(async () => {
  kafka = kafkaClient();
  admin = kafka.admin();
  await admin.connect();
  dir = await mkdtemp(join(tmpdir(), 'sluice-kafka-sigkill-'));
});
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await admin.disconnect();
  await rm(dir, { recursive: true, force: true });
});

/** mulberry32: a small seeded generator, so a failing kill plan can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const here = dirname(fileURLToPath(import.meta.url));
const viteNode = join(dirname(createRequire(import.meta.url).resolve('vite-node/package.json')), 'vite-node.mjs');

/** When to kill a run: some time after spawning, or some time after its first record. */
type KillPlan = { readonly after: 'spawn' | 'first-record'; readonly ms: number } | undefined;

/** Starts the job; resolves with its exit code, or 'killed' when the plan fired first. */
function runChild(options: KafkaToKafkaJobOptions, plan: KillPlan): Promise<{ outcome: 'killed' | 'exited'; code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [viteNode, join(here, 'jobs', 'run-kafka-to-kafka-job.ts'), JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  return new Promise((resolve) => {
    let killed = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = (ms: number): void => {
      timer = setTimeout(() => {
        killed = true;
        child.kill('SIGKILL');
      }, ms);
    };
    if (plan?.after === 'spawn') arm(plan.ms);
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (plan?.after === 'first-record' && timer === undefined && stdout.includes('first-record')) arm(plan.ms);
    });
    child.on('exit', (code) => {
      if (timer !== undefined) clearTimeout(timer);
      children.delete(child);
      resolve({ outcome: killed ? 'killed' : 'exited', code, stderr: `${stderr}\nstdout: ${stdout.slice(-2000)}` });
    });
  });
}

it(`EXACTLY_ONCE survives ${KILLS} SIGKILLs at seeded random points (seed ${SEED}): read_committed sees every record exactly once`, async () => {
  const input = await createTopic(admin, { partitions: 2 });
  const output = await createTopic(admin, { partitions: 2 });
  const values = Array.from({ length: RECORDS }, (_, i) => `k${i}`);
  const producer = kafka.producer();
  await producer.connect();
  for (let start = 0; start < values.length; start += 5000) {
    await producer.send({
      topic: input,
      messages: values.slice(start, start + 5000).map((value, i) => ({ value, partition: (start + i) % 2 })),
    });
  }
  await producer.send({ topic: input, messages: [{ value: 'END', partition: 0 }, { value: 'END', partition: 1 }] });
  await producer.disconnect();

  const options: KafkaToKafkaJobOptions = {
    brokers: brokers(),
    input,
    output,
    groupId: uniqueName('group'),
    jobName: uniqueName('job'),
    checkpointDir: join(dir, 'checkpoints'),
    parallelism: 2,
    deliveryGuarantee: DeliveryGuarantee.EXACTLY_ONCE,
    transactionalIdPrefix: uniqueName('eo'),
    checkpointIntervalMs: 150,
    throttle: { everyRecords: 250, sleepMs: 50 },
    announceFirstRecord: true,
  };
  const next = random(SEED);
  const outcomes: string[] = [];
  let kills = 0;
  let finished = false;
  for (let attempt = 0; attempt < KILLS + 10 && !finished; attempt += 1) {
    // one kill in five lands during start-up or recovery, the others 0-1.5 s into the data
    let plan: KillPlan;
    if (kills < KILLS) {
      plan = next() < 0.2 ? { after: 'spawn', ms: 300 + Math.floor(next() * 2500) } : { after: 'first-record', ms: Math.floor(next() * 1500) };
    }
    const run = await runChild(options, plan);
    outcomes.push(`${run.outcome}@${plan === undefined ? '-' : `${plan.after}+${plan.ms}`}:${run.code}`);
    if (run.outcome === 'killed') kills += 1;
    else if (run.code === 0) {
      finished = true;
      outcomes.push(run.stderr.slice(-600));
    }
    else throw new Error(`the job failed (exit ${run.code}) after ${outcomes.join(', ')}; stderr: ${run.stderr}`);
  }
  expect(finished, `job did not finish: ${outcomes.join(', ')}`).toBe(true);
  expect(kills, `kill plan: ${outcomes.join(', ')}`).toBe(KILLS);
  const read = await readCommittedUntilMarkers(kafka, admin, output);
  outcomes.push(`reader redeliveries: ${readerRedeliveries.count}`);
  // the figure for the report: kill plan, restarts, and reader redeliveries (same position handed twice)
  console.info(`[sigkill] seed ${SEED}, ${kills} kills: ${outcomes.join(' | ')}`);
  const counts = new Map<string, number>();
  for (const v of read) counts.set(v, (counts.get(v) ?? 0) + 1);
  const duplicates = [...counts].filter(([, n]) => n > 1).length;
  for (const [value, n] of counts) if (n > 1) outcomes.push(`duplicate ${value} at ${lastPositions.get(value)?.join(', ')}`);
  const missing = values.filter((v) => !counts.has(v.toUpperCase())).length;
  expect({ duplicates, missing, total: read.length }, outcomes.join(" | ")).toEqual({ duplicates: 0, missing: 0, total: RECORDS });
}, 600_000);
