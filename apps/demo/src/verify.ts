// Independent readers that count the demo's input and outputs: a kafkajs consumer (read_committed
// for the output topic), node:fs for local files and Hadoop's FsShell (-cat) for HDFS files. They
// share no code with the job, only the record format.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { createReadCommittedConsumer } from '@sluice/kafka';
import type { ClickEvent, EndMarker, UserAggregate } from './events.js';

/** What a reader found: record ids in the order read. */
export interface OutputCount {
  readonly name: string;
  readonly records: number;
  readonly lost: number;
  readonly duplicated: number;
  /** Users whose running counts are not exactly 1, 2, …, n (state lost or applied twice). */
  readonly inconsistentUsers: number;
}

async function waitFor(what: string, condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Reads every value of `topic` from the beginning. It first writes a marker into each partition
 * and reads until all markers arrived: with `readCommitted`, everything before a marker is decided
 * (committed or aborted) by then. Each log position is counted once.
 */
export async function readTopic(
  brokers: readonly string[],
  topic: string,
  options: { readonly readCommitted: boolean },
): Promise<Buffer[]> {
  const kafka = new Kafka({ brokers: [...brokers], clientId: 'sluice-demo-reader', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const partitions = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]?.partitions.map((p) => p.partitionId) ?? [];
  await admin.disconnect();
  const marker = `__reader-marker-${Math.random().toString(36).slice(2)}`;
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic, acks: -1, messages: partitions.map((partition) => ({ partition, value: marker })) });
  await producer.disconnect();

  const values: Buffer[] = [];
  const positions = new Set<string>();
  let markers = 0;
  const consumerConfig = {
    groupId: `sluice-demo-reader-${Math.random().toString(36).slice(2)}`,
    maxWaitTimeInMs: 100,
  };
  // kafkajs's own read_committed filter lets some aborted records through when transactions of
  // several producers interleave (as they do after a crash): @sluice/kafka's consumer filters right.
  const consumer = options.readCommitted
    ? createReadCommittedConsumer(kafka, consumerConfig)
    : kafka.consumer({ ...consumerConfig, readUncommitted: true });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const position = `${partition}:${message.offset}`;
        if (positions.has(position)) return; // re-delivered after a rebalance: same log position
        positions.add(position);
        const value = message.value ?? Buffer.alloc(0);
        if (value.toString('utf8') === marker) markers += 1;
        else values.push(value);
      },
    });
    await waitFor(`the reader's markers in all ${partitions.length} partitions of ${topic}`, () => markers === partitions.length, 60_000);
  } finally {
    await consumer.disconnect();
  }
  return values;
}

/** Lines of every finished part file under a local directory (hidden in-progress files skipped). */
export async function readLocalParts(directory: string): Promise<string[]> {
  const lines: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walk(path);
      else lines.push(...(await readFile(path, 'utf8')).split('\n').filter((line) => line !== ''));
    }
  };
  await walk(directory).catch((error: unknown) => {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  });
  return lines;
}

/** Counts output records against the input ids 0 … inputs-1 and checks each user's running counts. */
export function countOutput(name: string, lines: readonly string[], inputIds: ReadonlySet<number>): OutputCount {
  const seen = new Map<number, number>();
  const countsPerUser = new Map<string, Map<number, number>>();
  for (const line of lines) {
    const record = JSON.parse(line) as UserAggregate;
    seen.set(record.id, (seen.get(record.id) ?? 0) + 1);
    const counts = countsPerUser.get(record.user) ?? new Map<number, number>();
    counts.set(record.count, (counts.get(record.count) ?? 0) + 1);
    countsPerUser.set(record.user, counts);
  }
  let lost = 0;
  let duplicated = 0;
  for (const id of inputIds) {
    const times = seen.get(id) ?? 0;
    if (times === 0) lost += 1;
    else duplicated += times - 1;
  }
  for (const [id, times] of seen) if (!inputIds.has(id)) duplicated += times; // not an input at all
  let inconsistentUsers = 0;
  for (const counts of countsPerUser.values()) {
    const n = counts.size;
    for (let c = 1; c <= n; c += 1) {
      if (counts.get(c) !== 1) {
        inconsistentUsers += 1;
        break;
      }
    }
  }
  return { name, records: lines.length, lost, duplicated, inconsistentUsers };
}

/** Ids of the decoded input events (the end markers left out). */
export function inputIdsOf(events: readonly (ClickEvent | EndMarker)[]): Set<number> {
  const ids = new Set<number>();
  for (const event of events) if (!('end' in event)) ids.add(event.id);
  return ids;
}
