/**
 * Keyed streams under SIGKILL: source → event-time watermarks → keyBy → per-key running sum with
 * event-time timers (keyed state and timers in checkpoints) → exactly-once two-phase-commit file
 * sink. The job is killed at seeded random moments and injected points, restarted until it
 * finishes, and its committed output must equal a failure-free run's line for line (sorted: lines
 * of different keys interleave differently from run to run; lines of one key keep their order).
 * Some scenarios also change the keyed operator's parallelism between runs (rescale on restore).
 * The same runs on two task threads (`SLUICE_TASK_THREADS=2`: subtask i of every chain on thread
 * i mod 2, so the keyBy exchange crosses threads: records, barriers and watermarks on message
 * ports, keyed state and timers on both threads).
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
import { KILL_POINTS, type KillPoint } from './jobs/kill-points.js';
import { useChaosSuite } from './helpers/chaos-suite.js';

const COUNT = 4000;
// Even: every key is fed by one source subtask (value parity), so its running sums are deterministic.
const KEYS = 12;
const WINDOW_MS = 50;
const KILLS_PER_SCENARIO = 3;
// One-thread scenarios in CI: 11 (12 before the task-thread group, for the suite's time).
const CI_SEEDED_SCENARIOS = 11;
const MIN_CI_KILLS = 30;
const CI_THREAD_SEEDED_SCENARIOS = 4;
const MIN_CI_THREAD_KILLS = 10;
/** Seeds of the task-thread scenarios start here (past the one-thread seeds of a soak). */
const THREAD_SEED_OFFSET = 100_000;
const CONCURRENCY = 4;
const RUN_TIMEOUT_MS = 60_000;

const soakKills = Number(process.env['SLUICE_CHAOS_RUNS'] ?? '0');
const firstSeed = Number(process.env['SLUICE_CHAOS_SEED'] ?? '1');
const verbose = process.env['SLUICE_CHAOS_VERBOSE'] === '1';
const seededScenarios =
  soakKills > 0 ? Math.ceil((soakKills * 1.15) / KILLS_PER_SCENARIO) : CI_SEEDED_SCENARIOS;
// A soak adds a quarter as many task-thread scenarios.
const threadSeededScenarios =
  soakKills > 0 ? Math.ceil(seededScenarios / 4) : CI_THREAD_SEEDED_SCENARIOS;

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
  /** Task threads (default 1). */
  taskThreads?: number;
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
        SLUICE_TASK_THREADS: String(options.taskThreads ?? 1),
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

/** The keyed operator's parallelism of each run in a rescaling scenario: 2 → 3 → 1 → 2. */
const RESCALE = (run: number): number => [2, 3, 1, 2][run % 4] as number;

/**
 * The kill plan of `seed`: random times and injected points. Passes of a point are counted per
 * thread, so on task threads the per-record and per-checkpoint points are drawn from half as many
 * passes, and the recovery point (each sink subtask recovers its own transactions) at its 1st.
 */
function seededPlan(seed: number, taskThreads: number): KillPlanStep[] {
  const random = seededRandom(seed);
  const maxOccurrence = (point: KillPoint): number => {
    if (taskThreads === 1) return 20;
    return point === 'sink.recover-commit' ? 1 : 10;
  };
  return Array.from({ length: KILLS_PER_SCENARIO }, (_, k) =>
    drawKill(random, {
      timerWindowMs: [50, 1200],
      // The first run restores nothing, so it never reaches the recovery point.
      points: Object.fromEntries(
        KILL_POINTS.filter((point) => k > 0 || point !== 'sink.recover-commit').map((point) => [
          point,
          maxOccurrence(point),
        ]),
      ),
    }),
  );
}

/**
 * Runs the seeded scenario of `seed` and checks its committed output against `expected`;
 * resolves to its kills. `rescale` changes the keyed operator's parallelism between runs.
 */
async function seededScenario(options: {
  seed: number;
  rescale: boolean;
  taskThreads: number;
  expected: readonly string[];
}): Promise<number> {
  const { seed, rescale, taskThreads } = options;
  const plan = seededPlan(seed, taskThreads);
  const setup = [taskThreads > 1 ? `${taskThreads} task threads` : '', rescale ? 'rescaling' : '']
    .filter((part) => part !== '')
    .join(', ');
  const outcome = await runScenario({
    label: `seed ${seed}${setup === '' ? '' : ` (${setup})`}: ${plan.map(describeKill).join(', ')}`,
    plan,
    taskThreads,
    ...(rescale ? { parallelism: RESCALE } : {}),
  });
  const actual = await committedLines(outcome.dir);
  const comparison = compareOutput([...options.expected], actual, 'exactly-once');
  if (!comparison.passed) {
    throw new Error(
      `seed ${seed}: committed output differs from a failure-free run: ${describeComparison(comparison)}\n${outcome.log.join('\n')}`,
    );
  }
  return outcome.kills;
}

/**
 * Runs scenarios 0 … `count` - 1 (`CONCURRENCY` at a time) and, outside a soak, more until
 * `minKills` kills (a scenario ends early when the job finishes before a
 * planned kill); resolves to the kills and scenarios run.
 */
async function seededKills(options: {
  count: number;
  minKills: number;
  scenario: (index: number) => () => Promise<number>;
}): Promise<{ kills: number; scenarios: number }> {
  const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);
  const first = Array.from({ length: options.count }, (_, i) => options.scenario(i));
  let kills = sum(await inParallel(first, CONCURRENCY));
  let scenarios = options.count;
  while (soakKills === 0 && kills < options.minKills && scenarios < options.count + 12) {
    const more = Array.from({ length: CONCURRENCY }, (_, k) => options.scenario(scenarios + k));
    scenarios += CONCURRENCY;
    kills += sum(await inParallel(more, CONCURRENCY));
  }
  return { kills, scenarios };
}

let reference: string[] = [];
const expectedLines = (): string[] => (reference.length > 0 ? reference : expectedOutput());

describe('keyed job under SIGKILL', () => {
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
      const expected = expectedLines();
      const { kills, scenarios } = await seededKills({
        count: seededScenarios,
        minKills: MIN_CI_KILLS,
        // Every third scenario rescales the keyed operator and the sink between runs: 2 → 3 → 1 → 2.
        scenario: (i) => () =>
          seededScenario({ seed: firstSeed + i, rescale: i % 3 === 2, taskThreads: 1, expected }),
      });
      process.stdout.write(
        `keyed SIGKILL: ${kills} kills over ${scenarios} scenarios, all exactly once\n`,
      );
      expect(kills).toBeGreaterThanOrEqual(soakKills > 0 ? Math.min(soakKills, 1) : MIN_CI_KILLS);
    },
    soakKills > 0 ? 3_600_000 : 150_000,
  );
});

describe('the keyed job on 2 task threads (keyBy exchange across threads)', () => {
  it('a failure-free run writes the same lines, subtask 1 of the sink on the worker thread', async () => {
    const outcome = await runScenario({ label: 'task threads, failure-free', plan: [], taskThreads: 2 });
    const comparison = compareOutput(expectedOutput(), await committedLines(outcome.dir), 'exactly-once');
    expect(comparison.passed, describeComparison(comparison)).toBe(true);
    // Transaction ids name the thread (`<subtask>-<pid>-t<thread id>-…`): subtask 1 ran on a worker.
    const committed = await readdir(join(outcome.dir, 'committed'));
    const fromWorker = committed.filter((name) => /^1-\d+-t[1-9]\d*-/.test(name));
    expect(fromWorker.length, committed.join(', ')).toBeGreaterThan(0);
  }, 120_000);

  const shape = `${threadSeededScenarios} scenarios × ${KILLS_PER_SCENARIO}, every other one rescaling 2 → 3 → 1 → 2`;
  it(
    `seeded kills on 2 task threads (${shape}): committed output equals the failure-free run line for line`,
    async () => {
      const expected = expectedLines();
      const { kills, scenarios } = await seededKills({
        count: threadSeededScenarios,
        minKills: MIN_CI_THREAD_KILLS,
        // With parallelism 3, keyed subtasks 0 and 2 run on thread 0 and subtask 1 on thread 1;
        // with 1, the worker thread's source subtask feeds the calling thread's keyed subtask.
        scenario: (i) => () =>
          seededScenario({
            seed: firstSeed + THREAD_SEED_OFFSET + i,
            rescale: i % 2 === 1,
            taskThreads: 2,
            expected,
          }),
      });
      process.stdout.write(
        `keyed SIGKILL on task threads: ${kills} kills over ${scenarios} scenarios, all exactly once\n`,
      );
      expect(kills).toBeGreaterThanOrEqual(soakKills > 0 ? Math.min(soakKills, 1) : MIN_CI_THREAD_KILLS);
    },
    soakKills > 0 ? 3_600_000 : 150_000,
  );
});
