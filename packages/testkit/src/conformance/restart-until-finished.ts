import { TESTKIT_ERROR_CODES, TestkitError } from '../errors.js';
import { describeRun, type JobProcesses, type JobRun } from './job-processes.js';
import { describeKill, killStepRunOptions, type KillPlanStep } from './kill-plan.js';

/** Options of {@link restartUntilFinished}. */
export interface RestartUntilFinishedOptions {
  /** The job script (plain JavaScript, e.g. from {@link bundleJob}). */
  readonly script: string;
  /** One run per step, each meant to die; then runs without kills until the job finishes. */
  readonly plan: readonly KillPlanStep[];
  /**
   * Environment of the n-th run (from 0): the job name, checkpoint folder and output must stay
   * the same, so that each run resumes from the latest complete checkpoint.
   * @defaultValue `{}`
   */
  readonly env?:
    Readonly<Record<string, string>> | ((run: number) => Readonly<Record<string, string>>);
  /**
   * Command-line arguments of every run.
   * @defaultValue `[]`
   */
  readonly args?: readonly string[];
  /**
   * For timer kills without their own `afterOutput`: see {@link JobRunOptions.killAfterOutput}.
   * @defaultValue undefined
   */
  readonly killAfterOutput?: string;
  /** A single run longer than this fails the scenario. */
  readonly timeoutMs: number;
  /** See {@link JobRunOptions.signal}. @defaultValue undefined */
  readonly signal?: AbortSignal;
  /**
   * Whether a run that was not killed finished the job.
   * @defaultValue exit code 0
   */
  readonly isFinished?: (run: JobRun) => boolean;
  /**
   * Runs allowed after the plan before giving up (a run the job's own restart strategy ends early).
   * @defaultValue 3
   */
  readonly extraRuns?: number;
  /**
   * Extra text for the n-th run's log line (e.g. the parallelism it ran with).
   * @defaultValue none
   */
  readonly describeRunSetup?: (run: number) => string;
  /** Names the scenario in failure messages. @defaultValue 'job' */
  readonly label?: string;
}

/** What {@link restartUntilFinished} did. */
export interface RestartOutcome {
  /** Runs that ended with SIGKILL. */
  readonly kills: number;
  /** One line per run: the planned kill and how it ended. */
  readonly log: readonly string[];
  /** Every run, the finishing one last. */
  readonly runs: readonly JobRun[];
}

/**
 * Runs the job once per step of `plan` (each meant to be SIGKILLed), then without kills, until a
 * run finishes. A step whose kill does not happen (the job finished first) ends the scenario
 * early. Rejects with `TESTKIT_JOB_FAILED` when a run fails instead of being killed or finishing.
 */
export async function restartUntilFinished(
  processes: JobProcesses,
  options: RestartUntilFinishedOptions,
): Promise<RestartOutcome> {
  const label = options.label ?? 'job';
  const isFinished = options.isFinished ?? ((run: JobRun) => run.code === 0);
  const steps: (KillPlanStep | undefined)[] = [...options.plan, undefined];
  const maxRuns = steps.length + (options.extraRuns ?? 3);
  const log: string[] = [];
  const runs: JobRun[] = [];
  let kills = 0;
  for (let index = 0; index < maxRuns; index += 1) {
    const step = steps[Math.min(index, steps.length - 1)];
    const kill = killStepRunOptions(step);
    const env = typeof options.env === 'function' ? options.env(index) : options.env;
    const killAfterOutput = kill.killAfterOutput ?? options.killAfterOutput;
    const run = await processes.run(options.script, {
      env: { ...env, ...kill.env },
      ...(options.args === undefined ? {} : { args: options.args }),
      ...(kill.killAfterMs === undefined ? {} : { killAfterMs: kill.killAfterMs }),
      ...(killAfterOutput === undefined ? {} : { killAfterOutput }),
      timeoutMs: options.timeoutMs,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    runs.push(run);
    const setup =
      options.describeRunSetup === undefined ? '' : ` [${options.describeRunSetup(index)}]`;
    log.push(`run ${index + 1}${setup}: ${describeKill(step)} → ${describeRun(run)}`);
    if (run.signal === 'SIGKILL') {
      kills += 1;
      continue;
    }
    if (isFinished(run)) return { kills, log, runs };
    throw new TestkitError(
      `${label}: the job failed instead of finishing or being killed.\n${log.join('\n')}\nstderr:\n${run.stderr.slice(-6000)}`,
      { code: TESTKIT_ERROR_CODES.JOB_FAILED },
    );
  }
  throw new TestkitError(
    `${label}: the job did not finish after ${maxRuns} runs.\n${log.join('\n')}`,
    {
      code: TESTKIT_ERROR_CODES.JOB_FAILED,
    },
  );
}
