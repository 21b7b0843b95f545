// Runs the BucketingSink example in-process against a real broker: every record ends up once in
// final part files (names without the `_` prefix of in-progress and pending parts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, inject, it } from 'vitest';
import { injectKafka } from '@sluice/testkit';
import { kafkaToBucketingSink } from '../src/kafka-to-bucketing-sink.js';
import { createTopicWith, partFileLines, waitForLines } from './helpers.js';

const kafka = injectKafka(inject);
const dir = mkdtempSync(join(tmpdir(), 'sluice-kafka-to-bucketing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Lines of every final part file (skips `_…in-progress`, `_…pending`, `_…valid-length`, hidden files). */
const finalLines = (root: string): string[] => partFileLines(root, ['_', '.']);

it('writes every record once into final part files', async () => {
  const topic = `legacy-${Math.random().toString(36).slice(2, 8)}`;
  const lines = Array.from({ length: 50 }, (_, i) => `event ${i}`);
  await createTopicWith(kafka.bootstrapServers, topic, lines);

  const output = join(dir, 'out');
  const handle = await kafkaToBucketingSink({
    brokers: kafka.bootstrapServers.join(','),
    topic,
    outputDir: output,
    checkpointDir: join(dir, 'checkpoints'),
  }).executeAsync('kafka-to-bucketing-sink');
  try {
    await waitForLines(finalLines, output, lines.length);
  } finally {
    await handle.cancel();
    await handle.result;
  }
  expect(finalLines(output).sort()).toEqual([...lines].sort());
});
