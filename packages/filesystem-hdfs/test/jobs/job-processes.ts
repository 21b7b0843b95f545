// Starts the fault-test job as child processes (bundled once with esbuild so each start is plain
// `node`), kills them on a timer when asked, and stops every one still running when the test ends.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** Bundles `entry` (TypeScript) into one ESM file; returns its path. */
export async function bundleScript(entry: URL): Promise<string> {
  const outfile = join(await mkdtemp(join(tmpdir(), 'sluice-fs-job-')), 'job.mjs');
  await build({
    entryPoints: [fileURLToPath(entry)],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
    sourcemap: 'inline',
    // CommonJS dependencies bundled into ESM (kafkajs) call require() for Node built-ins and
    // resolve their own package files: require() resolves from the entry's place in the repo.
    banner: {
      js: `import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(${JSON.stringify(fileURLToPath(entry))});`,
    },
  });
  return outfile;
}

/** How one job process ended. */
export interface JobRun {
  /** Exit code, or `null` when a signal ended it. */
  readonly exitCode: number | null;
  /** `SIGKILL` when it was killed. */
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The injected point it died at (`<point>:<n>`), if one fired. */
  readonly killedAt: string | undefined;
  /** Whether the parent's timer killed it. */
  readonly killedByTimer: boolean;
  readonly elapsedMs: number;
}

/** The job processes of one test file. */
export class JobProcesses {
  private readonly running = new Set<ChildProcess>();
  private closed = false;

  constructor(private readonly script: string) {}

  /** Runs the job once with `env`; SIGKILLs it after `killAfterMs` if given; rejects after `timeoutMs`. */
  run(env: Readonly<Record<string, string>>, limits: { killAfterMs?: number; timeoutMs: number }): Promise<JobRun> {
    if (this.closed) return Promise.reject(new Error('job processes were stopped; not starting another'));
    const begin = Date.now();
    const child = spawn(process.execPath, ['--enable-source-maps', this.script], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.running.add(child);
    const out = { stdout: '', stderr: '' };
    child.stdout.setEncoding('utf8').on('data', (text: string) => (out.stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (out.stderr += text));
    let timerKill = false;
    let overdue = false;
    const timers = [
      limits.killAfterMs === undefined ? undefined : setTimeout(() => (timerKill = child.kill('SIGKILL')), limits.killAfterMs),
      setTimeout(() => {
        overdue = true;
        child.kill('SIGKILL');
      }, limits.timeoutMs),
    ];
    return new Promise<JobRun>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (exitCode, signal) => {
        for (const timer of timers) clearTimeout(timer);
        this.running.delete(child);
        if (overdue) {
          reject(new Error(`the job ran longer than ${limits.timeoutMs} ms; stderr:\n${out.stderr.slice(-4000)}`));
          return;
        }
        const killedAt = /KILLED_AT (\S+)/.exec(out.stderr)?.[1];
        resolve({ exitCode, signal, ...out, killedAt, killedByTimer: timerKill && killedAt === undefined, elapsedMs: Date.now() - begin });
      });
    });
  }

  /** SIGKILLs every running job process; no new one starts afterwards. */
  stopAll(): void {
    this.closed = true;
    for (const child of this.running) child.kill('SIGKILL');
    this.running.clear();
  }
}

/** A seeded PRNG (xorshift32 scaled to [0, 1)): the same seed gives the same kill plan. */
export function seeded(seed: number): () => number {
  let x = (seed * 2654435761) >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 4294967296;
  };
}
