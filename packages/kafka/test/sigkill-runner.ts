// Shared by the SIGKILL tests: runs the Kafka → Kafka job in a child process, kills it at seeded
// random points, restarts it until it finishes, and counts the output.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Admin, Kafka } from 'kafkajs';
import { bundleJob, seededRandom } from '@sluice/testkit/conformance';
import { lastPositions, lastWriterThreads, readCommittedUntilMarkers, readerRedeliveries } from './helpers.js';
import type { KafkaToKafkaJobOptions } from './jobs/kafka-to-kafka-job.js';

const here = dirname(fileURLToPath(import.meta.url));
const viteNode = join(dirname(createRequire(import.meta.url).resolve('vite-node/package.json')), 'vite-node.mjs');
const running = new Set<ChildProcess>();

/** SIGKILLs every child still running (call from afterAll). */
export function killAllChildren(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** When to kill a run: some time after spawning, or some time after its first record. */
export type KillPlan = { readonly after: 'spawn' | 'first-record'; readonly ms: number } | undefined;

const entry = join(here, 'jobs', 'run-kafka-to-kafka-job.ts');

/**
 * How a child starts: vite-node on the TypeScript entry, or node on its bundle (a job on task
 * threads: worker threads import the entry as the pipeline module and cannot load TypeScript).
 */
type Launcher = readonly string[];

function runChild(options: KafkaToKafkaJobOptions, launch: { launcher: Launcher; plan: KillPlan }): Promise<{ killed: boolean; code: number | null; output: string }> {
  const { plan } = launch;
  const child = spawn(process.execPath, [...launch.launcher, JSON.stringify(options)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let stderr = '';
  let stdout = '';
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
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (plan?.after === 'first-record' && timer === undefined && stdout.includes('first-record')) arm(plan.ms);
    });
    child.on('exit', (code) => {
      if (timer !== undefined) clearTimeout(timer);
      running.delete(child);
      resolve({ killed, code, output: `${stderr}\nstdout: ${stdout.slice(-1000)}` });
    });
  });
}

/** What {@link killAndRestartUntilDone} reports. */
export interface SigkillReport {
  readonly kills: number;
  readonly finished: boolean;
  readonly log: string[];
  /** Output values read with read_committed up to a committed marker per partition. */
  readonly output: string[];
  readonly duplicates: number;
  readonly missing: number;
  /** Output partition → the `thread` headers (writing threadIds) of its records, sorted. */
  readonly writerThreads: Readonly<Record<number, string[]>>;
}

/** Kills `kills` runs at seeded points, then lets one run finish, and reads the output back. */
export async function killAndRestartUntilDone(input: {
  job: KafkaToKafkaJobOptions;
  kills: number;
  seed: number;
  expected: readonly string[];
  kafka: Kafka;
  admin: Admin;
}): Promise<SigkillReport> {
  const next = seededRandom(input.seed);
  const log: string[] = [];
  let kills = 0;
  let finished = false;
  const bundle = (input.job.taskThreads ?? 1) > 1 ? await bundleJob(entry, { link: ['@sluice/core', '@sluice/kafka'] }) : undefined;
  const launcher: Launcher = bundle === undefined ? [viteNode, entry] : [bundle];
  try {
    for (let attempt = 0; attempt < input.kills + 10 && !finished; attempt += 1) {
      // one kill in five lands during start-up or recovery, the others 0-1.5 s into the data
      let plan: KillPlan;
      if (kills < input.kills) {
        plan = next() < 0.2 ? { after: 'spawn', ms: 300 + Math.floor(next() * 2500) } : { after: 'first-record', ms: Math.floor(next() * 1500) };
      }
      const run = await runChild(input.job, { launcher, plan });
      log.push(`${run.killed ? 'killed' : 'exited'}@${plan === undefined ? '-' : `${plan.after}+${plan.ms}`}:${run.code}`);
      if (run.killed) kills += 1;
      else if (run.code === 0) finished = true;
      else throw new Error(`the job failed (exit ${run.code}) after ${log.join(', ')}; output: ${run.output}`);
    }
  } finally {
    if (bundle !== undefined) await rm(dirname(bundle), { recursive: true, force: true });
  }
  const before = readerRedeliveries.count;
  const output = await readCommittedUntilMarkers(input.kafka, input.admin, input.job.output);
  log.push(`reader redeliveries: ${readerRedeliveries.count - before}`);
  const counts = new Map<string, number>();
  for (const v of output) counts.set(v, (counts.get(v) ?? 0) + 1);
  let duplicates = 0;
  for (const [value, n] of counts) {
    if (n > 1) {
      duplicates += n - 1;
      if (duplicates <= 5) log.push(`duplicate ${value} at ${lastPositions.get(value)?.join(', ')}`);
    }
  }
  const missing = input.expected.filter((v) => !counts.has(v)).length;
  const writerThreads = Object.fromEntries([...lastWriterThreads].map(([partition, threads]) => [partition, [...threads].sort()]));
  return { kills, finished, log, output, duplicates, missing, writerThreads };
}
