/**
 * Runs a fault-test job as a child process, SIGKILLs it (from the parent at a seeded random time,
 * or by an injected kill point inside the child), restarts it until it finishes, and keeps track
 * of every child so that a test can kill whatever is still running on any path.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { KILL_POINTS, type KillPoint } from './kill-points.js';

/** A small seeded PRNG (mulberry32): the same seed gives the same kill plan. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Bundles a job script (TypeScript, importing the package's source) into one ESM file, so that
 * each child starts with plain `node` in a fraction of the time a TS loader needs.
 */
export async function bundleJob(entry: URL): Promise<string> {
  const outdir = await mkdtemp(join(tmpdir(), 'sluice-job-bundle-'));
  const outfile = join(outdir, 'job.mjs');
  await build({
    entryPoints: [fileURLToPath(entry)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'error',
  });
  return outfile;
}

/** How one child run ended. */
export interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Who killed it: the parent's timer, an injected point in the child, or nobody. */
  readonly killedBy: 'parent' | 'kill-point' | undefined;
  /** The injected point that fired, as `<point>:<n>`. */
  readonly killPoint: string | undefined;
  readonly durationMs: number;
}

/** Spawns and tracks children; `killAll` SIGKILLs every one still alive. */
export class ChildTracker {
  private readonly live = new Set<ChildProcess>();

  /**
   * Runs `node <script>` with `env` added. Kills it with SIGKILL after `killAfterMs` if given,
   * and fails (after killing it) if it runs longer than `timeoutMs`. When `signal` aborts (the
   * test ended), the child is killed and no new one starts.
   */
  run(
    script: string,
    options: {
      env: Readonly<Record<string, string>>;
      killAfterMs?: number;
      timeoutMs: number;
      signal?: AbortSignal;
    },
  ): Promise<ChildResult> {
    if (options.signal?.aborted === true) {
      return Promise.reject(new Error('the test ended; not starting another job process'));
    }
    const started = Date.now();
    const child = spawn(process.execPath, ['--enable-source-maps', script], {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.live.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let killedByParent = false;
    let timedOut = false;
    const killTimer =
      options.killAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            killedByParent = child.kill('SIGKILL');
          }, options.killAfterMs);
    const deadline = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs);
    const onAbort = (): void => {
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
        if (timedOut) {
          reject(
            new Error(
              `job did not finish within ${options.timeoutMs} ms (awaited exit or kill)\nstderr:\n${stderr.slice(-4000)}`,
            ),
          );
          return;
        }
        const fired = /KILL_POINT (\S+)/.exec(stderr)?.[1];
        resolve({
          code,
          signal,
          stdout,
          stderr,
          killedBy:
            signal !== 'SIGKILL' ? undefined : fired !== undefined ? 'kill-point' : killedByParent ? 'parent' : undefined,
          killPoint: fired,
          durationMs: Date.now() - started,
        });
      });
    });
  }

  /** SIGKILLs every child still running. */
  killAll(): void {
    for (const child of this.live) child.kill('SIGKILL');
    this.live.clear();
  }
}

/** One planned kill: at an injected point, or from the parent after a delay. */
export type KillPlanStep =
  | { readonly kind: 'point'; readonly point: KillPoint; readonly occurrence: number }
  | { readonly kind: 'timer'; readonly afterMs: number };

/** Kill points every exactly-once run may use (all reachable by the exactly-once job). */
export const EXACTLY_ONCE_KILL_POINTS: readonly KillPoint[] = KILL_POINTS;

/** Draws the next kill from `random`: half injected points, half parent timers in the window. */
export function drawKill(
  random: () => number,
  options: {
    timerWindowMs: readonly [number, number];
    maxOccurrence: number;
    /** Points not to draw (e.g. recovery points for a first run, which restores nothing). */
    exclude?: readonly KillPoint[];
  },
): KillPlanStep {
  if (random() < 0.5) {
    const [from, to] = options.timerWindowMs;
    return { kind: 'timer', afterMs: Math.round(from + random() * (to - from)) };
  }
  const points = EXACTLY_ONCE_KILL_POINTS.filter((point) => !(options.exclude ?? []).includes(point));
  const point = points[Math.floor(random() * points.length)] as KillPoint;
  const occurrence = 1 + Math.floor(random() * options.maxOccurrence);
  return { kind: 'point', point, occurrence };
}

/** Describes a plan step for logs and failure messages. */
export function describeKill(step: KillPlanStep | undefined): string {
  if (step === undefined) return 'no kill';
  return step.kind === 'timer' ? `parent SIGKILL after ${step.afterMs} ms` : `${step.point}:${step.occurrence}`;
}
