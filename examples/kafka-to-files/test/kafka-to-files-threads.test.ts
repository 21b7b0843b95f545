// Runs the example job on two task threads against a real broker (from dist/: task threads import
// the built kafka-to-files.js): every line once, and the worker thread's subtask wrote part of them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, inject, it } from 'vitest';
import { injectKafka } from '@sluice/testkit';
import { kafkaToFilesOnThreads } from '../dist/kafka-to-files-threads.js';
import { createTopicWith, partFileLines, waitForLines } from './helpers.js';

const kafka = injectKafka(inject);
const dir = mkdtempSync(join(tmpdir(), 'sluice-kafka-to-files-threads-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const finishedLines = (root: string): string[] => partFileLines(root, ['.']);

it('copies a topic into part files exactly once with its two subtasks on two threads', async () => {
  const topic = `threads-${Math.random().toString(36).slice(2, 8)}`;
  const lines = Array.from({ length: 200 }, (_, i) => `line ${i}`);
  await createTopicWith(kafka.bootstrapServers, topic, lines);

  const output = join(dir, 'out');
  const env = await kafkaToFilesOnThreads({
    brokers: kafka.bootstrapServers.join(','),
    topic,
    outputDir: output,
    checkpointDir: join(dir, 'checkpoints'),
  });
  const handle = await env.executeAsync('kafka-to-files-threads');
  let written: Record<string, unknown> = {};
  try {
    await waitForLines(finishedLines, output, lines.length);
  } finally {
    await handle.cancel();
    written = (await handle.result).metrics;
  }
  expect(finishedLines(output).sort()).toEqual(lines.map((line) => line.toUpperCase()).sort());
  // Each subtask read one partition of two; subtask 1 ran on the worker thread.
  expect(written['kafka-to-files-threads.file-sink.0.numRecordsIn']).toBeGreaterThan(0);
  expect(written['kafka-to-files-threads.file-sink.1.numRecordsIn']).toBeGreaterThan(0);
});
