/**
 * Keyed streams under SIGKILL: source → event-time watermarks → keyBy → per-key running sum with
 * event-time timers (keyed state and timers in checkpoints) → exactly-once two-phase-commit file
 * sink. The job is killed at seeded random moments and injected points, restarted until it
 * finishes, and its committed output must equal a failure-free run's line for line (sorted: lines
 * of different keys interleave differently from run to run; lines of one key keep their order).
 * Some scenarios also change the keyed operator's parallelism between runs (rescale on restore).
 *
 * `SLUICE_CHAOS_RUNS=<kills>` turns the seeded part into a soak; `SLUICE_CHAOS_SEED=<n>` replays.
 */
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compareOutput,
  describeComparison,
  describeKill,
  drawKill,
  seededRandom,
  type KillPlanStep,
} from '@sluice/testkit/conformance';
import { KILL_POINTS } from './jobs/kill-points.js';
import { useChaosSuite } from './helpers/chaos-suite.js';

const COUNT = 4000;
// Even: every key is fed by one source subtask (value parity), so its running sums are deterministic.
const KEYS = 12;
const WINDOW_MS = 50;
const KILLS_PER_SCENARIO = 3;
const CI_SEEDED_SCENARIOS = 12;
const MIN_CI_KILLS = 30;
const CONCURRENCY = 4;
const RUN_TIMEOUT_MS = 60_000;

const soakKills = Number(process.env['SLUICE_CHAOS_RUNS'] ?? '0');
const firstSeed = Number(process.env['SLUICE_CHAOS_SEED'] ?? '1');
const verbose = process.env['SLUICE_CHAOS_VERBOSE'] === '1';
const seededScenarios =
  soakKills > 0 ? Math.ceil((soakKills * 1.15) / KILLS_PER_SCENARIO) : CI_SEEDED_SCENARIOS;

const suite = useChaosSuite(new URL('./jobs/keyed-sum-job.ts', import.meta.url));
const { workDirs } = suite;

/** The output of a failure-free run, computed (sorted lines). */
function expectedOutput(): string[] {
  const sums = new Map<string, number>();
  const windows = new Map<string, number>();
  const lines: string[] = [];
  for (let value = 0; value < COUNT; value += 1) {
    const key = `k${value % KEYS}`;
    const sum = (sums.get(key) ?? 0) + value;
    sums.set(key, sum);
    lines.push(`sum ${key} ${value} ${sum}`);
    const end = Math.floor(value / WINDOW_MS) * WINDOW_MS + WINDOW_MS - 1;
    windows.set(`${key} ${end}`, (windows.get(`${key} ${end}`) ?? 0) + 1);
  }
  for (const [window, n] of windows) lines.push(`window ${window} ${n}`);
  return lines.sort();
}

async function committedLines(dir: string): Promise<string[]> {
  const committed = join(dir, 'committed');
  const lines: string[] = [];
  for (const name of (await readdir(committed)).sort()) {
    const text = await readFile(join(committed, name), 'utf8');
    for (const line of text.split('\n')) if (line !== '') lines.push(line);
  }
  return lines.sort();
}

interface Outcome {
  readonly dir: string;
  readonly kills: number;
  readonly log: string[];
}

async function runScenario(options: {
  label: string;
  plan: readonly KillPlanStep[];
  parallelism?: (run: number) => number;
}): Promise<Outcome> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-sigkill-keyed-'));
  workDirs.push(dir);
  const parallelism = (run: number): number => options.parallelism?.(run) ?? 2;
  const outcome = await suite.restartUntilFinished(
    {
      plan: options.plan,
      env: (run) => ({
        SLUICE_JOB_DIR: dir,
        SLUICE_JOB_NAME: 'sigkill-keyed',
        SLUICE_SEQ_COUNT: String(COUNT),
        SLUICE_KEYS: String(KEYS),
        SLUICE_WINDOW_MS: String(WINDOW_MS),
        SLUICE_PARALLELISM: String(parallelism(run)),
        SLUICE_CHECKPOINT_INTERVAL_MS: '40',
        SLUICE_PAUSE_EVERY: '2',
      }),
      describeRunSetup: (run) => `parallelism ${parallelism(run)}`,
      label: options.label,
    },
    RUN_TIMEOUT_MS,
  );
  if (verbose) process.stdout.write(`${options.label}\n  ${outcome.log.join('\n  ')}\n`);
  return { dir, kills: outcome.kills, log: [...outcome.log] };
}

async function inParallel<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const index = next;
      next += 1;
      results[index] = await (tasks[index] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

describe('keyed job under SIGKILL', () => {
  let reference: string[] = [];

  it('a failure-free run writes the expected per-key sums and window counts', async () => {
    const outcome = await runScenario({ label: 'failure-free', plan: [] });
    reference = await committedLines(outcome.dir);
    const expected = expectedOutput();
    const comparison = compareOutput(expected, reference, 'exactly-once');
    expect(comparison.passed, describeComparison(comparison)).toBe(true);
  }, 120_000);

  it(
    `seeded kills (${seededScenarios} scenarios × ${KILLS_PER_SCENARIO}): committed output equals the failure-free run line for line`,
    async () => {
      const expected = reference.length > 0 ? reference : expectedOutput();
      const scenario = (i: number) => async (): Promise<number> => {
        const seed = firstSeed + i;
        const random = seededRandom(seed);
        const plan = Array.from({ length: KILLS_PER_SCENARIO }, (_, k) =>
          drawKill(random, {
            timerWindowMs: [50, 1200],
            maxOccurrence: 20,
            // The first run restores nothing, so it never reaches the recovery point.
            points:
              k === 0
                ? KILL_POINTS.filter((point) => point !== 'sink.recover-commit')
                : KILL_POINTS,
          }),
        );
        // Every third scenario rescales the keyed operator and the sink between runs: 2 → 3 → 1 → 2.
        const rescale = i % 3 === 2 ? (run: number) => [2, 3, 1, 2][run % 4] as number : undefined;
        const outcome = await runScenario({
          label: `seed ${seed}${rescale === undefined ? '' : ' (rescaling)'}: ${plan.map(describeKill).join(', ')}`,
          plan,
          ...(rescale === undefined ? {} : { parallelism: rescale }),
        });
        const actual = await committedLines(outcome.dir);
        const comparison = compareOutput(expected, actual, 'exactly-once');
        if (!comparison.passed) {
          throw new Error(
            `seed ${seed}: committed output differs from a failure-free run: ${describeComparison(comparison)}\n${outcome.log.join('\n')}`,
          );
        }
        return outcome.kills;
      };
      const tasks = Array.from({ length: seededScenarios }, (_, i) => scenario(i));
      let kills = (await inParallel(tasks, CONCURRENCY)).reduce((a, b) => a + b, 0);
      let scenarios = seededScenarios;
      // A scenario ends early when the job finishes before a planned kill: top up to the CI minimum.
      while (soakKills === 0 && kills < MIN_CI_KILLS && scenarios < seededScenarios + 12) {
        const more = Array.from({ length: CONCURRENCY }, (_, k) => scenario(scenarios + k));
        scenarios += CONCURRENCY;
        kills += (await inParallel(more, CONCURRENCY)).reduce((a, b) => a + b, 0);
      }
      process.stdout.write(
        `keyed SIGKILL: ${kills} kills over ${scenarios} scenarios, all exactly once\n`,
      );
      expect(kills).toBeGreaterThanOrEqual(soakKills > 0 ? Math.min(soakKills, 1) : MIN_CI_KILLS);
    },
    soakKills > 0 ? 3_600_000 : 150_000,
  );
});
