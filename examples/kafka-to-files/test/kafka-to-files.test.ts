// Runs the example job in-process against a real broker: 100 lines (and some blank ones) in the
// topic end up upper-cased in finished part files, once each, and nothing more after a cancel.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, expect, inject, it } from 'vitest';
import { injectKafka } from '@sluice/testkit';
import { kafkaToFiles } from '../src/kafka-to-files.js';

const kafka = injectKafka(inject);
const dir = mkdtempSync(join(tmpdir(), 'sluice-kafka-to-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Lines of every finished part file (hidden in-progress files skipped). */
function finishedLines(root: string): string[] {
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return []; // nothing written yet
  }
  return entries
    .filter((entry) => !entry.name.startsWith('.'))
    .flatMap((entry) =>
      entry.isDirectory()
        ? finishedLines(join(root, entry.name))
        : readFileSync(join(root, entry.name), 'utf8').split('\n').filter((l) => l !== ''),
    );
}

it('copies a topic into part files exactly once', async () => {
  const topic = `input-${Math.random().toString(36).slice(2, 8)}`;
  const client = new Kafka({ brokers: kafka.bootstrapServers, logLevel: logLevel.NOTHING });
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: false, topics: [{ topic, numPartitions: 2 }] });
  await admin.disconnect();
  const producer = client.producer();
  await producer.connect();
  const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`);
  await producer.send({ topic, messages: [...lines, '', '  '].map((value) => ({ value })) });
  await producer.disconnect();

  const output = join(dir, 'out');
  const env = kafkaToFiles({
    brokers: kafka.bootstrapServers.join(','),
    topic,
    outputDir: output,
    checkpointDir: join(dir, 'checkpoints'),
  });
  const handle = await env.executeAsync('kafka-to-files');
  try {
    const deadline = Date.now() + 60_000;
    while (finishedLines(output).length < lines.length) {
      if (Date.now() > deadline) throw new Error(`saw ${finishedLines(output).length} of ${lines.length} lines in ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await handle.cancel();
    await handle.result;
  }
  expect(finishedLines(output).sort()).toEqual(lines.map((line) => line.toUpperCase()).sort());
});
