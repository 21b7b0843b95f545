import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TESTKIT_ERROR_CODES, TestkitError } from '../errors.js';
import {
  compareOutput,
  describeComparison,
  type DeliveryGuarantee,
  type OutputComparison,
} from './compare-output.js';
import { JobProcesses, type JobRun } from './job-processes.js';
import { describeKill, drawKill, type DrawKillOptions } from './kill-plan.js';
import { restartUntilFinished } from './restart-until-finished.js';
import { seededRandom } from './seeded-random.js';

/** One scenario of a conformance run: a fresh folder of its own (removed by `close()`). */
export interface ConformanceScenario {
  /** `failure-free`, `seed <n>` or `bad-input`. */
  readonly name: string;
  /** An empty folder for this scenario's input, output and checkpoints. */
  readonly dir: string;
}

/** How to start the job in a scenario: the same for every restart of that scenario. */
export interface JobInvocation {
  /** @defaultValue `{}` */
  readonly env?: Readonly<Record<string, string>>;
  /** @defaultValue `[]` */
  readonly args?: readonly string[];
}

/** Options of {@link ConnectorConformance}. */
export interface ConnectorConformanceOptions {
  /**
   * The job under test as a plain JavaScript file run with `node` (a built file, or one made by
   * {@link bundleJob}). It must resume from its latest complete checkpoint when started again
   * with the same invocation, and exit 0 when its bounded input is done.
   */
  readonly script: string;
  /** What the connector promises after failures. */
  readonly guarantee: DeliveryGuarantee;
  /** Writes a scenario's input (topics, files...) and says how to run the job on it. */
  readonly prepare: (scenario: ConformanceScenario) => Promise<JobInvocation> | JobInvocation;
  /**
   * Reads a scenario's output independently of the connector's code (a plain file reader, a
   * read_committed consumer...), one string per record; order does not matter.
   */
  readonly readOutput: (scenario: ConformanceScenario) => Promise<readonly string[]>;
  /**
   * Injected kill points the job offers ({@link killPoint}): names, or name → maximum pass (see
   * {@link DrawKillOptions.points}); half the kills use them.
   * @defaultValue `[]` (timer kills only)
   */
  readonly killPoints?: DrawKillOptions['points'];
  /**
   * A timer kill lands this many ms after the run starts (or after `killAfterOutput`).
   * @defaultValue `[100, 1000]`
   */
  readonly timerWindowMs?: readonly [number, number];
  /** See {@link JobRunOptions.killAfterOutput}. @defaultValue undefined */
  readonly killAfterOutput?: string;
  /**
   * Whether a run that was not killed finished the job.
   * @defaultValue exit code 0
   */
  readonly isFinished?: (run: JobRun) => boolean;
  /**
   * A single run longer than this fails.
   * @defaultValue 60000
   */
  readonly timeoutMs?: number;
  /**
   * The bad-input check: `prepare` writes input the connector must reject or skip (a corrupt
   * record, a missing file...), the job runs once without kills, and `check` asserts what the
   * connector promises (e.g. exit code 1 with a typed error's code on stderr).
   * @defaultValue undefined (`runBadInput` rejects)
   */
  readonly badInput?: {
    readonly prepare: (scenario: ConformanceScenario) => Promise<JobInvocation> | JobInvocation;
    readonly check: (run: JobRun, scenario: ConformanceScenario) => Promise<void> | void;
  };
}

/** Options of {@link ConnectorConformance.runWithKills}. */
export interface KillScenarioOptions {
  /** Seeds the kill plan: the same seed replays the same plan. */
  readonly seed: number;
  /** Planned kills (the scenario ends early when the job finishes before one). */
  readonly kills: number;
}

/** What {@link ConnectorConformance.runWithKills} found. */
export interface KillScenarioReport {
  readonly seed: number;
  /** Runs that ended with SIGKILL. */
  readonly kills: number;
  /** One line per run. */
  readonly log: readonly string[];
  readonly comparison: OutputComparison;
}

/**
 * The connector conformance suite: (a) a failure-free run records the reference output; (b) runs
 * SIGKILLed at seeded moments or injected points, restarted until they finish, must produce
 * output equal to it (exactly-once) or containing it (at-least-once, duplicates counted), read by
 * your independent reader; (c) an optional bad-input check. Each method throws a
 * `TESTKIT_CONFORMANCE_FAILED` or `TESTKIT_JOB_FAILED` {@link TestkitError} whose message holds
 * the seed, the plan and every run; call {@link ConnectorConformance.close} in `afterAll`.
 */
export class ConnectorConformance {
  private readonly processes = new JobProcesses();
  private readonly life = new AbortController();
  private readonly dirs: string[] = [];
  private reference: Promise<readonly string[]> | undefined;

  constructor(private readonly options: ConnectorConformanceOptions) {}

  /** (a) Runs the job once without failures and returns its output (the reference, cached). */
  runFailureFree(): Promise<readonly string[]> {
    this.reference ??= this.failureFree();
    return this.reference;
  }

  /** (b) Runs the job with `kills` seeded SIGKILLs, restarting until it finishes, and compares outputs. */
  async runWithKills(scenario: KillScenarioOptions): Promise<KillScenarioReport> {
    const expected = await this.runFailureFree();
    const random = seededRandom(scenario.seed);
    const plan = Array.from({ length: scenario.kills }, () =>
      drawKill(random, {
        timerWindowMs: this.options.timerWindowMs ?? [100, 1000],
        points: this.options.killPoints ?? [],
      }),
    );
    const label = `seed ${scenario.seed} (plan: ${plan.map(describeKill).join(', ')})`;
    const place = await this.scenario(`seed ${scenario.seed}`);
    const invocation = await this.options.prepare(place);
    const outcome = await restartUntilFinished(this.processes, {
      ...this.runShape(invocation),
      plan,
      label,
    });
    const comparison = compareOutput(
      expected,
      await this.options.readOutput(place),
      this.options.guarantee,
    );
    const report = { seed: scenario.seed, kills: outcome.kills, log: outcome.log, comparison };
    if (outcome.kills === 0) {
      throw conformanceFailed(
        `${label}: the job finished before the first kill, so nothing was tested; give it more input or a smaller timerWindowMs.\n${outcome.log.join('\n')}`,
      );
    }
    if (!comparison.passed) {
      throw conformanceFailed(
        `${label}: ${describeComparison(comparison)}\n${outcome.log.join('\n')}\nreplay: seed ${scenario.seed}`,
      );
    }
    return report;
  }

  /** (c) Runs the job once on bad input and hands the run to `badInput.check`. */
  async runBadInput(): Promise<JobRun> {
    const badInput = this.options.badInput;
    if (badInput === undefined)
      throw conformanceFailed('runBadInput() needs the badInput option (prepare and check)');
    const place = await this.scenario('bad-input');
    const run = await this.processes.run(
      this.options.script,
      this.runShape(await badInput.prepare(place)),
    );
    await badInput.check(run, place);
    return run;
  }

  /** Kills every job process still running and removes the scenarios' folders. */
  async close(): Promise<void> {
    this.life.abort();
    this.processes.killAll();
    await Promise.all(this.dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  }

  private async failureFree(): Promise<readonly string[]> {
    const place = await this.scenario('failure-free');
    const outcome = await restartUntilFinished(this.processes, {
      ...this.runShape(await this.options.prepare(place)),
      plan: [],
      extraRuns: 0,
      label: 'failure-free run',
    });
    const output = await this.options.readOutput(place);
    if (output.length === 0) {
      throw conformanceFailed(
        `the failure-free run wrote no output; there is nothing to compare.\n${outcome.log.join('\n')}`,
      );
    }
    return output;
  }

  private async scenario(name: string): Promise<ConformanceScenario> {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-conformance-'));
    this.dirs.push(dir);
    return { name, dir };
  }

  private runShape(invocation: JobInvocation): {
    script: string;
    env: Readonly<Record<string, string>>;
    args: readonly string[];
    timeoutMs: number;
    signal: AbortSignal;
    killAfterOutput?: string;
    isFinished?: (run: JobRun) => boolean;
  } {
    const { killAfterOutput, isFinished } = this.options;
    return {
      script: this.options.script,
      env: invocation.env ?? {},
      args: invocation.args ?? [],
      timeoutMs: this.options.timeoutMs ?? 60_000,
      signal: this.life.signal,
      ...(killAfterOutput === undefined ? {} : { killAfterOutput }),
      ...(isFinished === undefined ? {} : { isFinished }),
    };
  }
}

function conformanceFailed(message: string): TestkitError {
  return new TestkitError(message, { code: TESTKIT_ERROR_CODES.CONFORMANCE_FAILED });
}
