// Runs the example as a user does (`node dist/main.js --topic … --brokers …`), types two lines into
// the example's console producer (`node dist/produce.js`), waits until they are printed, then
// stops the job with Ctrl-C.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { inject, expect, it } from 'vitest';
import { injectKafka } from '@sluice/testkit';

const kafka = injectKafka(inject);
const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const producerMain = fileURLToPath(new URL('../dist/produce.js', import.meta.url));

async function waitFor(what: string, condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

it('prints every record of the topic and stops on Ctrl-C', async () => {
  const topic = `test1-${Math.random().toString(36).slice(2, 8)}`;
  const client = new Kafka({ brokers: kafka.bootstrapServers, logLevel: logLevel.NOTHING });
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: false, topics: [{ topic, numPartitions: 1 }] });
  // Kafka 4 may answer UNKNOWN_TOPIC_OR_PARTITION for a moment after a create.
  let ready = false;
  while (!ready) {
    ready = await admin.fetchTopicOffsets(topic).then(() => true, () => false);
    if (!ready) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await admin.disconnect();

  const child = spawn(process.execPath, [main, '--topic', topic, '--brokers', kafka.bootstrapServers.join(',')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    // Type two lines into the example's console producer.
    const produce = spawn(process.execPath, [producerMain, '--topic', topic, '--brokers', kafka.bootstrapServers.join(',')], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let produceErr = '';
    produce.stderr.on('data', (chunk: Buffer) => (produceErr += chunk.toString('utf8')));
    produce.stdin.end('hello\nsluice\n');
    const produced = await new Promise<number | null>((resolve) => produce.on('exit', (code) => resolve(code)));
    expect(produced, produceErr).toBe(0);
    expect(produceErr).toContain('2 records sent');
    await waitFor(`both lines on stdout (stdout: ${stdout}, stderr: ${stderr})`, () => stdout.includes('sluice\n'));
    expect(stdout).toBe('hello\nsluice\n');
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(0);
  } finally {
    child.kill('SIGKILL');
  }
});
