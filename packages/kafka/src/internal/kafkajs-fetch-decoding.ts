/**
 * Lazy decoding of fetched records for the Kafka source's consumers.
 *
 * kafkajs 2.2.4 decodes a whole fetch response before its consumer hands out the first record: a
 * message object per record (with a value view, a headers object, offset and timestamp strings,
 * ≈ 320 bytes), kept in three arrays by its `Batch` until every partition of the fetch has been
 * processed. Most of them outlive two young-generation collections and are promoted, so a job's
 * old generation fills with dead records between full collections (docs/benchmarks.md, "Peak RSS
 * in session 7"). The Java consumer decodes a record when it is polled; this module does the same
 * for Sluice's source:
 *
 * - kafkajs's record-set decoder (`src/protocol/requests/fetch/v4/decodeMessages.js`, used by fetch
 *   v4–v11) is replaced (see `kafkajs-module-replacement.ts`) by one that only reads the record
 *   batches' headers (and decompresses compressed batches) and returns them as a
 *   {@link FetchedRecordBatches};
 * - kafkajs's `Batch` (`src/consumer/batch.js`) is replaced by a factory: for a response whose
 *   records the source took over ({@link FetchedRecordBatches.decodeLazily}, called from the
 *   fetcher's response hook) it builds a {@link LazyBatch}, which finds the records' offsets with
 *   a few varint reads each and decodes a record only when it is read; for every other consumer
 *   (the records were not taken over) it decodes the messages exactly as kafkajs would have
 *   ({@link FetchedRecordBatches.toMessages}) and builds kafkajs's own `Batch` from them.
 *
 * A record set that is not in the v2 record-batch format, or whose offsets or timestamps go beyond
 * 2^53, is decoded by kafkajs's decoder as before.
 *
 * Internal: not exported from the package.
 */
import { KafkaError, KafkaErrorCode } from '../errors.js';
import type { KafkaConsumerRecord } from '../source/kafka-deserialization-schema.js';
import { replaceKafkaJsModule } from './kafkajs-module-replacement.js';
import { AbortedTransactions } from './aborted-transactions.js';
import type { AbortedTransaction } from './aborted-transactions.js';
import type { FetchedMessage } from './read-committed.js';
import { VarintReader } from './kafkajs-record-decoding.js';

/** Byte positions in a v2 record batch (the Kafka protocol's `RecordBatch`). */
const BATCH = {
  baseOffset: 0,
  length: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  attributes: 21,
  lastOffsetDelta: 23,
  firstTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
  records: 61,
} as const;

/** Bytes before a batch's `length` field counts (base offset and the length itself). */
const BATCH_PREFIX = 12;
/** kafkajs reads another batch while this many bytes are left (its `RECORD_BATCH_OVERHEAD`). */
const MIN_BATCH_BYTES_TO_READ = 49;
const RECORD_BATCH_MAGIC = 2;
const COMPRESSION_MASK = 0x07;
const LOG_APPEND_TIME_FLAG = 0x08;
const TRANSACTIONAL_FLAG = 0x10;
const CONTROL_FLAG = 0x20;
/** kafkajs's `TimestampTypes`. */
const CREATE_TIME = 0;
const LOG_APPEND_TIME = 1;
/** Key of an ABORT control record: version 0, type 0 (COMMIT is type 1). */
const ABORT_MARKER_TYPE = 0;

/** One v2 record batch of a fetched partition, its records not decoded. */
export interface RecordBatchView {
  /** The whole batch (header and records as fetched). */
  readonly bytes: Buffer;
  readonly baseOffset: number;
  readonly firstTimestamp: number;
  readonly maxTimestamp: number;
  readonly logAppendTime: boolean;
  readonly producerId: bigint;
  readonly transactional: boolean;
  readonly control: boolean;
  /** Number of records in {@link RecordBatchView.records} (0 for an empty batch). */
  readonly recordCount: number;
  /** The records, each a varint length and the record (decompressed if the batch was compressed). */
  readonly records: Buffer;
  /** Marked when the batch belongs to an aborted transaction (read_committed); never handed out. */
  aborted: boolean;
}

/** kafkajs's `Decoder`, as far as this module uses it. */
interface KafkaJsDecoder {
  buffer: Buffer;
  offset: number;
  readVarIntBytes(): Buffer | null;
}
type DecoderClass = new (buffer: Buffer) => KafkaJsDecoder;
/** A compression codec of kafkajs (`src/protocol/message/compression`). */
interface Codec {
  decompress(buffer: Buffer): Promise<Buffer>;
}
type LookupCodec = (attributes: number) => Codec | null;
/** kafkajs's record decoder (`src/protocol/recordBatch/record/v0/decoder.js`). */
type RecordDecoder = (decoder: KafkaJsDecoder, batchContext: object) => FetchedMessage;
type DecodeMessages = (decoder: KafkaJsDecoder) => Promise<unknown>;

/** The kafkajs modules the lazy decoding needs, loaded once when it is installed. */
interface KafkaJsParts {
  readonly Decoder: DecoderClass;
  readonly lookupCodecByAttributes: LookupCodec;
  /** The record decoder kafkajs uses now (kafkajs-record-decoding.ts's replacement, if installed). */
  readonly recordDecoder: () => RecordDecoder;
}
let parts: KafkaJsParts | undefined;

/** kafkajs's batch context of a record batch, field for field as its batch decoder builds it. */
function kafkaJsBatchContext(batch: RecordBatchView): object {
  const { bytes } = batch;
  const attributes = bytes.readInt16BE(BATCH.attributes);
  return {
    firstOffset: bytes.readBigInt64BE(BATCH.baseOffset).toString(),
    firstTimestamp: bytes.readBigInt64BE(BATCH.firstTimestamp).toString(),
    partitionLeaderEpoch: bytes.readInt32BE(BATCH.partitionLeaderEpoch),
    inTransaction: (attributes & TRANSACTIONAL_FLAG) > 0,
    isControlBatch: (attributes & CONTROL_FLAG) > 0,
    lastOffsetDelta: bytes.readInt32BE(BATCH.lastOffsetDelta),
    producerId: bytes.readBigInt64BE(BATCH.producerId).toString(),
    producerEpoch: bytes.readInt16BE(BATCH.producerEpoch),
    firstSequence: bytes.readInt32BE(BATCH.baseSequence),
    maxTimestamp: bytes.readBigInt64BE(BATCH.maxTimestamp).toString(),
    timestampType: (attributes & LOG_APPEND_TIME_FLAG) > 0 ? LOG_APPEND_TIME : CREATE_TIME,
    magicByte: RECORD_BATCH_MAGIC,
  };
}

/** Whether a control batch is an ABORT marker (its record's key has type 0). */
function isAbortMarker(batch: RecordBatchView): boolean {
  if (batch.recordCount === 0) return false;
  const reader = new VarintReader(batch.records);
  reader.unsigned(); // the record's length
  reader.offset += 1; // attributes
  reader.signed(); // timestamp delta
  reader.signed(); // offset delta
  const key = reader.bytes();
  return key !== null && key.length >= 4 && key.readInt16BE(2) === ABORT_MARKER_TYPE;
}

/**
 * Marks of the two classes below, recognised across copies of this module: the kafkajs module
 * cache is one per process, so the decoder that made an object may come from another copy of the
 * package (another version installed beside this one, or a test's fresh module graph), where
 * `instanceof` would say no. The version changes when the objects' shape does.
 */
const RECORDS_MARK = Symbol.for('@sluice/kafka:FetchedRecordBatches@1');
const BATCH_MARK = Symbol.for('@sluice/kafka:LazyBatch@1');

/** Whether `value` is a {@link FetchedRecordBatches} (of any copy of this module). */
export function isFetchedRecordBatches(value: unknown): value is FetchedRecordBatches {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[RECORDS_MARK] === true;
}

/** Whether `value` is a {@link LazyBatch} (of any copy of this module). */
export function isLazyBatch(value: unknown): value is LazyBatch {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BATCH_MARK] === true;
}

/** The records of one fetched partition, as {@link lazyRecordSetDecoder} left them. */
export class FetchedRecordBatches {
  readonly [RECORDS_MARK] = true;
  private lazy = false;

  constructor(readonly batches: readonly RecordBatchView[]) {}

  /** Records in all batches (control records, aborted ones and any below the fetch offset included). */
  get recordCount(): number {
    let count = 0;
    for (const batch of this.batches) count += batch.recordCount;
    return count;
  }

  /** Bytes of all records (with their per-record framing of a few bytes). */
  get recordBytes(): number {
    let bytes = 0;
    for (const batch of this.batches) bytes += batch.records.length;
    return bytes;
  }

  /** Hands the records to a {@link LazyBatch} instead of kafkajs's `Batch` (the source's consumers). */
  decodeLazily(): void {
    this.lazy = true;
  }

  /** Whether {@link FetchedRecordBatches.decodeLazily} was called. */
  get decodedLazily(): boolean {
    return this.lazy;
  }

  /**
   * Marks the batches of aborted transactions as the Java consumer does (read_committed): in
   * offset order, every aborted transaction whose first offset is at or before a batch's last
   * offset is active for its producer until that producer's ABORT marker, and a transactional
   * batch of an active producer is aborted. Returns how many batches were marked.
   */
  markAborted(abortedTransactions: readonly AbortedTransaction[]): number {
    if (abortedTransactions.length === 0) return 0;
    const aborted = new AbortedTransactions(abortedTransactions);
    let marked = 0;
    for (const batch of this.batches) {
      aborted.reach(BigInt(batch.baseOffset + batch.bytes.readInt32BE(BATCH.lastOffsetDelta)));
      if (batch.control) {
        if (isAbortMarker(batch)) aborted.end(batch.producerId);
      } else if (batch.transactional && aborted.aborts(batch.producerId) && !batch.aborted) {
        batch.aborted = true;
        marked += 1;
      }
    }
    return marked;
  }

  /** The messages kafkajs's own decoder returns for these bytes (the same objects, field for field). */
  toMessages(): FetchedMessage[] {
    const { Decoder, recordDecoder } = parts!;
    const decode = recordDecoder();
    const messages: FetchedMessage[] = [];
    for (const batch of this.batches) {
      const context = kafkaJsBatchContext(batch);
      const records = new Decoder(batch.records);
      for (let i = 0; i < batch.recordCount; i++) {
        messages.push(decode(new Decoder(records.readVarIntBytes()!), context));
      }
    }
    return messages;
  }
}

/**
 * Reads the record batches of a record set (`bytes`, its size field excluded). Returns undefined
 * when the set is for kafkajs's decoder: offsets or timestamps beyond 2^53.
 */
async function viewRecordBatches(bytes: Buffer): Promise<RecordBatchView[] | undefined> {
  const batches: RecordBatchView[] = [];
  let position = 0;
  // As kafkajs: the last batch may be cut off by the fetch's byte limit; it is dropped.
  while (bytes.length - position >= MIN_BATCH_BYTES_TO_READ) {
    const length = bytes.readInt32BE(position + BATCH.length);
    if (length < BATCH.records - BATCH_PREFIX || bytes.length - position - BATCH_PREFIX < length) break;
    const view = bytes.subarray(position, position + BATCH_PREFIX + length);
    position += BATCH_PREFIX + length;
    const baseOffset = Number(view.readBigInt64BE(BATCH.baseOffset));
    const lastOffset = baseOffset + view.readInt32BE(BATCH.lastOffsetDelta);
    const firstTimestamp = Number(view.readBigInt64BE(BATCH.firstTimestamp));
    const maxTimestamp = Number(view.readBigInt64BE(BATCH.maxTimestamp));
    if (![lastOffset, firstTimestamp, maxTimestamp].every((n) => Number.isSafeInteger(n) && Math.abs(n) < 2 ** 52)) return undefined;
    const attributes = view.readInt16BE(BATCH.attributes);
    const declared = view.readInt32BE(BATCH.recordCount);
    const recordCount = Math.max(0, declared);
    let records = view.subarray(BATCH.records);
    const codec = parts!.lookupCodecByAttributes(attributes);
    if (codec !== null && (attributes & COMPRESSION_MASK) !== 0) {
      records = recordCount === 0 ? Buffer.alloc(0) : await codec.decompress(records);
    }
    batches.push({
      bytes: view,
      baseOffset,
      firstTimestamp,
      maxTimestamp,
      logAppendTime: (attributes & LOG_APPEND_TIME_FLAG) !== 0,
      producerId: view.readBigInt64BE(BATCH.producerId),
      transactional: (attributes & TRANSACTIONAL_FLAG) !== 0,
      control: (attributes & CONTROL_FLAG) !== 0,
      recordCount,
      records,
      aborted: false,
    });
  }
  return batches;
}

/**
 * kafkajs's record-set decoder, reading only the batches' headers (see the module comment);
 * `load` loads kafkajs's modules that the decoding needs.
 */
export function lazyRecordSetDecoder(original: DecodeMessages, load: (module: string) => unknown): DecodeMessages {
  parts = {
    Decoder: load('kafkajs/src/protocol/decoder.js') as DecoderClass,
    lookupCodecByAttributes: (load('kafkajs/src/protocol/message/compression/index.js') as { lookupCodecByAttributes: LookupCodec })
      .lookupCodecByAttributes,
    recordDecoder: () => load('kafkajs/src/protocol/recordBatch/record/v0/decoder.js') as RecordDecoder,
  };
  return async (decoder) => {
    const start = decoder.offset;
    const { buffer } = decoder;
    if (buffer.length - start < 4) return original(decoder);
    const size = buffer.readInt32BE(start);
    // Empty, cut off, or not the v2 format (magic 0/1 message sets): kafkajs's decoder.
    if (size < BATCH.records || buffer.length - start - 4 < size || buffer[start + 4 + BATCH.magic] !== RECORD_BATCH_MAGIC) {
      return original(decoder);
    }
    const batches = await viewRecordBatches(buffer.subarray(start + 4, start + 4 + size));
    if (batches === undefined) return original(decoder);
    decoder.offset = start + 4 + size;
    return new FetchedRecordBatches(batches);
  };
}

/** A fetched partition as kafkajs's consumer group passes it to `new Batch(...)`. */
interface PartitionData {
  readonly partition: number;
  readonly highWatermark: string;
  readonly abortedTransactions?: readonly AbortedTransaction[] | null;
  messages: unknown;
}

/** The message kafkajs's runner reads from the end of `batch.messages` (its offset only). */
interface OffsetOnly {
  readonly offset: string;
}

/**
 * kafkajs's `Batch` over {@link FetchedRecordBatches} taken over by the source: the same answers
 * to kafkajs's consumer (empty, filtered, first and last offset, lag), and
 * {@link LazyBatch.record} decodes the records one at a time for the source.
 *
 * Records below the fetch offset, control records and records of aborted transactions (marked
 * beforehand by {@link FetchedRecordBatches.markAborted}) count for the consumer's position, as
 * in kafkajs, and are never handed out.
 */
export class LazyBatch {
  readonly [BATCH_MARK] = true;
  readonly topic: string;
  readonly partition: number;
  readonly highWatermark: string;
  readonly fetchedOffset: string;
  /** Records handed out. */
  readonly size: number;
  private readonly batches: readonly RecordBatchView[];
  /** Batch index and byte position (after the length) of each record handed out. */
  private readonly batchOf: Int32Array;
  private readonly positionOf: Int32Array;
  private readonly rawCount: number;
  /** Records at or above the fetch offset (handed out or not), and their first and last offsets. */
  private readonly withinCount: number;
  private readonly firstWithin: number;
  private readonly lastWithin: number;
  private readonly lastHandedOut: number;
  private readonly controlWithin: boolean;
  private cachedMessages: OffsetOnly[] | undefined;

  constructor(topic: string, fetchedOffset: string, partitionData: PartitionData & { messages: FetchedRecordBatches }) {
    const records = partitionData.messages;
    this.topic = topic;
    this.partition = partitionData.partition;
    this.highWatermark = partitionData.highWatermark;
    this.fetchedOffset = fetchedOffset;
    this.batches = records.batches;
    const from = Number(fetchedOffset);
    const total = records.recordCount;
    const batchOf = new Int32Array(total);
    const positionOf = new Int32Array(total);
    let size = 0;
    let withinCount = 0;
    let firstWithin = -1;
    let lastWithin = -1;
    let lastHandedOut = -1;
    let controlWithin = false;
    for (let b = 0; b < this.batches.length; b++) {
      const batch = this.batches[b]!;
      const reader = new VarintReader(batch.records);
      const hidden = batch.control || batch.aborted;
      for (let i = 0; i < batch.recordCount; i++) {
        const length = reader.signed();
        const position = reader.offset;
        if (length <= 0 || position + length > batch.records.length) throw corruptBatch(topic, this.partition, batch);
        reader.offset += 1; // attributes
        reader.signed(); // timestamp delta
        const offset = batch.baseOffset + reader.signed();
        reader.offset = position + length;
        if (offset < from) continue;
        withinCount += 1;
        if (firstWithin < 0) firstWithin = offset;
        lastWithin = offset;
        if (hidden) {
          controlWithin = true;
          continue;
        }
        batchOf[size] = b;
        positionOf[size] = position;
        lastHandedOut = offset;
        size += 1;
      }
      if (reader.offset !== batch.records.length) throw corruptBatch(topic, this.partition, batch);
    }
    this.rawCount = total;
    this.size = size;
    this.batchOf = batchOf;
    this.positionOf = positionOf;
    this.withinCount = withinCount;
    this.firstWithin = firstWithin;
    this.lastWithin = lastWithin;
    this.lastHandedOut = lastHandedOut;
    this.controlWithin = controlWithin;
  }

  /**
   * What kafkajs's runner reads of `batch.messages`: its length and the offset of its last message.
   * The other entries are holes: the source reads records through {@link LazyBatch.record}.
   */
  get messages(): readonly OffsetOnly[] {
    if (this.cachedMessages === undefined) {
      const messages = new Array<OffsetOnly>(this.size);
      if (this.size > 0) messages[this.size - 1] = { offset: String(this.lastHandedOut) };
      this.cachedMessages = messages;
    }
    return this.cachedMessages;
  }

  /** The record handed out at `index` (0 ≤ index < size, in offset order), decoded now. */
  record(index: number): KafkaConsumerRecord {
    const batch = this.batches[this.batchOf[index]!]!;
    const reader = new VarintReader(batch.records);
    reader.offset = this.positionOf[index]! + 1; // after the attributes
    const timestampDelta = reader.signed();
    const offset = batch.baseOffset + reader.signed();
    const key = reader.bytes();
    const value = reader.bytes();
    const headerCount = reader.signed();
    let headers: Record<string, (Buffer | null)[]> = NO_HEADERS;
    if (headerCount > 0) {
      headers = {};
      for (let i = 0; i < headerCount; i++) {
        const name = reader.string() as string;
        const headerValue = reader.bytes();
        const values = Object.hasOwn(headers, name) ? headers[name]! : [];
        values.push(headerValue);
        // An own property even for "__proto__".
        Object.defineProperty(headers, name, { value: values, enumerable: true, writable: true, configurable: true });
      }
    }
    return {
      key,
      value,
      topic: this.topic,
      partition: this.partition,
      offset,
      timestamp: batch.logAppendTime ? batch.maxTimestamp : batch.firstTimestamp + timestampDelta,
      headers: headers as Record<string, Uint8Array[]>,
    };
  }

  isEmpty(): boolean {
    return this.size === 0;
  }

  isEmptyIncludingFiltered(): boolean {
    return this.withinCount === 0;
  }

  isEmptyDueToFiltering(): boolean {
    return this.isEmpty() && this.rawCount > 0;
  }

  isEmptyControlRecord(): boolean {
    return this.isEmpty() && this.controlWithin;
  }

  isEmptyDueToLogCompactedMessages(): boolean {
    return this.rawCount > 0 && this.isEmptyIncludingFiltered();
  }

  firstOffset(): string | null {
    return this.isEmptyIncludingFiltered() ? null : String(this.firstWithin);
  }

  lastOffset(): string {
    if (this.isEmptyDueToLogCompactedMessages()) return this.fetchedOffset;
    if (this.isEmptyIncludingFiltered()) return String(BigInt(this.highWatermark) - 1n);
    return String(this.lastWithin);
  }

  offsetLag(): string {
    return String(BigInt(this.highWatermark) - 1n - BigInt(this.lastOffset()));
  }

  offsetLagLow(): string {
    if (this.isEmptyIncludingFiltered()) return '0';
    return String(BigInt(this.highWatermark) - 1n - BigInt(this.firstOffset()!));
  }
}

/** The error for a record batch whose records do not fill it exactly (kafkajs checks no CRC either). */
function corruptBatch(topic: string, partition: number, batch: RecordBatchView): KafkaError {
  return new KafkaError(
    `The record batch at offset ${batch.baseOffset} of ${topic}/${partition} is corrupt: its ${batch.recordCount} record(s) ` +
      `do not fill its ${batch.records.length} bytes. Check the topic with kafka-dump-log.sh; the source cannot go past it.`,
    { code: KafkaErrorCode.KAFKA_PROTOCOL, topic, partition, offset: batch.baseOffset },
  );
}

/** The headers of a record without headers: one shared, frozen object. */
const NO_HEADERS: Record<string, (Buffer | null)[]> = Object.freeze({}) as Record<string, (Buffer | null)[]>;

type BatchClass = new (topic: string, fetchedOffset: string, partitionData: PartitionData) => object;

/** kafkajs's `Batch`, or a {@link LazyBatch} for records the source took over. */
export function lazyBatchFactory(original: BatchClass): BatchClass {
  return function Batch(topic: string, fetchedOffset: string, partitionData: PartitionData): object {
    const { messages } = partitionData;
    if (!isFetchedRecordBatches(messages)) return new original(topic, fetchedOffset, partitionData);
    if (messages.decodedLazily) return new LazyBatch(topic, fetchedOffset, { ...partitionData, messages });
    partitionData.messages = messages.toMessages();
    return new original(topic, fetchedOffset, partitionData);
  } as unknown as BatchClass;
}

/** Installs both replacements; returns whether kafkajs will use them. */
export function installLazyFetchDecoding(): boolean {
  const batch = replaceKafkaJsModule<BatchClass>({
    module: 'kafkajs/src/consumer/batch.js',
    capturedBy: ['kafkajs/src/consumer/consumerGroup.js'],
    replace: lazyBatchFactory,
  });
  // Without the Batch factory, kafkajs could not read a FetchedRecordBatches: both or neither.
  if (!batch) return false;
  return replaceKafkaJsModule<DecodeMessages>({
    module: 'kafkajs/src/protocol/requests/fetch/v4/decodeMessages.js',
    capturedBy: ['v4', 'v5', 'v7', 'v8', 'v11'].map((v) => `kafkajs/src/protocol/requests/fetch/${v}/response.js`),
    replace: lazyRecordSetDecoder,
  });
}

installLazyFetchDecoding();
