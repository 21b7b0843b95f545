// Helpers of the example's tests: a topic filled with lines, and reading back part files.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';

/** Creates `topic` with 2 partitions on `brokers` and produces `values` to it, one record each. */
export async function createTopicWith(brokers: string[], topic: string, values: readonly string[]): Promise<void> {
  const client = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const admin = client.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: false, topics: [{ topic, numPartitions: 2 }] });
  await admin.disconnect();
  const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 }); // a retried send must not duplicate lines
  await producer.connect();
  await producer.send({ topic, messages: values.map((value) => ({ value })) });
  await producer.disconnect();
}

/**
 * Non-empty lines of every file below `root` (recursively), skipping entries whose name starts
 * with one of `skippedPrefixes`; none when `root` does not exist yet.
 */
export function partFileLines(root: string, skippedPrefixes: readonly string[]): string[] {
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return []; // nothing written yet
  }
  return entries
    .filter((entry) => !skippedPrefixes.some((prefix) => entry.name.startsWith(prefix)))
    .flatMap((entry) =>
      entry.isDirectory()
        ? partFileLines(join(root, entry.name), skippedPrefixes)
        : readFileSync(join(root, entry.name), 'utf8').split('\n').filter((l) => l !== ''),
    );
}

/** Polls `lines(output)` every 100 ms until it has `expected` lines; throws after 60 s. */
export async function waitForLines(lines: (root: string) => string[], output: string, expected: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (lines(output).length < expected) {
    if (Date.now() > deadline) throw new Error(`saw ${lines(output).length} of ${expected} lines in ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
