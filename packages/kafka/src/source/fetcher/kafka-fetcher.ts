/**
 * Reads a fixed set of partitions with a kafkajs consumer, without consumer-group rebalancing
 * deciding anything (kafkajs has no public `assign()`).
 *
 * How: every source subtask run gets its own single-member *fetch group*
 * (`<groupId>.sluice-fetch.<subtask>.<random>`), whose partition assigner hands that one member
 * exactly the partitions Flink's formula gave the subtask. The fetch group never commits offsets;
 * positions come from the source's checkpointed state through `seek` (after the consumer starts and
 * after every (re)join), and records below the expected position are dropped, so a fetch from
 * another position before a seek applies can never emit anything twice. Offsets are committed to
 * the user's `groupId`, which has no members, exactly as Java's `assign()` + `commitAsync` does.
 */
import { randomBytes } from 'node:crypto';
import type { Batch as KafkaJsBatch, Consumer, Kafka, PartitionAssigner } from 'kafkajs';
import { kafkajs } from '../../internal/kafkajs.js';
import { wrapKafkaJsError } from '../../errors.js';
import { filterFetchResponse } from '../../internal/read-committed.js';
import { isFetchedRecordBatches, isLazyBatch } from '../../internal/kafkajs-fetch-decoding.js';
import type { FetchedRecordBatches, LazyBatch } from '../../internal/kafkajs-fetch-decoding.js';
import { createInstrumentedConsumer } from '../../sink/transactions/kafkajs-internals.js';
import type { InternalFetchRequest } from '../../sink/transactions/kafkajs-internals.js';
import type { TopicPartition } from '../../internal/topic-partition.js';
import type { KafkaConsumerRecord } from '../kafka-deserialization-schema.js';
import { FetchSizer } from './fetch-sizer.js';

/**
 * What the fetcher hands the source for each batch. Records are decoded (or converted from
 * kafkajs's messages) one at a time when read ({@link FetchedBatch.record}), so that a batch of
 * thousands of small records is not held as objects while it is processed.
 */
export interface FetchedBatch {
  readonly topic: string;
  readonly partition: number;
  /** Number of records in the batch. */
  readonly size: number;
  /** The record at `index` (0 ≤ index < size, in offset order). */
  record(index: number): KafkaConsumerRecord;
  /** The partition's high watermark when the batch was fetched. */
  readonly highWatermark: number;
}

/** Control given with each batch. */
export interface BatchControl {
  /** False once the fetcher is stopping or the assignment became stale: stop processing the batch. */
  isRunning(): boolean;
  /** Keeps the fetch group's session alive during long processing. */
  heartbeat(): Promise<void>;
}

/** Options of {@link KafkaFetcher}. */
export interface KafkaFetcherOptions {
  readonly kafka: Kafka;
  /** The user's group id; the fetch group name is derived from it. */
  readonly groupId: string;
  readonly subtaskIndex: number;
  readonly partitions: readonly TopicPartition[];
  /** The next offset to read of a partition (last emitted + 1). */
  readonly nextOffset: (tp: TopicPartition) => number;
  readonly readCommitted: boolean;
  /** Longest time a fetch waits for data, ms (Flink's `flink.poll-timeout`). */
  readonly maxWaitTimeMs: number;
  /** Most record bytes per partition and fetch (`max.partition.fetch.bytes`; see {@link FetchSizer}). */
  readonly maxBytesPerPartition: number;
  /** Most record bytes per fetch (`fetch.max.bytes`; see {@link FetchSizer}). */
  readonly maxBytes: number;
  /** Processes one batch; records arrive in offset order. Throwing stops the fetcher. */
  readonly onBatch: (batch: FetchedBatch, control: BatchControl) => Promise<void>;
  /** Called when the consumer crashes for good (not on a normal stop). */
  readonly onCrash: (error: Error) => void;
}

const ASSIGNER_NAME = 'SluiceFixedAssignment';

function fixedAssigner(partitions: readonly TopicPartition[]): PartitionAssigner {
  const assignment: Record<string, number[]> = {};
  for (const tp of partitions) (assignment[tp.topic] ??= []).push(tp.partition);
  return () => ({
    name: ASSIGNER_NAME,
    version: 1,
    protocol: ({ topics }) => ({
      name: ASSIGNER_NAME,
      metadata: kafkajs.AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }),
    }),
    assign: ({ members }) =>
      Promise.resolve(
        members.map((member, index) => ({
          memberId: member.memberId,
          memberAssignment: kafkajs.AssignerProtocol.MemberAssignment.encode({
            version: 1,
            assignment: index === 0 ? assignment : {},
            userData: Buffer.alloc(0),
          }),
        })),
      ),
  });
}

/** The headers of every record that has none (most records): one shared, frozen object. */
const NO_HEADERS: Readonly<Record<string, readonly Uint8Array[]>> = Object.freeze({});

function headersOf(headers: Record<string, unknown> | undefined): Readonly<Record<string, readonly Uint8Array[]>> {
  if (headers === undefined) return NO_HEADERS;
  const entries = Object.entries(headers);
  if (entries.length === 0) return NO_HEADERS;
  const out: Record<string, Uint8Array[]> = {};
  for (const [key, raw] of entries) {
    if (raw === undefined) continue;
    const values = Array.isArray(raw) ? raw : [raw];
    out[key] = values.map((v) => (typeof v === 'string' ? Buffer.from(v, 'utf8') : (v as Uint8Array)));
  }
  return out;
}

/** The source's view of a kafkajs batch: a {@link LazyBatch}, or kafkajs's own with decoded messages. */
function fetchedBatchOf(batch: KafkaJsBatch | LazyBatch): FetchedBatch {
  const { topic, partition } = batch;
  const highWatermark = Number(batch.highWatermark);
  if (isLazyBatch(batch)) return { topic, partition, size: batch.size, record: (index) => batch.record(index), highWatermark };
  const { messages } = batch;
  const record = (index: number): KafkaConsumerRecord => {
    const m = messages[index]!;
    return {
      key: m.key ?? null,
      value: m.value ?? null,
      topic,
      partition,
      offset: Number(m.offset),
      timestamp: Number(m.timestamp),
      headers: headersOf(m.headers),
    };
  };
  return { topic, partition, size: messages.length, record, highWatermark };
}

/** `request` with the byte limits the sizer gives for the next fetch. */
function withLimits(request: InternalFetchRequest, sizer: FetchSizer): InternalFetchRequest {
  const { fetchBytes, partitionBytes } = sizer.limits();
  return {
    ...request,
    maxBytes: fetchBytes,
    topics: request.topics.map((topic) => ({
      ...topic,
      partitions: topic.partitions.map((partition) => ({ ...partition, maxBytes: partitionBytes })),
    })),
  };
}

/** The decoded fetch response, as far as the fetcher reads it. */
interface DecodedFetchResponse {
  readonly responses?: readonly {
    readonly partitions?: readonly {
      readonly messages?:
        | readonly { readonly key?: Uint8Array | null; readonly value?: Uint8Array | null }[]
        | FetchedRecordBatches;
    }[];
  }[];
}

/**
 * Takes the fetched records over undecoded (kafkajs-fetch-decoding.ts: kafkajs then builds a
 * `LazyBatch`), and tells the sizer how many records of how many bytes the fetch returned.
 */
function takeOverRecords(response: unknown, sizer: FetchSizer): void {
  let records = 0;
  let bytes = 0;
  for (const topic of (response as DecodedFetchResponse | null)?.responses ?? []) {
    for (const partition of topic.partitions ?? []) {
      const { messages } = partition;
      if (isFetchedRecordBatches(messages)) {
        messages.decodeLazily();
        records += messages.recordCount;
        bytes += messages.recordBytes;
        continue;
      }
      for (const message of messages ?? []) {
        records += 1;
        bytes += (message.key?.byteLength ?? 0) + (message.value?.byteLength ?? 0);
      }
    }
  }
  sizer.observe(records, bytes);
}

/** A running kafkajs consumer over a fixed assignment. */
export class KafkaFetcher {
  private consumer: Consumer | undefined;
  private stopping = false;
  /** Aborted by {@link KafkaFetcher.stop}: ends the fetch in flight (the `signal` of createInstrumentedConsumer's hooks). */
  private readonly fetches = new AbortController();

  constructor(private readonly options: KafkaFetcherOptions) {}

  /** Joins the fetch group, subscribes and starts fetching; resolves once fetching has started. */
  async start(): Promise<void> {
    const { options } = this;
    const fetchGroup = `${options.groupId}.sluice-fetch.${options.subtaskIndex}.${randomBytes(6).toString('hex')}`;
    const consumerConfig = {
      groupId: fetchGroup,
      partitionAssigners: [fixedAssigner(options.partitions)],
      readUncommitted: !options.readCommitted,
      maxWaitTimeInMs: options.maxWaitTimeMs,
      // The limits of each request are set by the sizer (below); these are the caps.
      maxBytesPerPartition: options.maxBytesPerPartition,
      maxBytes: options.maxBytes,
      allowAutoTopicCreation: false,
      retry: { retries: 5 },
    };
    const sizer = new FetchSizer({ maxBytes: options.maxBytes, maxPartitionBytes: options.maxBytesPerPartition });
    const consumer = createInstrumentedConsumer(options.kafka, consumerConfig, {
      request: (request) => withLimits(request, sizer),
      response: (response) => {
        takeOverRecords(response, sizer);
        // read_committed: kafkajs's own aborted-record filter leaks records of interleaved aborted
        // transactions (see internal/read-committed.ts); this filters them correctly first.
        if (options.readCommitted) filterFetchResponse(response);
      },
      signal: this.fetches.signal,
    });
    this.consumer = consumer;
    // Seeks go in at every (re)join, before the first fetch of that generation. kafkajs's run()
    // may resolve before the group is joined (it retries the join in the background), so seeking
    // right after run() is not possible; records fetched before a seek applies are dropped by the
    // source's "offset <= last emitted" filter.
    const seekAll = (): void => {
      for (const tp of options.partitions) {
        consumer.seek({ topic: tp.topic, partition: tp.partition, offset: String(options.nextOffset(tp)) });
      }
    };
    consumer.on(consumer.events.GROUP_JOIN, () => {
      if (!this.stopping) seekAll();
    });
    consumer.on(consumer.events.CRASH, (event) => {
      const { error, restart } = event.payload as { error: Error; restart: boolean };
      if (!restart && !this.stopping) options.onCrash(wrapKafkaJsError(error, { action: 'fetching records' }));
    });
    try {
      await consumer.connect();
      const topics = [...new Set(options.partitions.map((tp) => tp.topic))];
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: true,
        partitionsConsumedConcurrently: 1,
        eachBatch: async ({ batch, heartbeat, isRunning, isStale }) => {
          await options.onBatch(fetchedBatchOf(batch), {
            isRunning: () => !this.stopping && isRunning() && !isStale(),
            heartbeat,
          });
        },
      });
    } catch (error) {
      throw wrapKafkaJsError(error, { action: 'starting the consumer' });
    }
  }

  /**
   * Stops fetching and leaves the fetch group. Idempotent. The fetch in flight is not waited for
   * (a consumer whose partitions are all read long-polls for `flink.poll-timeout`): kafkajs's stop
   * has already marked the consumer stopped when the fetch is aborted, so it drops the empty answer
   * and leaves the group.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    const consumer = this.consumer;
    this.consumer = undefined;
    if (consumer === undefined) return;
    const disconnected = consumer.disconnect();
    this.fetches.abort();
    await disconnected;
  }
}
