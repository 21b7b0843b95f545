// Runs the example job in-process against a real broker: 100 lines (and some blank ones) in the
// topic end up upper-cased in finished part files, once each, and nothing more after a cancel.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, inject, it } from 'vitest';
import { injectKafka } from '@sluice/testkit';
import { kafkaToFiles } from '../src/kafka-to-files.js';
import { createTopicWith, partFileLines, waitForLines } from './helpers.js';

const kafka = injectKafka(inject);
const dir = mkdtempSync(join(tmpdir(), 'sluice-kafka-to-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Lines of every finished part file (hidden in-progress files skipped). */
const finishedLines = (root: string): string[] => partFileLines(root, ['.']);

it('copies a topic into part files exactly once', async () => {
  const topic = `input-${Math.random().toString(36).slice(2, 8)}`;
  const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`);
  await createTopicWith(kafka.bootstrapServers, topic, [...lines, '', '  ']);

  const output = join(dir, 'out');
  const env = kafkaToFiles({
    brokers: kafka.bootstrapServers.join(','),
    topic,
    outputDir: output,
    checkpointDir: join(dir, 'checkpoints'),
  });
  const handle = await env.executeAsync('kafka-to-files');
  try {
    await waitForLines(finishedLines, output, lines.length);
  } finally {
    await handle.cancel();
    await handle.result;
  }
  expect(finishedLines(output).sort()).toEqual(lines.map((line) => line.toUpperCase()).sort());
});
