/**
 * The product's promise: a job with a replayable source and a two-phase-commit file sink, SIGKILLed
 * at seeded random moments and at injected points (inside snapshots, between the metadata write
 * and the notification, inside commit and recovery), restarted until it finishes, writes every
 * input exactly once. The same scenarios run on two task threads (`SLUICE_TASK_THREADS=2`: subtask 1
 * of each chain on a worker thread, its kill points firing there, a rebalance edge across threads).
 *
 * `SLUICE_CHAOS_RUNS=<kills>` turns the seeded part into a soak of about that many kills;
 * `SLUICE_CHAOS_SEED=<n>` replays the scenarios from seed n.
 */
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  describeKill,
  drawKill,
  seededRandom,
  type KillPlanStep,
} from '@sluice/testkit/conformance';
import {
  checkCommittedOutput,
  describeReport,
  isExactlyOnce,
} from './jobs/exactly-once-checker.js';
import { KILL_POINTS, type KillPoint } from './jobs/kill-points.js';
import { useChaosSuite } from './helpers/chaos-suite.js';

const COUNT = 5000;
const PARALLELISM = 2;
const INTERVAL_MS = 40;
const KILLS_PER_SCENARIO = 4;
const CI_SEEDED_SCENARIOS = 8;
const CI_THREAD_SEEDED_SCENARIOS = 2;
const MIN_CI_KILLS = 30;
const MIN_CI_THREAD_KILLS = 10;
/** Seeds of the task-thread scenarios start here (past the one-thread seeds of a soak). */
const THREAD_SEED_OFFSET = 100_000;
const RUN_TIMEOUT_MS = 60_000;

const verbose = process.env['SLUICE_CHAOS_VERBOSE'] === '1';
const soakKills = Number(process.env['SLUICE_CHAOS_RUNS'] ?? '0');
const firstSeed = Number(process.env['SLUICE_CHAOS_SEED'] ?? '1');
// A scenario ends early when the job finishes before a planned kill: provision 10% more for a soak.
const seededScenarios =
  soakKills > 0 ? Math.ceil((soakKills * 1.1) / KILLS_PER_SCENARIO) : CI_SEEDED_SCENARIOS;
// A soak adds a quarter as many task-thread scenarios.
const threadSeededScenarios =
  soakKills > 0 ? Math.ceil(seededScenarios / 4) : CI_THREAD_SEEDED_SCENARIOS;

const suite = useChaosSuite(new URL('./jobs/sequence-file-job.ts', import.meta.url));
const { workDirs } = suite;
let totalKills = 0;
let threadKills = 0;

interface ScenarioOutcome {
  readonly dir: string;
  readonly kills: number;
  readonly log: string[];
}

/**
 * Runs the job in a fresh directory, one child per step of `plan` (each meant to die), then
 * without kills until it finishes. A step whose kill does not happen (the job finished first)
 * ends the scenario early.
 */
async function runScenario(options: {
  label: string;
  plan: readonly KillPlanStep[];
  sinkMode?: 'exactly-once' | 'direct' | 'eager-commit';
  /** Read the input from a file of lines (byte offsets in state) instead of generating it. */
  source?: 'sequence' | 'file-lines';
  /** Sink parallelism of each run (index from 0), behind a rebalance edge; else chained. */
  sinkParallelism?: (run: number) => number;
  /** Asynchronous map and sink writes (records cross awaits inside the chain). */
  async?: boolean;
  /** Checkpoint interval, ms. */
  intervalMs?: number;
  /** Task threads (default 1); with 2, subtask 1 of the chained job runs on a worker thread. */
  taskThreads?: number;
}): Promise<ScenarioOutcome> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-sigkill-'));
  workDirs.push(dir);
  let inputFile = '';
  if (options.source === 'file-lines') {
    inputFile = join(dir, 'input.txt');
    await writeFile(inputFile, Array.from({ length: COUNT }, (_, i) => `${i}\n`).join(''));
  }
  const outcome = await suite.restartUntilFinished(
    {
      plan: options.plan,
      env: (run) => ({
        SLUICE_JOB_DIR: dir,
        SLUICE_JOB_NAME: 'sigkill-seq',
        SLUICE_SEQ_COUNT: String(COUNT),
        SLUICE_PARALLELISM: String(PARALLELISM),
        SLUICE_CHECKPOINT_INTERVAL_MS: String(options.intervalMs ?? INTERVAL_MS),
        SLUICE_ASYNC: options.async === true ? '1' : '',
        SLUICE_SINK_MODE: options.sinkMode ?? 'exactly-once',
        SLUICE_PAUSE_EVERY: '2',
        SLUICE_SINK_PARALLELISM:
          options.sinkParallelism === undefined ? '' : String(options.sinkParallelism(run)),
        SLUICE_INPUT_FILE: inputFile,
        SLUICE_TASK_THREADS: String(options.taskThreads ?? 1),
      }),
      ...(options.sinkParallelism === undefined
        ? {}
        : {
            describeRunSetup: (run: number) => `sink parallelism ${options.sinkParallelism?.(run)}`,
          }),
      label: options.label,
    },
    RUN_TIMEOUT_MS,
  );
  if (verbose) process.stdout.write(`${options.label}\n  ${outcome.log.join('\n  ')}\n`);
  return { dir, kills: outcome.kills, log: [...outcome.log] };
}

async function expectExactlyOnce(outcome: ScenarioOutcome, label: string): Promise<void> {
  const report = await checkCommittedOutput(join(outcome.dir, 'committed'), COUNT);
  expect(
    isExactlyOnce(report),
    `${label}: ${describeReport(report)}\n${outcome.log.join('\n')}`,
  ).toBe(true);
  // Nothing of the transactions' temp files may leak into the committed directory.
  const committed = await readdir(join(outcome.dir, 'committed'));
  expect(committed.filter((name) => !name.endsWith('.txt'))).toEqual([]);
}

/**
 * A kill at every injected point in turn: the 500th record for the per-record points, else the
 * 2nd pass. A process counts passes per thread: with task threads each subtask recovers its own
 * transactions, so the recovery point dies at its 1st pass (a 2nd would not come).
 */
function everyPointPlan(taskThreads = 1): KillPlanStep[] {
  const occurrence = (point: KillPoint): number => {
    if (point === 'sink.invoke' || point === 'source.emit') return 500;
    return point === 'sink.recover-commit' && taskThreads > 1 ? 1 : 2;
  };
  return KILL_POINTS.map((point) => ({ kind: 'point', point, occurrence: occurrence(point) }));
}

/**
 * The seeded scenario of `seed`: odd seeds read a file of lines (byte offset in state), even
 * seeds generate the sequence; every third seed has an async map and sink; every fourth
 * checkpoints every 10 ms. Its kills are drawn from the seed: random times and injected points.
 */
function seededScenario(seed: number): {
  shape: string;
  setup: Pick<Parameters<typeof runScenario>[0], 'source' | 'async' | 'intervalMs'>;
  plan: () => KillPlanStep[];
} {
  const source = seed % 2 === 1 ? 'file-lines' : 'sequence';
  const async = seed % 3 === 0;
  const intervalMs = seed % 4 === 0 ? 10 : INTERVAL_MS;
  return {
    shape: `${source} source${async ? ', async steps' : ''}, checkpoints every ${intervalMs} ms`,
    setup: { source, async, intervalMs },
    plan: () => {
      const random = seededRandom(seed);
      return Array.from({ length: KILLS_PER_SCENARIO }, (_, run) =>
        drawKill(random, {
          timerWindowMs: [100, 1000],
          maxOccurrence: 3,
          // The first run restores nothing, so it never reaches the recovery point.
          points:
            run === 0
              ? KILL_POINTS.filter((point) => point !== 'sink.recover-commit')
              : KILL_POINTS,
        }),
      );
    },
  };
}

describe('SIGKILL + restart of a two-phase-commit file sink job: every input exactly once', () => {
  it('survives a kill at every injected point in turn (snapshot, metadata, notify, commit, recovery)', async () => {
    const plan = everyPointPlan();
    const outcome = await runScenario({ label: 'every kill point', plan });
    totalKills += outcome.kills;
    await expectExactlyOnce(outcome, 'every kill point');
    expect(outcome.kills, outcome.log.join('\n')).toBeGreaterThanOrEqual(plan.length - 2);
  });

  for (let scenario = 0; scenario < seededScenarios; scenario += 1) {
    const seed = firstSeed + scenario;
    const { shape, setup, plan: drawPlan } = seededScenario(seed);
    it(`seed ${seed}: ${KILLS_PER_SCENARIO} seeded kills (random times and injected points), ${shape}`, async () => {
      const plan = drawPlan();
      const label = `seed ${seed}, ${shape} (plan: ${plan.map(describeKill).join(', ')})`;
      const outcome = await runScenario({ label, plan, ...setup });
      totalKills += outcome.kills;
      await expectExactlyOnce(outcome, label);
    });
  }

  it('survives kills while the sink is rescaled on every restore (rebalance edge, aligned barriers, async steps)', async () => {
    const random = seededRandom(firstSeed + 1000);
    const plan = Array.from({ length: KILLS_PER_SCENARIO }, () =>
      drawKill(random, { timerWindowMs: [100, 1000], maxOccurrence: 3, points: KILL_POINTS }),
    );
    const parallelisms = [2, 3, 1, 3, 2];
    const label = `rescaling sink (plan: ${plan.map(describeKill).join(', ')})`;
    const outcome = await runScenario({
      label,
      plan,
      async: true,
      sinkParallelism: (run) => parallelisms[run % parallelisms.length] ?? 2,
    });
    totalKills += outcome.kills;
    await expectExactlyOnce(outcome, label);
  });

  it(`killed the job at least ${MIN_CI_KILLS} times in total`, () => {
    process.stdout.write(`SIGKILL suite: ${totalKills} kills of the exactly-once job\n`);
    expect(totalKills).toBeGreaterThanOrEqual(soakKills > 0 ? soakKills : MIN_CI_KILLS);
  });
});

describe('the same job on 2 task threads (subtask 1 on a worker thread): every input exactly once', () => {
  it('survives a kill at every injected point in turn, on either thread', async () => {
    const plan = everyPointPlan(2);
    const label = 'task threads, every kill point';
    const outcome = await runScenario({ label, plan, taskThreads: 2 });
    threadKills += outcome.kills;
    await expectExactlyOnce(outcome, label);
    expect(outcome.kills, outcome.log.join('\n')).toBeGreaterThanOrEqual(plan.length - 2);
  });

  for (let scenario = 0; scenario < threadSeededScenarios; scenario += 1) {
    const seed = firstSeed + THREAD_SEED_OFFSET + scenario;
    const { shape: chainShape, setup, plan: drawPlan } = seededScenario(seed);
    // Every other one puts map and sink (parallelism 3) behind a rebalance edge: records and
    // barriers then cross threads both ways.
    const rebalanced = scenario % 2 === 1;
    const shape = rebalanced ? `${chainShape}, sink of 3 behind a rebalance edge` : chainShape;
    it(`seed ${seed}: ${KILLS_PER_SCENARIO} seeded kills on task threads, ${shape}`, async () => {
      const plan = drawPlan();
      const label = `task threads, seed ${seed}, ${shape} (plan: ${plan.map(describeKill).join(', ')})`;
      const outcome = await runScenario({
        label,
        plan,
        ...setup,
        taskThreads: 2,
        ...(rebalanced ? { sinkParallelism: () => 3 } : {}),
      });
      threadKills += outcome.kills;
      await expectExactlyOnce(outcome, label);
    });
  }

  it('survives kills with the sink behind a rebalance edge across threads, rescaled on every restore', async () => {
    const random = seededRandom(firstSeed + THREAD_SEED_OFFSET + 1000);
    const plan = Array.from({ length: KILLS_PER_SCENARIO }, () =>
      drawKill(random, { timerWindowMs: [100, 1000], maxOccurrence: 3, points: KILL_POINTS }),
    );
    const parallelisms = [2, 3, 1, 3, 2];
    const label = `task threads, rescaling sink (plan: ${plan.map(describeKill).join(', ')})`;
    const outcome = await runScenario({
      label,
      plan,
      async: true,
      taskThreads: 2,
      sinkParallelism: (run) => parallelisms[run % parallelisms.length] ?? 2,
    });
    threadKills += outcome.kills;
    await expectExactlyOnce(outcome, label);
  });

  it(`killed the job on task threads at least ${MIN_CI_THREAD_KILLS} times`, () => {
    process.stdout.write(`SIGKILL suite: ${threadKills} kills of the exactly-once job on task threads\n`);
    expect(threadKills).toBeGreaterThanOrEqual(MIN_CI_THREAD_KILLS);
  });
});

describe('the exactly-once check can fail', () => {
  it('finds duplicates when an at-least-once sink (no two-phase commit) is killed and restarted', async () => {
    const outcome = await runScenario({
      label: 'direct sink',
      sinkMode: 'direct',
      plan: [{ kind: 'point', point: 'sink.invoke', occurrence: 20 }],
    });
    expect(outcome.kills).toBe(1);
    const report = await checkCommittedOutput(join(outcome.dir, 'committed'), COUNT);
    expect(isExactlyOnce(report)).toBe(false);
    expect(report.duplicates.length, describeReport(report)).toBeGreaterThan(0);
    expect(report.missing).toEqual([]);
  });

  it('finds duplicates when a two-phase-commit sink makes output visible at preCommit (before the checkpoint completes)', async () => {
    // The 3rd sink snapshot is the first subtask's snapshot of the 2nd checkpoint: checkpoint 1
    // is complete, checkpoint 2 is not, and the eagerly committed transaction is replayed.
    const outcome = await runScenario({
      label: 'eager-commit sink',
      sinkMode: 'eager-commit',
      plan: [{ kind: 'point', point: 'sink.snapshot-done', occurrence: 3 }],
    });
    expect(outcome.kills).toBe(1);
    const report = await checkCommittedOutput(join(outcome.dir, 'committed'), COUNT);
    expect(report.duplicates.length, describeReport(report)).toBeGreaterThan(0);
  });
});
