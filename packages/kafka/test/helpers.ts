// Helpers of the integration tests: the shared broker, unique names, kafkajs clients, waiting.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { resolveKafkaJars } from '@sluice/testkit';
import { Kafka, logLevel } from 'kafkajs';
import type { Admin, Consumer, EachMessagePayload, Message } from 'kafkajs';
import { afterAll, beforeAll, inject } from 'vitest';
import { createReadCommittedConsumer } from '../src/sink/transactions/kafkajs-internals.js';

/** The broker started by global-setup.ts. */
export function brokers(): string[] {
  return inject('sluiceKafka').bootstrapServers;
}

/** A unique name for a topic, group or transactional id. */
export function uniqueName(kind: string): string {
  return `${kind}-${randomBytes(6).toString('hex')}`;
}

/** A kafkajs client for the shared broker, quiet unless something is wrong. */
export function kafkaClient(clientId = uniqueName('test-client')): Kafka {
  return new Kafka({ clientId, brokers: brokers(), logLevel: logLevel.NOTHING, retry: { retries: 8 } });
}

/** Creates a topic (and waits for its leaders); returns its name. */
export async function createTopic(admin: Admin, options: { partitions?: number; name?: string } = {}): Promise<string> {
  const topic = options.name ?? uniqueName('topic');
  await admin.createTopics({ topics: [{ topic, numPartitions: options.partitions ?? 1, replicationFactor: 1 }], waitForLeaders: true });
  return topic;
}

/** What {@link useKafkaAdminAndDir} sets up for a test file. */
export interface KafkaAdminAndDir {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly dir: string;
}

/**
 * Registers `beforeAll`/`afterAll` hooks of a test file: a kafkajs client with a connected admin
 * and a fresh temporary directory (prefix `dirPrefix`). `beforeCleanup` runs first in `afterAll`;
 * then the admin disconnects and the directory is removed. Read the fields inside tests.
 */
export function useKafkaAdminAndDir(dirPrefix: string, beforeCleanup?: () => void): KafkaAdminAndDir {
  let kafka: Kafka | undefined;
  let admin: Admin | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    kafka = kafkaClient();
    admin = kafka.admin();
    await admin.connect();
    dir = await mkdtemp(join(tmpdir(), dirPrefix));
  });
  afterAll(async () => {
    beforeCleanup?.();
    await admin?.disconnect();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });
  const set = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useKafkaAdminAndDir: read inside a test, after beforeAll');
    return value;
  };
  return {
    get kafka() {
      return set(kafka);
    },
    get admin() {
      return set(admin);
    },
    get dir() {
      return set(dir);
    },
  };
}

/**
 * Sends `messages` to `topic` (in order, 5000 a request) and checks that the topic grew by exactly
 * `messages.length` records, so a test never blames the source for duplicates in its input.
 *
 * The producer is idempotent on purpose: a plain kafkajs producer re-sends a whole request when one
 * partition of it fails, duplicating the partitions that had succeeded. That happens on a loaded
 * machine right after `createTopics({ waitForLeaders: true })`: the broker already reports the
 * leader in its metadata while one partition still answers NOT_LEADER_OR_FOLLOWER for a moment.
 * The broker drops the re-sent batches of an idempotent producer. Only for topics no one else
 * writes to while this runs.
 */
export async function produceExactly(kafka: Kafka, topic: string, messages: readonly Message[]): Promise<void> {
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await Promise.all([admin.connect(), producer.connect()]);
  try {
    const before = await recordsIn(admin, topic);
    for (let start = 0; start < messages.length; start += 5000) {
      await producer.send({ topic, messages: messages.slice(start, start + 5000) });
    }
    const added = (await recordsIn(admin, topic)) - before;
    if (added !== messages.length) throw new Error(`topic ${topic} grew by ${added} records, ${messages.length} were sent`);
  } finally {
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  }
}

/** The records `topic` holds, counted by its high watermarks. */
async function recordsIn(admin: Admin, topic: string): Promise<number> {
  let total = 0;
  // The same moment after createTopics: a partition can answer NOT_LEADER_OR_FOLLOWER (retriable).
  await waitUntil(`the high watermarks of topic ${topic}`, async () => {
    try {
      total = (await admin.fetchTopicOffsets(topic)).reduce((n, o) => n + Number(o.high), 0);
      return true;
    } catch (error) {
      if ((error as { retriable?: unknown }).retriable === true) return false;
      throw error;
    }
  });
  return total;
}

/**
 * Produces `values` to a 2-partition `topic` (record i to partition i % 2), then an `END` marker
 * to each partition, through {@link produceExactly}.
 */
export async function produceToTwoPartitionsWithEndMarkers(kafka: Kafka, topic: string, values: readonly string[]): Promise<void> {
  await produceExactly(kafka, topic, [
    ...values.map((value, i) => ({ value, partition: i % 2 })),
    { value: 'END', partition: 0 },
    { value: 'END', partition: 1 },
  ]);
}

/** Polls `check` until it returns true or `timeoutMs` passes; the error says what was awaited. */
export async function waitUntil(
  description: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A record as read back by {@link readAll}. */
export interface ReadRecord {
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  readonly value: string;
}

/**
 * Reads a topic from the beginning with a fresh group until `expected` records were seen and the
 * end offsets (of `read_committed` or not) are reached, or the deadline passes.
 */
export async function readAll(
  kafka: Kafka,
  options: { topic: string; isolation: 'read_committed' | 'read_uncommitted'; expected: number; timeoutMs?: number },
): Promise<ReadRecord[]> {
  const config = { groupId: uniqueName('reader'), readUncommitted: options.isolation === 'read_uncommitted', maxWaitTimeInMs: 100 };
  // read_committed through the correct aborted-record filter (kafkajs's own leaks, see src/internal/read-committed.ts)
  const consumer: Consumer = options.isolation === 'read_committed' ? createReadCommittedConsumer(kafka, config) : kafka.consumer(config);
  const seen: ReadRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: options.topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ partition, message }: EachMessagePayload) => {
        seen.push({
          partition,
          offset: Number(message.offset),
          key: message.key === null ? null : message.key.toString('utf8'),
          value: message.value?.toString('utf8') ?? '',
        });
        return Promise.resolve();
      },
    });
    await waitUntil(`${options.expected} records on ${options.topic} (${options.isolation})`, () => seen.length >= options.expected, options.timeoutMs ?? 30_000);
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

/**
 * Writes one committed marker into every partition and reads read_committed until all markers
 * showed up: everything before them is decided (committed or aborted) by then.
 */
/** How many already-seen log positions the marker reader was handed again (for test reports). */
export const readerRedeliveries = { count: 0 };
/** Positions (`partition:offset`) of each value read by the last marker read. */
export const lastPositions = new Map<string, string[]>();
/** Partition → the `thread` header values of the records read by the last marker read. */
export const lastWriterThreads = new Map<number, Set<string>>();

export async function readCommittedUntilMarkers(kafka: Kafka, admin: Admin, topic: string): Promise<string[]> {
  const partitions = (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]?.partitions.map((p) => p.partitionId) ?? [];
  const marker = uniqueName('marker');
  const producer = kafka.producer({ transactionalId: uniqueName('marker-txn'), idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const txn = await producer.transaction();
  await txn.send({ topic, messages: partitions.map((partition) => ({ partition, value: marker })) });
  await txn.commit();
  await producer.disconnect();
  const records: string[] = [];
  lastPositions.clear();
  lastWriterThreads.clear();
  const positions = new Set<string>();
  let redelivered = 0;
  let markers = 0;
  // kafkajs's own read_committed filter leaks aborted records of interleaved transactions
  const consumer = createReadCommittedConsumer(kafka, { groupId: uniqueName('reader'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        const value = message.value?.toString('utf8') ?? '';
        // A consumer may be handed the same log position twice (a rebalance re-fetches from the
        // last committed offset); count each position once: a sink duplicate has its own offset.
        const position = `${partition}:${message.offset}`;
        if (positions.has(position)) {
          redelivered += 1;
          return Promise.resolve();
        }
        positions.add(position);
        if (value === marker) markers += 1;
        else {
          records.push(value);
          const pid = message.headers?.['pid']?.toString();
          lastPositions.set(value, [...(lastPositions.get(value) ?? []), pid === undefined ? position : `${position} (pid ${pid})`]);
          const thread = message.headers?.['thread']?.toString();
          if (thread !== undefined) lastWriterThreads.set(partition, (lastWriterThreads.get(partition) ?? new Set()).add(thread));
        }
        return Promise.resolve();
      },
    });
    await waitUntil(`the ${partitions.length} markers on ${topic}`, () => markers === partitions.length);
    if (redelivered > 0) readerRedeliveries.count += redelivered;
  } finally {
    await consumer.disconnect();
  }
  return records;
}


/**
 * Reads `topic` from the beginning with Kafka's own Java console consumer
 * (`--isolation-level read_committed`, run from the testkit's Kafka jars) until `maxMessages`
 * values were printed or 60 s pass without one; returns the printed values.
 */
export async function readWithJavaConsoleConsumer(topic: string, maxMessages: number): Promise<string[]> {
  const lib = await resolveKafkaJars();
  const { stdout } = await promisify(execFile)(
    'java',
    [
      '-cp',
      `${lib}/*`,
      'org.apache.kafka.tools.consumer.ConsoleConsumer',
      '--bootstrap-server',
      brokers().join(','),
      '--topic',
      topic,
      '--from-beginning',
      '--isolation-level',
      'read_committed',
      '--max-messages',
      String(maxMessages),
      '--timeout-ms',
      '60000',
    ],
    { timeout: 180_000, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout.split('\n');
}
