// Chaos mode: the job runs as a child process that is SIGKILLed at seeded random moments and
// started again until it finishes by itself. Every start resumes from the latest complete
// checkpoint (same job name, same checkpoint directory).
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '@sluice/testkit/conformance';
import type { DemoJobConfig } from './job.js';

/** Options of {@link runChaos}. */
export interface ChaosOptions {
  readonly kills: number;
  readonly seed: number;
  /** Directory for the child processes' stderr logs. */
  readonly logDir: string;
  /** Stops the plan: no more kills or restarts; the running child gets SIGTERM (final checkpoint). */
  readonly signal: AbortSignal;
  /** Called once the last planned kill happened (at once when `kills` is 0). */
  readonly onAllKills?: () => void;
}

/** What happened in a chaos run. */
export interface ChaosResult {
  readonly kills: number;
  readonly runs: number;
  readonly finished: boolean;
}

const jobProcessPath = fileURLToPath(new URL('./job-process.js', import.meta.url));

interface RunOutcome {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly finished: boolean;
}

/** Runs the job in child processes, killing it `options.kills` times. */
export async function runChaos(
  config: DemoJobConfig,
  options: ChaosOptions,
  print: (line: string) => void,
): Promise<ChaosResult> {
  const random = seededRandom(options.seed);
  let kills = 0;
  let runs = 0;
  if (options.kills === 0) options.onAllKills?.();
  for (;;) {
    if (options.signal.aborted) return { kills, runs, finished: false };
    runs += 1;
    const logFile = join(options.logDir, `job-run-${runs}.log`);
    // The job runs with the demo's own Node flags (`npm run demo` sets docs/operations.md's
    // recommended --max-semi-space-size).
    const child = spawn(process.execPath, [...process.execArgv, jobProcessPath], {
      env: { ...process.env, SLUICE_DEMO_JOB: JSON.stringify(config) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(logFile);
    child.stderr.pipe(log);
    let finished = false;
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      if (line.startsWith('JOB_FINISHED')) finished = true;
      print(`  run ${runs} | ${line}`);
    });
    const exited = new Promise<RunOutcome>((resolve) => {
      child.on('exit', (code, signal) => resolve({ code, signal, finished }));
    });
    print(`▶ run ${runs}: job started (pid ${child.pid ?? '?'})${runs > 1 ? ', resuming from its latest checkpoint' : ''}`);

    // Every other kill lands anywhere from start-up and recovery on; the others come at a random
    // moment after this run completed its first checkpoint, so the job also dies mid-data with
    // committed progress behind it (and cannot be stuck restarting from the same checkpoint).
    let killTimer: NodeJS.Timeout | undefined;
    const started = Date.now();
    const kill = (): void => {
      if (child.exitCode === null && child.signalCode === null) {
        kills += 1;
        const after = ((Date.now() - started) / 1000).toFixed(1);
        print(`💥 SIGKILL run ${runs} (pid ${child.pid ?? '?'}) after ${after} s — kill ${kills} of ${options.kills}`);
        child.kill('SIGKILL');
        if (kills === options.kills) options.onAllKills?.();
      }
    };
    if (kills < options.kills) {
      const draw = random();
      if (kills % 2 === 0) {
        killTimer = setTimeout(kill, Math.round(500 + draw * 4500));
      } else {
        lines.on('line', (line) => {
          if (killTimer === undefined && /checkpoint #\d+/.test(line)) {
            killTimer = setTimeout(kill, Math.round(draw * config.checkpointIntervalMs * 1.5));
          }
        });
      }
    }
    // The child shares the terminal's process group and gets Ctrl-C itself; a signal sent to the
    // parent alone reaches it as SIGTERM a little later (either way: final checkpoint, then exit).
    let termTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      termTimer = setTimeout(() => child.kill('SIGTERM'), 2000);
    };
    options.signal.addEventListener('abort', onAbort, { once: true });
    const outcome = await exited;
    clearTimeout(killTimer);
    clearTimeout(termTimer);
    options.signal.removeEventListener('abort', onAbort);
    await new Promise<void>((resolve) => log.end(resolve));
    const done = outcome.finished || finished;
    if (done && outcome.code === 0) return { kills, runs, finished: true };
    if (outcome.signal === 'SIGKILL') continue;
    if (options.signal.aborted) return { kills, runs, finished: false };
    const tail = (await readFile(logFile, 'utf8')).split('\n').slice(-30).join('\n');
    throw new Error(`run ${runs} of the job exited with ${outcome.code ?? outcome.signal} without finishing; its log (${logFile}):\n${tail}`);
  }
}
