// Runs the demo the way a user does (`node dist/main.js`, which `npm run demo` starts after the
// build): a short bounded run on real Kafka + HDFS started by the demo itself, and a short chaos
// run with SIGKILLs. Checks the summary numbers and that every server the demo started is gone.
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const workDir = mkdtempSync(join(tmpdir(), 'sluice-demo-test-'));
const running = new Set<number>();

interface DemoRun {
  readonly code: number | null;
  readonly output: string;
  readonly pid: number;
}

function runDemo(args: readonly string[], timeoutMs: number): Promise<DemoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args, '--work-dir', workDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, INIT_CWD: workDir },
    });
    const pid = child.pid ?? -1;
    running.add(pid);
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    // Past the deadline: SIGINT (graceful: the demo stops the servers), SIGKILL 20 s later.
    const deadline = setTimeout(() => {
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(deadline);
      running.delete(pid);
      resolve({ code, output, pid });
    });
  });
}

/** Java processes the testkit started for `ownerPid` (its marker names the owner). */
function serversOf(ownerPid: number): string[] {
  const table = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
  return table
    .split('\n')
    .filter((line) => line.includes(`sluice.testkit.marker=kafka-${ownerPid}-`) || line.includes(`sluice.testkit.marker=hdfs-${ownerPid}-`));
}

async function expectNoServersLeft(ownerPid: number): Promise<void> {
  // The demo stops its servers before it exits; the watchdog would kill leftovers within ~1 s.
  const deadline = Date.now() + 15_000;
  while (serversOf(ownerPid).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  expect(serversOf(ownerPid), 'Java servers of the demo still running').toEqual([]);
}

afterAll(() => {
  for (const pid of running) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(workDir, { recursive: true, force: true });
});

describe('npm run demo', () => {
  it('prints --help and exits 0', async () => {
    const run = await runDemo(['--help'], 30_000);
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain('--checkpoint-interval');
    expect(run.output).toContain('--chaos');
  });

  it('rejects a bad option with a message naming it', async () => {
    const run = await runDemo(['--sink', 'nowhere'], 30_000);
    expect(run.code, run.output).toBe(2);
    expect(run.output).toContain("--sink takes kafka, hdfs, local or all (or a comma list), got 'nowhere'");
  });

  it('runs a bounded job on Kafka and HDFS it starts itself, exactly once, and stops the servers', async () => {
    const run = await runDemo(
      ['--records', '3000', '--rate', '1000', '--parallelism', '2', '--checkpoint-interval', '1000', '--sink', 'all'],
      150_000,
    );
    expect(run.output).toContain('3000 records in, 3000 out on Kafka, 3000 in files, 0 lost, 0 duplicated');
    expect(run.output).toMatch(/checkpoint #\d+ \(\d+ ms\)/);
    expect(run.output).toContain('files (FsShell -cat): 3000 records');
    expect(run.output).toMatch(/Dashboard: http:\/\/127\.0\.0\.1:\d+\/ \(Prometheus metrics at /);
    expect(run.code, run.output).toBe(0);
    await expectNoServersLeft(run.pid);
  });

  it('--chaos (Avro input): SIGKILLs the job at least 3 times and still counts every record once', async () => {
    const run = await runDemo(
      ['--chaos', '--kills', '3', '--seed', '11', '--records', '4000', '--rate', '800', '--checkpoint-interval', '500', '--sink', 'kafka,local', '--format', 'avro'],
      170_000,
    );
    expect(run.output).toContain('Chaos: 3 SIGKILLs');
    expect(run.output).toContain('4000 records in, 4000 out on Kafka, 4000 in files, 0 lost, 0 duplicated');
    expect(run.code, run.output).toBe(0);
    await expectNoServersLeft(run.pid);
  });
});
