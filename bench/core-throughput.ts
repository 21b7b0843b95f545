/**
 * Core runtime throughput: records/s through source → map → filter → discarding sink at
 * parallelism 2, with and without 1 s checkpoints, against a hand-written loop doing the same
 * work on the same event loop. Each variant runs several times; median and spread are printed as a
 * Markdown table.
 *
 *   npm run bench -w @sluice/bench -- [--quick] [--out ../docs/benchmarks.md]
 *
 * (builds this file with tsc and runs the JS with plain `node`: under vite-node the core package
 * is transformed by vite and runs several times slower, which would measure vite, not Sluice).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { StreamExecutionEnvironment } from '@sluice/core';
import { NumberSource, YIELD_EVERY } from './number-source.js';
import { checkArgs, isQuick, writeSection } from './bench-lib.js';

const args = process.argv.slice(2);
checkArgs(args, { options: ['--child', '--out'], usage: 'usage: node dist/core-throughput.js [--quick] [--out <markdown file>] [--child plain|checkpointed|hand]' });
const quick = isQuick(args);
const childIndex = args.indexOf('--child');
const childVariant = childIndex >= 0 ? args[childIndex + 1] : undefined;
const outIndex = args.indexOf('--out');
const outFile = outIndex >= 0 ? args[outIndex + 1] : undefined;
// --quick is the CI smoke run (one run per variant): it checks that the bench runs, not the numbers.
const RECORDS = quick ? 10_000_000 : 200_000_000;
const REPEATS = quick ? 1 : 7;
const PARALLELISM = 2;

const mapFn = (x: number): number => x * 2 + 1;
const filterFn = (x: number): boolean => x % 3 !== 0;

async function runSluice(checkpoints: boolean): Promise<{ seconds: number; checkpoints: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-'));
  try {
    const env = StreamExecutionEnvironment.create({ parallelism: PARALLELISM });
    if (checkpoints) {
      env.enableCheckpointing(1000).getCheckpointConfig().setCheckpointStorage(dir).setRestore('none');
    }
    let seen = 0;
    env
      .addSource(new NumberSource(RECORDS / PARALLELISM))
      .uid('numbers')
      .map(mapFn)
      .filter(filterFn)
      .addSink({
        invoke(_value: number) {
          seen += 1;
        },
      });
    const started = performance.now();
    const result = await env.execute('bench');
    const seconds = (performance.now() - started) / 1000;
    if (seen === 0) throw new Error('sink saw nothing');
    return { seconds, checkpoints: result.lastCheckpointId ?? 0 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The same work by hand: two interleaved async loops calling the same functions. */
async function runHandLoop(): Promise<{ seconds: number; checkpoints: number }> {
  let seen = 0;
  const sink = (_value: number): void => {
    seen += 1;
  };
  const subtask = async (count: number): Promise<void> => {
    for (let i = 0; i < count; ) {
      const x = mapFn(i);
      if (filterFn(x)) sink(x);
      i += 1;
      if (i % YIELD_EVERY === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: PARALLELISM }, () => subtask(RECORDS / PARALLELISM)));
  const seconds = (performance.now() - started) / 1000;
  if (seen === 0) throw new Error('loop saw nothing');
  return { seconds, checkpoints: 0 };
}

interface Stats {
  name: string;
  rates: number[];
  median: number;
  min: number;
  max: number;
  checkpoints: number[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

type Run = () => Promise<{ seconds: number; checkpoints: number }>;

const VARIANTS: Readonly<Record<string, Run>> = {
  plain: () => runSluice(false),
  checkpointed: () => runSluice(true),
  hand: runHandLoop,
};

/** Runs one variant in a fresh Node process, so JIT state of one variant never helps or hurts another. */
async function runInChild(variant: string): Promise<{ seconds: number; checkpoints: number }> {
  const script = fileURLToPath(import.meta.url);
  const childArgs = [script, '--child', variant, ...(quick ? ['--quick'] : [])];
  const { stdout } = await promisify(execFile)(process.execPath, childArgs, { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { seconds: number; checkpoints: number };
}

/** Runs the variants round-robin, one fresh process per run, so load drift hits all of them alike. */
async function measureInterleaved(variants: readonly { name: string; variant: string }[]): Promise<Stats[]> {
  const rates = variants.map((): number[] => []);
  const taken = variants.map((): number[] => []);
  for (let i = 0; i < REPEATS; i += 1) {
    for (const [v, variant] of variants.entries()) {
      const { seconds, checkpoints } = await runInChild(variant.variant);
      rates[v]?.push(RECORDS / seconds);
      taken[v]?.push(checkpoints);
      process.stderr.write(`${variant.name} #${i + 1}: ${(RECORDS / seconds / 1e6).toFixed(2)} M records/s\n`);
    }
  }
  return variants.map((variant, v) => {
    const values = rates[v] ?? [];
    return {
      name: variant.name,
      rates: values,
      median: median(values),
      min: Math.min(...values),
      max: Math.max(...values),
      checkpoints: taken[v] ?? [],
    };
  });
}

const fmt = (rate: number): string => `${(rate / 1e6).toFixed(2)} M/s`;

/** Median over rounds of a[i] / b[i] (each round ran the variants back to back). */
function pairedRatio(a: Stats, b: Stats): number {
  return median(a.rates.map((rate, i) => rate / (b.rates[i] ?? Number.NaN)));
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0] ?? 0;
  const [plain, checkpointed, hand] = (await measureInterleaved([
    { name: 'sluice, no checkpoints', variant: 'plain' },
    { name: 'sluice, 1 s checkpoints', variant: 'checkpointed' },
    { name: 'hand-written loop', variant: 'hand' },
  ])) as [Stats, Stats, Stats];
  const loadAfter = loadavg()[0] ?? 0;
  const overhead = 1 - checkpointed.median / plain.median;
  const vsHand = plain.median / hand.median;
  const pairedOverhead = 1 - pairedRatio(checkpointed, plain);
  const pairedVsHand = pairedRatio(plain, hand);
  const command = `npm run bench -w @sluice/bench -- ${quick ? '--quick ' : ''}--out ../docs/benchmarks.md`;
  const lines = [
    '## Core runtime throughput',
    '',
    `Command: \`${command}\` (Node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ` +
      `${new Date().toISOString().slice(0, 10)}; 1-minute load average ${loadBefore.toFixed(1)} before, ` +
      `${loadAfter.toFixed(1)} after: a load above the core count means other processes competed for the CPU).`,
    '',
    `Pipeline: source → map (x·2+1) → filter (x mod 3 ≠ 0) → discarding (counting) sink, parallelism ${PARALLELISM} ` +
      `(one chain per subtask), ${(RECORDS / 1e6).toFixed(0)} M records per run, the source yielding to the ` +
      `event loop every ${YIELD_EVERY} records; ${REPEATS} runs per variant, variants interleaved run by run, each run in a fresh Node process after a warm-up run in that process. ` +
      'Checkpoints go to a local directory (the source keeps its offset in list state).',
    '',
    '| Variant | Median | Min – max | Runs (M records/s) | Checkpoints per run |',
    '| --- | --- | --- | --- | --- |',
    ...[plain, checkpointed, hand].map(
      (s) =>
        `| ${s.name} | ${fmt(s.median)} | ${fmt(s.min)} – ${fmt(s.max)} | ${s.rates.map((r) => (r / 1e6).toFixed(2)).join(', ')} | ${s.checkpoints.join(', ')} |`,
    ),
    '',
    `- Checkpoint overhead (1 − checkpointed/plain): **${(overhead * 100).toFixed(1)} %** from the medians, ` +
      `${(pairedOverhead * 100).toFixed(1)} % as the median of run-by-run ratios (goal < 5 %).`,
    `- Sluice vs the hand-written loop: **${vsHand.toFixed(2)}×** from the medians, ` +
      `${pairedVsHand.toFixed(2)}× as the median of run-by-run ratios (goal ≥ 0.5×).`,
    '',
  ];
  const markdown = lines.join('\n');
  process.stdout.write(`${markdown}\n`);
  if (outFile !== undefined) await writeSection(outFile, 'core-throughput', markdown);
}

/** Child mode: one warm-up run and one measured run of a variant; prints the measurement as JSON. */
async function child(variant: string): Promise<void> {
  const run = VARIANTS[variant];
  if (run === undefined) throw new Error(`unknown variant ${variant}`);
  await run();
  process.stdout.write(`${JSON.stringify(await run())}\n`);
}

if (childVariant === undefined) await main();
else await child(childVariant);
