/**
 * Helpers shared by the bench scripts: statistics, the generated sections of docs/benchmarks.md,
 * and the JSON line a measured child process prints.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';

/** True with `--quick` on the command line or `npm run bench -- --quick` (npm passes it as `npm_config_quick`). */
/**
 * Node flags of every Node job process of the benchmarks, Sluice's and the raw loops' alike: the
 * young generation size docs/operations.md ("Memory") recommends for every Sluice job (and the demo
 * uses). Both peers get it, so the Sluice / raw ratios compare the same runtime settings.
 */
export const JOB_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];

export function isQuick(args: readonly string[]): boolean {
  return args.includes('--quick') || process.env['npm_config_quick'] === 'true';
}

/**
 * Checks a benchmark's command line before anything starts: `--help` prints `usage` and exits; an
 * argument that is neither one of `flags` nor one of `options` (each followed by its value) prints
 * what is wrong and `usage`, and exits with code 2 (a mistyped option must not start a long run).
 */
export function checkArgs(args: readonly string[], spec: { flags?: readonly string[]; options?: readonly string[]; usage: string }): void {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${spec.usage}\n`);
    process.exit(0);
  }
  const flags = new Set(['--quick', ...(spec.flags ?? [])]);
  const options = new Set(spec.options ?? []);
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (flags.has(arg)) continue;
    if (options.has(arg) && i + 1 < args.length) {
      i += 1;
      continue;
    }
    const what = options.has(arg) ? `${arg} needs a value` : `unknown argument ${JSON.stringify(arg)}`;
    process.stderr.write(`${what}\n${spec.usage}\n`);
    process.exit(2);
  }
}

/** The value after `name` on the command line (`--out file` → `file`), if any. */
export function argValue(args: readonly string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

/** Median of the finite values (NaN when there is none). */
export function median(values: readonly number[]): number {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Percentile (nearest rank) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Spread as (max − min) / median, in percent. */
export function spreadPercent(values: readonly number[]): number {
  if (values.length < 2) return 0;
  return ((Math.max(...values) - Math.min(...values)) / median(values)) * 100;
}

/**
 * Replaces the section `id` of a Markdown file (between `<!-- bench:<id>:begin -->` and
 * `<!-- bench:<id>:end -->`), appending it when absent, so several bench scripts share one file
 * without overwriting each other's sections or hand-written notes.
 */
export async function writeSection(file: string, id: string, markdown: string): Promise<void> {
  const begin = `<!-- bench:${id}:begin -->`;
  const end = `<!-- bench:${id}:end -->`;
  const block = `${begin}\n${markdown.trimEnd()}\n${end}`;
  const current = existsSync(file) ? await readFile(file, 'utf8') : '# Benchmarks\n';
  const from = current.indexOf(begin);
  const to = current.indexOf(end);
  const next =
    from >= 0 && to > from
      ? current.slice(0, from) + block + current.slice(to + end.length)
      : `${current.trimEnd()}\n\n${block}\n`;
  await writeFile(file, next);
}

/** What one measured job run reports (one JSON line on stdout). */
export interface RunReport {
  /** Input records processed. */
  records: number;
  /** First record → job end (output committed), s. */
  seconds: number;
  /** Records after the warm-up mark (the first fifth) and the time they took up to the end. */
  steadyRecords: number;
  steadySeconds: number;
  /** Process start → first record, ms. */
  startupMs: number;
  /** User + system CPU of the whole process, s. */
  cpuSeconds: number;
  peakRssBytes: number;
  /** Durations of the checkpoints completed during the run, ms (empty when not observable). */
  checkpointMs?: number[];
  /** Last input record → job end (output committed), ms (Node jobs). */
  tailMs?: number;
  /** CPU seconds of the Kafka broker during the run (set by the driver, local broker only). */
  brokerCpuSeconds?: number;
  /** End-to-end latency measured inside the job (when the driver cannot watch the output). */
  latency?: LatencySummary;
}

/** Percentiles of end-to-end latencies (record timestamp → committed-visible), ms. */
export interface LatencySummary {
  p50: number;
  p99: number;
  /** Records measured. */
  n: number;
}

export function latencySummary(values: readonly number[]): LatencySummary {
  return { p50: percentile(values, 50), p99: percentile(values, 99), n: values.length };
}

/** Records per second, formatted (`37.3 k/s`, `1.20 M/s`; `n/a` when not finite). */
export function fmtRate(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value >= 1e6 ? `${(value / 1e6).toFixed(2)} M/s` : `${(value / 1e3).toFixed(1)} k/s`;
}

/** `a / b` formatted as `1.18×` (`n/a` when either is missing). */
export function ratio(a: number, b: number): string {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a';
}

/** The last line of `stdout` that parses as a JSON object. */
export function lastJsonLine<T>(stdout: string): T {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    if (line.startsWith('{')) {
      try {
        return JSON.parse(line) as T;
      } catch {
        // not the report
      }
    }
  }
  throw new Error(`no JSON report in the output:\n${stdout.slice(-2000)}`);
}
