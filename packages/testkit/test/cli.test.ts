// The sluice-testkit CLI: starts HDFS in the foreground, prints its addresses, and Ctrl-C
// (SIGINT) stops it without leaving a Java process.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { waitFor } from '../src/internal/wait-for.js';
import { running, viteNode } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
let cliPid: number | undefined;

afterAll(() => {
  if (cliPid !== undefined && running(cliPid)) process.kill(cliPid, 'SIGKILL');
});

it('prints the addresses and stops everything on SIGINT', async () => {
  const cli = spawn(viteNode(), [join(here, '..', 'src', 'cli.ts'), 'hdfs'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  cliPid = cli.pid;
  let output = '';
  cli.stdout.on('data', (c: Buffer) => (output += c.toString('utf8')));
  cli.stderr.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));

  await waitFor(
    () => output.includes('Press Ctrl-C to stop.') || output.includes('sluice-testkit:'),
    {
      description: 'the CLI to report ready',
      timeoutMs: 120_000,
      intervalMs: 100,
    },
  );
  expect(output).toMatch(/WebHDFS: http:\/\/127\.0\.0\.1:\d+\/webhdfs\/v1/);
  expect(output).toMatch(/export SLUICE_WEBHDFS_URL=/);
  const logFile = /log: (\S+)/.exec(output)?.[1];
  expect(logFile).toBeDefined();
  const pidFiles = readdirRun();
  const jvm = pidFiles.find((pid) =>
    readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dirname(logFile ?? '/!/!')),
  );
  expect(jvm, `JVM for ${String(logFile)}`).toBeDefined();

  cli.kill('SIGINT');
  expect(await exited).toBe(0);
  expect(output).toContain('Stopped.');
  await waitFor(() => !running(jvm ?? 0), {
    description: 'the HDFS JVM to be gone',
    timeoutMs: 15_000,
    intervalMs: 100,
  });
});

/** Pids of running JVMs that have a pid file in the default run dir. */
function readdirRun(): number[] {
  const out: number[] = [];
  const runDir = join(
    process.env['SLUICE_CACHE_DIR'] ?? join(process.env['HOME'] ?? '', '.cache', 'sluice'),
    'run',
  );
  for (const name of existsSync(runDir) ? readdirSyncSafe(runDir) : []) {
    const pid = Number(/-(\d+)\.json$/.exec(name)?.[1]);
    if (pid > 0 && running(pid)) out.push(pid);
  }
  return out;
}

function readdirSyncSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
