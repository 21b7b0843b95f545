/**
 * The product's promise: a job with a replayable source and a two-phase-commit file sink, SIGKILLed
 * at seeded random moments and at injected points (inside snapshots, between the metadata write
 * and the notification, inside commit and recovery), restarted until it finishes, writes every
 * input exactly once.
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
import { KILL_POINTS } from './jobs/kill-points.js';
import { useChaosSuite } from './helpers/chaos-suite.js';

const COUNT = 5000;
const PARALLELISM = 2;
const INTERVAL_MS = 40;
const KILLS_PER_SCENARIO = 4;
const CI_SEEDED_SCENARIOS = 10;
const MIN_CI_KILLS = 30;
const RUN_TIMEOUT_MS = 60_000;

const verbose = process.env['SLUICE_CHAOS_VERBOSE'] === '1';
const soakKills = Number(process.env['SLUICE_CHAOS_RUNS'] ?? '0');
const firstSeed = Number(process.env['SLUICE_CHAOS_SEED'] ?? '1');
// A scenario ends early when the job finishes before a planned kill: provision 10% more for a soak.
const seededScenarios =
  soakKills > 0 ? Math.ceil((soakKills * 1.1) / KILLS_PER_SCENARIO) : CI_SEEDED_SCENARIOS;

const suite = useChaosSuite(new URL('./jobs/sequence-file-job.ts', import.meta.url));
const { workDirs } = suite;
let totalKills = 0;

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

describe('SIGKILL + restart of a two-phase-commit file sink job: every input exactly once', () => {
  it('survives a kill at every injected point in turn (snapshot, metadata, notify, commit, recovery)', async () => {
    const plan: KillPlanStep[] = KILL_POINTS.map((point) => ({
      kind: 'point',
      point,
      occurrence: point === 'sink.invoke' || point === 'source.emit' ? 500 : 2,
    }));
    const outcome = await runScenario({ label: 'every kill point', plan });
    totalKills += outcome.kills;
    await expectExactlyOnce(outcome, 'every kill point');
    expect(outcome.kills, outcome.log.join('\n')).toBeGreaterThanOrEqual(plan.length - 2);
  });

  for (let scenario = 0; scenario < seededScenarios; scenario += 1) {
    const seed = firstSeed + scenario;
    // Odd seeds read a file of lines (byte offset in state), even seeds generate the sequence;
    // every third seed has an async map and sink; every fourth checkpoints every 10 ms.
    const source = seed % 2 === 1 ? 'file-lines' : 'sequence';
    const async = seed % 3 === 0;
    const intervalMs = seed % 4 === 0 ? 10 : INTERVAL_MS;
    const shape = `${source} source${async ? ', async steps' : ''}, checkpoints every ${intervalMs} ms`;
    it(`seed ${seed}: ${KILLS_PER_SCENARIO} seeded kills (random times and injected points), ${shape}`, async () => {
      const random = seededRandom(seed);
      const plan = Array.from({ length: KILLS_PER_SCENARIO }, (_, run) =>
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
      const label = `seed ${seed}, ${shape} (plan: ${plan.map(describeKill).join(', ')})`;
      const outcome = await runScenario({ label, plan, source, async, intervalMs });
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
