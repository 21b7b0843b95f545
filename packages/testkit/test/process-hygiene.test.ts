// Killed test runs must not leave Java behind: exercised with a real (tiny) JVM and real signals.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanupStaleServers } from '../src/internal/pid-file.js';
import { waitFor } from '../src/internal/wait-for.js';
import { running, viteNode } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
let base: string;
let sleepSource: string;
const children: ChildProcess[] = [];
const jvms: number[] = [];

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'sluice-testkit-hygiene-'));
  sleepSource = join(base, 'Sleep.java');
  writeFileSync(
    sleepSource,
    'public class Sleep { public static void main(String[] a) throws Exception { Thread.sleep(600_000); } }\n',
  );
});

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const pid of jvms.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
});

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

/** Starts the owner child and waits until its JVM runs; returns both and the paths. */
async function startOwner(
  watchdog = false,
): Promise<{ owner: ChildProcess; jvm: number; runDir: string; workDir: string; marker: string }> {
  const runDir = join(base, `run-${randomBytes(3).toString('hex')}`);
  const workDir = join(base, `sluice-testkit-orphan-${randomBytes(3).toString('hex')}`);
  mkdirSync(workDir);
  const marker = `orphan-${randomBytes(6).toString('hex')}`;
  const owner = spawn(
    viteNode(),
    [
      join(here, 'fixtures', 'orphan-owner.ts'),
      'java',
      sleepSource,
      runDir,
      workDir,
      marker,
      watchdog ? 'watchdog' : 'none',
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(owner);
  let output = '';
  owner.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  owner.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const jvm = await waitFor(() => Number(/STARTED (\d+)/.exec(output)?.[1] ?? 0) || undefined, {
    description: `the owner process to start its JVM (output: ${output})`,
    timeoutMs: 60_000,
    intervalMs: 50,
  });
  jvms.push(jvm);
  await waitFor(
    () => running(jvm) && readFileSync(`/proc/${jvm}/cmdline`, 'utf8').includes('Sleep'),
    {
      description: 'the JVM to run Sleep.java',
      timeoutMs: 30_000,
      intervalMs: 50,
    },
  );
  return { owner, jvm, runDir, workDir, marker };
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

describe('process hygiene', () => {
  it('without the watchdog, a SIGKILLed owner leaves a JVM that the next start finds by pid file and kills', async () => {
    const { owner, jvm, runDir, workDir, marker } = await startOwner();
    expect(readdirSync(runDir)).toEqual([`orphan-test-${jvm}.json`]);
    owner.kill('SIGKILL');
    await exited(owner);
    // Nothing ran in the owner: the JVM is an orphan now.
    expect(running(jvm)).toBe(true);
    expect(readFileSync(`/proc/${jvm}/cmdline`, 'utf8')).toContain(marker);

    const cleaned = cleanupStaleServers({ runDir });
    expect(cleaned.map((r) => r.pid)).toEqual([jvm]);
    await waitFor(() => !running(jvm), {
      description: `orphan JVM ${jvm} to be killed`,
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    expect(readdirSync(runDir)).toEqual([]);
    expect(existsSync(workDir)).toBe(false);
  });

  it('with the watchdog (the default), the JVM of a SIGKILLed owner is killed within seconds', async () => {
    const { owner, jvm } = await startOwner(true);
    owner.kill('SIGKILL');
    await exited(owner);
    await waitFor(() => !running(jvm), {
      description: `JVM ${jvm} to be killed by the watchdog`,
      timeoutMs: 15_000,
      intervalMs: 100,
    });
  });

  it('leaves the servers of a live owner alone', async () => {
    const { owner, jvm, runDir } = await startOwner();
    expect(cleanupStaleServers({ runDir })).toEqual([]);
    expect(running(jvm)).toBe(true);
    owner.kill('SIGKILL');
  });

  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s to the owner stops its JVM (handlers kill the group, then re-raise)',
    async (signal) => {
      const { owner, jvm, runDir } = await startOwner();
      owner.kill(signal);
      await exited(owner);
      expect(owner.signalCode).toBe(signal);
      await waitFor(() => !running(jvm), {
        description: `JVM ${jvm} to stop after ${signal}`,
        timeoutMs: 10_000,
        intervalMs: 50,
      });
      expect(readdirSync(runDir)).toEqual([]);
    },
  );
});
