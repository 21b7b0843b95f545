import { spawn, type ChildProcess } from 'node:child_process';
import { TESTKIT_ERROR_CODES, TestkitError } from '../errors.js';
import { KILL_POINT_MARKER } from './kill-point.js';

/** How to run one job process; see {@link JobProcesses.run}. */
export interface JobRunOptions {
  /**
   * Variables added to the parent's environment.
   * @defaultValue `{}`
   */
  env?: Readonly<Record<string, string>>;
  /**
   * Command-line arguments after the script.
   * @defaultValue `[]`
   */
  args?: readonly string[];
  /**
   * SIGKILL the process this many ms after it starts (or after `killAfterOutput` appears).
   * @defaultValue undefined (no timed kill)
   */
  killAfterMs?: number;
  /**
   * Start the `killAfterMs` timer only when the job's stdout first contains this text (e.g. a
   * line the job prints after its first record), so that the kill lands in the data phase.
   * @defaultValue undefined (the timer starts at spawn)
   */
  killAfterOutput?: string;
  /** The run fails (after a SIGKILL) with `TESTKIT_JOB_FAILED` when it lasts longer than this. */
  timeoutMs: number;
  /**
   * When it aborts (e.g. the test ended), the process is killed and no new one starts.
   * @defaultValue undefined
   */
  signal?: AbortSignal;
}

/** How one job process ended. */
export interface JobRun {
  /** The exit code, `null` when a signal ended it. */
  readonly code: number | null;
  /** The signal that ended it (`SIGKILL` when killed), else `null`. */
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Who killed it: the parent's timer, an injected {@link killPoint} in the job, or nobody. */
  readonly killedBy: 'timer' | 'kill-point' | undefined;
  /** The injected point that fired, as `<point>:<n>`. */
  readonly killPoint: string | undefined;
  readonly durationMs: number;
}

/** The text of a run for logs: `exit 0 after 812 ms` or `SIGKILL by timer after 300 ms`. */
export function describeRun(run: JobRun): string {
  if (run.signal === 'SIGKILL') {
    const at = run.killPoint === undefined ? '' : ` at ${run.killPoint}`;
    return `SIGKILL by ${run.killedBy ?? 'unknown'}${at} after ${run.durationMs} ms`;
  }
  return `exit ${run.code ?? run.signal} after ${run.durationMs} ms`;
}

/**
 * Starts job processes (`node <script>`), kills them when asked, and keeps track of each one so
 * that a test can kill whatever still runs on every path (call {@link JobProcesses.killAll} in
 * `afterEach`/`afterAll`).
 */
export class JobProcesses {
  private readonly live = new Set<ChildProcess>();

  /**
   * Runs `node --enable-source-maps <script> [...args]` once and resolves when it ends (killed or
   * not); rejects with `TESTKIT_JOB_FAILED` when it outlives `timeoutMs` or `signal` is aborted.
   */
  run(script: string, options: JobRunOptions): Promise<JobRun> {
    if (options.signal?.aborted === true) {
      return Promise.reject(jobFailed('the test ended; not starting another job process'));
    }
    const started = Date.now();
    const child = spawn(
      process.execPath,
      ['--enable-source-maps', script, ...(options.args ?? [])],
      {
        env: { ...process.env, ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.live.add(child);
    let stdout = '';
    let stderr = '';
    let killedByTimer = false;
    let killTimer: NodeJS.Timeout | undefined;
    const armKill = (): void => {
      if (options.killAfterMs === undefined || killTimer !== undefined) return;
      killTimer = setTimeout(() => (killedByTimer = child.kill('SIGKILL')), options.killAfterMs);
    };
    if (options.killAfterOutput === undefined) armKill();
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (options.killAfterOutput !== undefined && stdout.includes(options.killAfterOutput))
        armKill();
    });
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let ended: string | undefined;
    const deadline = setTimeout(() => {
      ended = `the job did not end within ${options.timeoutMs} ms`;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    const onAbort = (): void => {
      ended = 'the test ended while the job ran';
      child.kill('SIGKILL');
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) => {
        clearTimeout(killTimer);
        clearTimeout(deadline);
        options.signal?.removeEventListener('abort', onAbort);
        this.live.delete(child);
        if (ended !== undefined) {
          reject(jobFailed(`${ended} (killed it); stderr:\n${stderr.slice(-4000)}`));
          return;
        }
        const fired = new RegExp(`${KILL_POINT_MARKER} (\\S+)`).exec(stderr)?.[1];
        const killed = signal === 'SIGKILL';
        resolve({
          code,
          signal,
          stdout,
          stderr,
          killedBy: !killed
            ? undefined
            : fired !== undefined
              ? 'kill-point'
              : killedByTimer
                ? 'timer'
                : undefined,
          killPoint: fired,
          durationMs: Date.now() - started,
        });
      });
    });
  }

  /** SIGKILLs every job process still running. */
  killAll(): void {
    for (const child of this.live) child.kill('SIGKILL');
    this.live.clear();
  }
}

function jobFailed(message: string): TestkitError {
  return new TestkitError(message, { code: TESTKIT_ERROR_CODES.JOB_FAILED });
}
