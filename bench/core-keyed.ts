/**
 * Keyed runtime throughput: records/s through source → keyBy → per-key sum (ValueState) →
 * discarding sink at parallelism 2, with and without 1 s checkpoints, against a hand-written loop
 * doing the same aggregation in a `Map`; and the checkpoint of a keyed state of 1 M keys (size and
 * duration). Every run is a fresh Node process (no JIT state shared between variants).
 *
 *   npm run build -w @sluice/bench && node bench/dist/core-keyed.js [--quick] [--out docs/benchmarks.md]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { StreamExecutionEnvironment } from '@sluice/core';
import { keyedPipeline } from './keyed-pipeline.js';
import type { KeyedPipelineArgs } from './keyed-pipeline.js';
import { YIELD_EVERY } from './number-source.js';
import { checkArgs, isQuick, median, writeSection } from './bench-lib.js';

const args = process.argv.slice(2);
checkArgs(args, {
  options: ['--child', '--out'],
  usage: 'usage: node dist/core-keyed.js [--quick] [--out <markdown file>] [--child plain|checkpointed|threads|threadsCheckpointed|hand|bigState]',
});
const quick = isQuick(args);
const childIndex = args.indexOf('--child');
const childVariant = childIndex >= 0 ? args[childIndex + 1] : undefined;
const outIndex = args.indexOf('--out');
const outFile = outIndex >= 0 ? args[outIndex + 1] : undefined;
// --quick is the CI smoke run (one run per variant): it checks that the bench runs, not the numbers.
const RECORDS = quick ? 1_000_000 : 20_000_000;
const KEYS = 10_000;
const BIG_STATE_KEYS = quick ? 100_000 : 1_000_000;
const REPEATS = quick ? 1 : 5;
const PARALLELISM = 2;

/** Sum per key in a ValueState; emits the new sum. */
interface Measured {
  seconds: number;
  /** CPU seconds (user + system) of the process during the run: steadier than wall time on a shared machine. */
  cpuSeconds: number;
  checkpoints: number;
  checkpointBytes?: number;
  checkpointMs?: number;
}

async function runSluice(options: { checkpoints: boolean; keys: number; records: number; threads?: number }): Promise<Measured> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-keyed-'));
  try {
    const threads = options.threads ?? 1;
    const env = StreamExecutionEnvironment.create({ parallelism: PARALLELISM, taskThreads: threads });
    if (options.checkpoints) {
      env.enableCheckpointing(1000).getCheckpointConfig().setCheckpointStorage(dir).setRestore('none');
    }
    const args: KeyedPipelineArgs = { recordsPerSubtask: options.records / PARALLELISM, keys: options.keys };
    if (threads > 1) await env.addPipeline(new URL('./keyed-pipeline.js', import.meta.url), { args, exportName: 'keyedPipeline' });
    else keyedPipeline(env, args);
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const result = await env.execute('bench-keyed');
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = cpuSecondsSince(cpuBefore);
    const metric = (name: string): number | undefined => {
      const value = result.metrics[`bench-keyed.${name}`];
      return typeof value === 'number' ? value : undefined;
    };
    const seen = Array.from({ length: PARALLELISM }, (_, i) => metric(`discard.${i}.numRecordsIn`) ?? 0).reduce((a, b) => a + b);
    if (seen !== options.records) throw new Error(`the sink saw ${seen} of ${options.records} records`);
    const checkpointBytes = metric('lastCheckpointSize');
    const checkpointMs = metric('lastCheckpointDuration');
    return {
      seconds,
      cpuSeconds,
      checkpoints: result.lastCheckpointId ?? 0,
      ...(checkpointBytes === undefined ? {} : { checkpointBytes }),
      ...(checkpointMs === undefined ? {} : { checkpointMs }),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The same aggregation by hand: two interleaved async loops, each with a Map of sums. */
async function runHandLoop(): Promise<Measured> {
  let seen = 0;
  const subtask = async (start: number, count: number): Promise<void> => {
    const sums = new Map<number, number>();
    for (let i = 0; i < count; ) {
      const value = start + i * PARALLELISM;
      const key = value % KEYS;
      const next = (sums.get(key) ?? 0) + value;
      sums.set(key, next);
      seen += 1;
      i += 1;
      if (i % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(Array.from({ length: PARALLELISM }, (_, s) => subtask(s, RECORDS / PARALLELISM)));
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = cpuSecondsSince(cpuBefore);
  if (seen === 0) throw new Error('loop saw nothing');
  return { seconds, cpuSeconds, checkpoints: 0 };
}

function cpuSecondsSince(before: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

const VARIANTS: Readonly<Record<string, () => Promise<Measured>>> = {
  plain: () => runSluice({ checkpoints: false, keys: KEYS, records: RECORDS }),
  threads: () => runSluice({ checkpoints: false, keys: KEYS, records: RECORDS, threads: PARALLELISM }),
  checkpointed: () => runSluice({ checkpoints: true, keys: KEYS, records: RECORDS }),
  threadsCheckpointed: () => runSluice({ checkpoints: true, keys: KEYS, records: RECORDS, threads: PARALLELISM }),
  hand: runHandLoop,
  // 1 M keys, a final checkpoint at the end of input holds all of them.
  bigState: () => runSluice({ checkpoints: true, keys: BIG_STATE_KEYS, records: 2 * BIG_STATE_KEYS }),
};

async function runInChild(variant: string): Promise<Measured> {
  const script = fileURLToPath(import.meta.url);
  const childArgs = ['--max-old-space-size=4096', script, '--child', variant, ...(quick ? ['--quick'] : [])];
  const { stdout } = await promisify(execFile)(process.execPath, childArgs, { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Measured;
}

const fmt = (rate: number): string => `${(rate / 1e6).toFixed(2)} M/s`;

async function main(): Promise<void> {
  const loadBefore = loadavg()[0] ?? 0;
  const names = ['plain', 'checkpointed', 'threads', 'threadsCheckpointed', 'hand'] as const;
  const perVariant = (): Record<string, number[]> => Object.fromEntries(names.map((name) => [name, []]));
  const rates = perVariant();
  const taken = perVariant();
  /** CPU nanoseconds per record. */
  const cpuPerRecord = perVariant();
  for (let i = 0; i < REPEATS; i += 1) {
    for (const name of names) {
      const measured = await runInChild(name);
      rates[name]?.push(RECORDS / measured.seconds);
      taken[name]?.push(measured.checkpoints);
      cpuPerRecord[name]?.push((measured.cpuSeconds / RECORDS) * 1e9);
      process.stderr.write(`${name} #${i + 1}: ${(RECORDS / measured.seconds / 1e6).toFixed(2)} M records/s\n`);
    }
  }
  const big = await runInChild('bigState');
  const loadAfter = loadavg()[0] ?? 0;
  const m = (name: string): number => median(rates[name] ?? []);
  const paired = (a: string, b: string): number =>
    median((rates[a] ?? []).map((rate, i) => rate / ((rates[b] ?? [])[i] ?? Number.NaN)));
  /** `a`'s rate over the hand loop's: from the medians, and run by run. */
  const ratio = (a: string): string => `${(m(a) / m('hand')).toFixed(2)}× (${paired(a, 'hand').toFixed(2)}× run by run)`;
  const overhead = (a: string, b: string): string =>
    `${((1 - m(a) / m(b)) * 100).toFixed(1)} % (${((1 - paired(a, b)) * 100).toFixed(1)} % run by run)`;
  const cpuRatio = (a: string): string => `${(median(cpuPerRecord.hand ?? []) / median(cpuPerRecord[a] ?? [])).toFixed(2)}×`;
  const label: Record<string, string> = {
    plain: 'sluice keyed, no checkpoints',
    checkpointed: 'sluice keyed, 1 s checkpoints',
    threads: `sluice keyed, no checkpoints, ${PARALLELISM} task threads`,
    threadsCheckpointed: `sluice keyed, 1 s checkpoints, ${PARALLELISM} task threads`,
    hand: 'hand-written loop with a Map',
  };
  const command = `npm run build -w @sluice/bench && node bench/dist/core-keyed.js ${quick ? '--quick ' : ''}--out docs/benchmarks.md`;
  const lines = [
    '## Core keyed throughput',
    '',
    `Command: \`${command}\` (Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ` +
      `${new Date().toISOString().slice(0, 10)}; 1-minute load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after).`,
    '',
    `Pipeline: source (parallelism ${PARALLELISM}) → keyBy (x mod ${KEYS}, number keys) → per-key sum in a ValueState → ` +
      `discarding sink, parallelism ${PARALLELISM}; ${(RECORDS / 1e6).toFixed(0)} M records per run; ${REPEATS} runs per variant, ` +
      'interleaved, each in a fresh Node process after a warm-up run (on task threads the warm-up job\'s worker runs the measured ' +
      'job, as it runs the next job of a process). The hand-written loop keeps the sums in a `Map` per "subtask" ' +
      '(one thread; no exchange, no serialization, no state backend).',
    '',
    '| Variant | Median | Runs (M records/s) | CPU per record (median) | Checkpoints per run |',
    '| --- | --- | --- | --- | --- |',
    ...names.map(
      (name) =>
        `| ${label[name]} | ${fmt(m(name))} | ${(rates[name] ?? []).map((r) => (r / 1e6).toFixed(2)).join(', ')} | ` +
        `${median(cpuPerRecord[name] ?? []).toFixed(0)} ns | ${(taken[name] ?? []).join(', ')} |`,
    ),
    '',
    `- The issue's job (1 s checkpoints, parallelism ${PARALLELISM}) vs the hand-written loop (goal ≥ 0.5×): ` +
      `**${ratio('threadsCheckpointed')}** on ${PARALLELISM} task threads (\`env.setTaskThreads(${PARALLELISM})\`), ` +
      `**${ratio('checkpointed')}** on one thread. Without checkpoints: ${ratio('threads')} and ${ratio('plain')}.`,
    `- Checkpoint overhead (1 − checkpointed/plain, goal < 5 %): **${overhead('checkpointed', 'plain')}** on one thread, ` +
      `**${overhead('threadsCheckpointed', 'threads')}** on ${PARALLELISM} task threads.`,
    `- CPU per record, the hand-written loop's over Sluice's (the process's user + system time, garbage collection and the task ` +
      `threads included: steadier than wall time when other processes compete for the cores): ${cpuRatio('checkpointed')} one ` +
      `thread, ${cpuRatio('threadsCheckpointed')} on ${PARALLELISM} task threads (which use both cores: subtask i of each ` +
      'operator runs on thread i, and the keyBy exchange copies the records that change thread through shared memory).',
    `- Keyed state of ${BIG_STATE_KEYS / 1e6} M keys (one number each): the final checkpoint wrote ` +
      `**${((big.checkpointBytes ?? Number.NaN) / 1e6).toFixed(1)} MB** in **${(big.checkpointMs ?? Number.NaN).toFixed(0)} ms** ` +
      `(trigger → durable metadata; ${big.checkpoints} checkpoints in a ${big.seconds.toFixed(1)} s run of ${(2 * BIG_STATE_KEYS) / 1e6} M records).`,
    '',
  ];
  const markdown = lines.join('\n');
  process.stdout.write(`${markdown}\n`);
  if (outFile !== undefined) await writeSection(outFile, 'core-keyed', markdown);
}

async function child(variant: string): Promise<void> {
  const run = VARIANTS[variant];
  if (run === undefined) throw new Error(`unknown variant ${variant}`);
  if (variant !== 'bigState') await run();
  process.stdout.write(`${JSON.stringify(await run())}\n`);
}

if (childVariant === undefined) await main();
else await child(childVariant);
