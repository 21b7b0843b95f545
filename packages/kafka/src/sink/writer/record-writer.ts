/**
 * Turns records into Kafka messages (serialize, pick topic and partition) and sends them in
 * batches through a `sendBatch` target (a producer, or a kafkajs transaction), keeping track of
 * what is in flight and of the first asynchronous failure (Flink's `asyncException`).
 *
 * One batch is in flight at a time, and the records that arrive meanwhile make the next batch (as
 * the Java producer's accumulator does while a request is out). kafkajs does not keep concurrent
 * sends in order: a send can overtake an earlier one in its asynchronous steps before the socket
 * (metadata, broker lookup), so with several batches in flight records of one partition reached
 * the broker out of order (measured: the third batch of 500 behind the fourth, every run).
 */
import { CoreErrorCode, SerdeError } from '@sluice/core';
import type { Counter, Partitioner } from '@sluice/core';
import type { Admin, Message } from 'kafkajs';
import { KafkaError, KafkaErrorCode, wrapKafkaJsError } from '../../errors.js';
import type { KafkaLogger } from '../../internal/logger.js';
import type { KafkaSerializationSchema } from '../kafka-serialization-schema.js';
import { keyHashPartition } from '../partitioners/murmur2.js';

/** Where batches go: `producer.sendBatch` or `transaction.sendBatch`. */
export type SendBatch = (batch: { topicMessages: { topic: string; messages: Message[] }[]; acks: number }) => Promise<unknown>;

/** Options of {@link RecordWriter}. */
export interface RecordWriterOptions<TRecord> {
  readonly serializer: KafkaSerializationSchema<TRecord>;
  readonly defaultTopic: string;
  /** `null`: Kafka's key hashing (murmur2), round-robin for null keys. */
  readonly partitioner: Partitioner<TRecord> | null;
  readonly admin: Admin;
  readonly logFailuresOnly: boolean;
  readonly writeTimestamp: boolean;
  readonly logger: KafkaLogger;
  /** Messages per batch before it is sent. @defaultValue 500 */
  readonly batchSize?: number;
  /**
   * Key, value and header bytes per batch: a record that would take a batch beyond this is sent in
   * the next one. Each partition's part of a batch is one Kafka record batch, which the broker
   * refuses above its `message.max.bytes` (1 MiB by default); 500 records of 2 KB would be.
   * @defaultValue 512 KiB
   */
  readonly batchBytes?: number;
  readonly sendErrors?: Counter;
  /** Counts key, value and header bytes of every acknowledged record (the `numBytesOut` metric). */
  readonly bytesOut?: Counter;
}

function byteLength(value: Message['key'] | Message['value']): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

/** Key, value and header bytes of a message (what it adds to a record batch, framing aside). */
function messageBytes(message: Message): number {
  let bytes = byteLength(message.key) + byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    bytes += Buffer.byteLength(name);
    for (const item of Array.isArray(value) ? value : [value]) bytes += byteLength(item as Message['value']);
  }
  return bytes;
}

/** The bytes as a Buffer (what kafkajs takes): a Buffer as it is, other views wrapped without a copy. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const LINGER_MS = 5;

/** Name of the sink's counter of key, value and header bytes sent (Flink's `numBytesOut`; dashboards read it). */
export const NUM_BYTES_OUT = 'numBytesOut';

/** Records waiting to be sent together, by topic. */
interface Batch {
  readonly messages: Map<string, Message[]>;
  count: number;
  bytes: number;
}

/** Serializes, partitions and sends records in batches, one batch in flight at a time. */
export class RecordWriter<TRecord> {
  private target: SendBatch | undefined;
  /** Batches waiting, in the order their records were written; only the last one takes more. */
  private readonly waiting: Batch[] = [];
  /** The batch in flight and what follows it (resolves once it is acknowledged or failed and the next one is out). */
  private inFlight: Promise<void> | undefined;
  private asyncError: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly partitionsByTopic = new Map<string, readonly number[]>();
  private readonly batchSize: number;
  private readonly batchBytes: number;

  constructor(private readonly options: RecordWriterOptions<TRecord>) {
    this.batchSize = options.batchSize ?? 500;
    this.batchBytes = options.batchBytes ?? 512 * 1024;
  }

  /** Directs the following records to `target` (flush before switching). */
  setTarget(target: SendBatch): void {
    this.target = target;
  }

  /** Rethrows (once) the first asynchronous send failure (Flink's `checkErroneous`). */
  checkErroneous(): void {
    const error = this.asyncError;
    if (error === undefined) return;
    this.asyncError = undefined;
    throw error;
  }

  /** Serializes and queues one record; returns a promise when too much is in flight. */
  write(record: TRecord, timestamp: number | undefined): void | Promise<void> {
    this.checkErroneous();
    const { serializer } = this.options;
    let key: Uint8Array | null;
    let value: Uint8Array | null;
    let topic: string;
    let headers: Readonly<Record<string, Uint8Array | string>> | null | undefined;
    try {
      key = serializer.serializeKey(record);
      value = serializer.serializeValue(record);
      topic = serializer.getTargetTopic(record) ?? this.options.defaultTopic;
      headers = serializer.getHeaders?.(record);
    } catch (error) {
      throw new SerdeError(
        `Could not serialize a record for Kafka: ${error instanceof Error ? error.message : String(error)}.`,
        { code: CoreErrorCode.SERDE_SERIALIZE_FAILED, cause: error },
      );
    }
    const message: Message = {
      key: key === null ? null : asBuffer(key),
      value: value === null ? null : asBuffer(value),
    };
    if (headers != null) {
      message.headers = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, typeof v === 'string' ? v : asBuffer(v)]));
    }
    if (this.options.writeTimestamp && timestamp !== undefined) message.timestamp = String(timestamp);
    const partitions = this.partitionsByTopic.get(topic);
    if (partitions === undefined) {
      return this.loadPartitions(topic).then(() => this.enqueue({ record, topic, message }));
    }
    return this.enqueue({ record, topic, message });
  }

  /** Sends everything waiting and waits for every send; then rethrows a failure if one happened. */
  async flush(): Promise<void> {
    while (this.inFlight !== undefined || this.waiting.length > 0) {
      if (this.inFlight === undefined) this.sendNext();
      await this.inFlight;
    }
    this.checkErroneous();
  }

  /** Batches not yet acknowledged (waiting or in flight). */
  get pendingBatches(): number {
    return (this.inFlight === undefined ? 0 : 1) + this.waiting.length;
  }

  private async loadPartitions(topic: string): Promise<void> {
    try {
      const metadata = await this.options.admin.fetchTopicMetadata({ topics: [topic] });
      const ids = (metadata.topics[0]?.partitions ?? []).map((p) => p.partitionId).sort((a, b) => a - b);
      if (ids.length === 0) {
        throw new KafkaError(`Topic ${topic} has no partitions.`, { code: KafkaErrorCode.KAFKA_NO_PARTITIONS, topic });
      }
      this.partitionsByTopic.set(topic, ids);
    } catch (error) {
      throw wrapKafkaJsError(error, { action: 'reading partitions of the target topic', topic, hint: 'The sink does not create topics.' });
    }
  }

  private enqueue(input: { record: TRecord; topic: string; message: Message }): void | Promise<void> {
    const { record, topic, message } = input;
    const partitions = this.partitionsByTopic.get(topic)!;
    if (this.options.partitioner !== null) {
      message.partition = this.options.partitioner.partition(record, {
        key: message.key instanceof Buffer ? message.key : null,
        value: message.value instanceof Buffer ? message.value : new Uint8Array(0),
        topic,
        partitions,
      });
    } else if (message.key instanceof Buffer) {
      message.partition = partitions[keyHashPartition(message.key, partitions.length)];
    }
    const bytes = messageBytes(message);
    let batch = this.waiting.at(-1);
    if (batch === undefined || this.isFull(batch) || batch.bytes + bytes > this.batchBytes) {
      batch = { messages: new Map(), count: 0, bytes: 0 };
      this.waiting.push(batch);
    }
    const list = batch.messages.get(topic);
    if (list === undefined) batch.messages.set(topic, [message]);
    else list.push(message);
    batch.count += 1;
    batch.bytes += bytes;
    if (this.inFlight !== undefined) {
      // Back-pressure once a full batch waits behind the one in flight.
      return this.waiting.length > 1 || this.isFull(batch) ? this.inFlight : undefined;
    }
    if (this.waiting.length > 1 || this.isFull(batch)) this.sendNext();
    else this.timer ??= setTimeout(() => this.sendNext(), LINGER_MS);
    return undefined;
  }

  private isFull(batch: Batch): boolean {
    return batch.count >= this.batchSize || batch.bytes >= this.batchBytes;
  }

  /** Sends the oldest waiting batch, unless one is in flight (it then goes out when that one is done). */
  private sendNext(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.inFlight !== undefined) return;
    const batch = this.waiting.shift();
    if (batch === undefined) return;
    const target = this.target;
    if (target === undefined) throw new TypeError('RecordWriter has no target');
    const topicMessages = [...batch.messages].map(([topic, messages]) => ({ topic, messages }));
    const { count, bytes } = batch;
    const sending: Promise<void> = target({ topicMessages, acks: -1 }).then(
      () => this.options.bytesOut?.inc(bytes),
      (error: unknown) => this.onSendError(error, { count, topics: topicMessages.map((t) => t.topic) }),
    );
    this.inFlight = sending.then(() => {
      this.inFlight = undefined;
      // What arrived meanwhile has waited long enough: it goes out at once, without lingering.
      this.sendNext();
    });
  }

  private onSendError(error: unknown, batch: { count: number; topics: string[] }): void {
    this.options.sendErrors?.inc(batch.count);
    const topic = batch.topics.length === 1 ? batch.topics[0] : undefined;
    const wrapped = wrapKafkaJsError(error, {
      action: `sending ${batch.count} record(s)`,
      ...(topic === undefined ? {} : { topic }),
      fallbackCode: KafkaErrorCode.KAFKA_SEND_FAILED,
    });
    if (this.options.logFailuresOnly) {
      this.options.logger.warn(`Failed to send data to Kafka (logFailuresOnly is set, the records count as written): ${wrapped.message}`, {
        error: wrapped,
      });
      return;
    }
    this.asyncError ??= wrapped;
  }
}
