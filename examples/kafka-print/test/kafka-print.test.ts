// Runs the example as a user does (`node dist/main.js --topic … --brokers …`), types two lines into
// the testkit's console producer (`npx sluice-testkit produce --topic …`), waits until they are
// printed, then stops the job with Ctrl-C.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject, expect, it } from 'vitest';
import { createKafkaTopic, injectKafka } from '@sluice/testkit';

const kafka = injectKafka(inject);
const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
/** What `npx sluice-testkit` runs. */
const testkitCli = join(dirname(createRequire(import.meta.url).resolve('@sluice/testkit/package.json')), 'dist', 'cli.js');

async function waitFor(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

it('prints every record of the topic and stops on Ctrl-C', async () => {
  const topic = `test1-${Math.random().toString(36).slice(2, 8)}`;
  await createKafkaTopic({ brokers: kafka.bootstrapServers, topic });

  const child = spawn(process.execPath, [main, '--topic', topic, '--brokers', kafka.bootstrapServers.join(',')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    // Type two lines into the console producer.
    const produce = spawn(process.execPath, [testkitCli, 'produce', '--topic', topic, '--brokers', kafka.bootstrapServers.join(',')], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let produceErr = '';
    produce.stderr.on('data', (chunk: Buffer) => (produceErr += chunk.toString('utf8')));
    produce.stdin.end('hello\nsluice\n');
    const produced = await new Promise<number | null>((resolve) => produce.on('exit', (code) => resolve(code)));
    expect(produced, produceErr).toBe(0);
    expect(produceErr).toContain(`sent 2 records to ${topic}`);
    await waitFor(`both lines on stdout (stdout: ${stdout}, stderr: ${stderr})`, () => stdout.includes('sluice\n'));
    expect(stdout).toBe('hello\nsluice\n');
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(0);
  } finally {
    child.kill('SIGKILL');
  }
});
