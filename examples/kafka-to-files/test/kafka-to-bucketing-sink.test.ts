// Runs the BucketingSink example in-process against a real broker: every record ends up once in
// final part files (names without the `_` prefix of in-progress and pending parts).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, expect, inject, it } from 'vitest';
import { injectKafka } from '@sluice/testkit';
import { kafkaToBucketingSink } from '../src/kafka-to-bucketing-sink.js';

const kafka = injectKafka(inject);
const dir = mkdtempSync(join(tmpdir(), 'sluice-kafka-to-bucketing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Lines of every final part file (skips `_…in-progress`, `_…pending`, `_…valid-length`, hidden files). */
function finalLines(root: string): string[] {
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => !entry.name.startsWith('_') && !entry.name.startsWith('.'))
    .flatMap((entry) =>
      entry.isDirectory()
        ? finalLines(join(root, entry.name))
        : readFileSync(join(root, entry.name), 'utf8').split('\n').filter((l) => l !== ''),
    );
}

it('writes every record once into final part files', async () => {
  const topic = `legacy-${Math.random().toString(36).slice(2, 8)}`;
  const client = new Kafka({ brokers: kafka.bootstrapServers, logLevel: logLevel.NOTHING });
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: false, topics: [{ topic, numPartitions: 2 }] });
  await admin.disconnect();
  const producer = client.producer();
  await producer.connect();
  const lines = Array.from({ length: 50 }, (_, i) => `event ${i}`);
  await producer.send({ topic, messages: lines.map((value) => ({ value })) });
  await producer.disconnect();

  const output = join(dir, 'out');
  const handle = await kafkaToBucketingSink({
    brokers: kafka.bootstrapServers.join(','),
    topic,
    outputDir: output,
    checkpointDir: join(dir, 'checkpoints'),
  }).executeAsync('kafka-to-bucketing-sink');
  try {
    const deadline = Date.now() + 60_000;
    while (finalLines(output).length < lines.length) {
      if (Date.now() > deadline) throw new Error(`saw ${finalLines(output).length} of ${lines.length} lines in ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await handle.cancel();
    await handle.result;
  }
  expect(finalLines(output).sort()).toEqual([...lines].sort());
});
