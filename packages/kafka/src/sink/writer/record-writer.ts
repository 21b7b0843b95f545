/**
 * Turns records into Kafka messages (serialize, pick topic and partition) and sends them in
 * batches through a `sendBatch` target (a producer, or a kafkajs transaction), keeping track of
 * what is in flight and of the first asynchronous failure (Flink's `asyncException`).
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
  /** Batches in flight before `write` waits. @defaultValue 4 */
  readonly maxInFlight?: number;
  readonly sendErrors?: Counter;
  /** Counts key + value bytes of every acknowledged record (the `numBytesOut` metric). */
  readonly bytesOut?: Counter;
}

function byteLength(value: Message['key'] | Message['value']): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'string' ? Buffer.byteLength(value) : value.length;
}

/** The bytes as a Buffer (what kafkajs takes): a Buffer as it is, other views wrapped without a copy. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const LINGER_MS = 5;

/** Name of the sink's counter of key + value bytes sent (Flink's `numBytesOut`; dashboards read it). */
export const NUM_BYTES_OUT = 'numBytesOut';

/** Serializes, partitions and sends records in batches. */
export class RecordWriter<TRecord> {
  private target: SendBatch | undefined;
  private buffer = new Map<string, Message[]>();
  private buffered = 0;
  private bufferedBytes = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private asyncError: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly partitionsByTopic = new Map<string, readonly number[]>();
  private readonly batchSize: number;
  private readonly maxInFlight: number;

  constructor(private readonly options: RecordWriterOptions<TRecord>) {
    this.batchSize = options.batchSize ?? 500;
    this.maxInFlight = options.maxInFlight ?? 4;
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

  /** Sends everything buffered and waits for every send; then rethrows a failure if one happened. */
  async flush(): Promise<void> {
    do {
      this.sendBuffered();
      while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    } while (this.buffered > 0);
    this.checkErroneous();
  }

  /** Records not yet acknowledged (buffered or in flight). */
  get pendingBatches(): number {
    return this.inFlight.size + (this.buffered > 0 ? 1 : 0);
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
    const list = this.buffer.get(topic) ?? [];
    list.push(message);
    this.buffer.set(topic, list);
    this.buffered += 1;
    this.bufferedBytes += byteLength(message.key) + byteLength(message.value);
    if (this.buffered >= this.batchSize) this.sendBuffered();
    else if (this.timer === undefined) this.timer = setTimeout(() => this.sendBuffered(), LINGER_MS);
    if (this.inFlight.size >= this.maxInFlight) return Promise.race([...this.inFlight]);
    return undefined;
  }

  private sendBuffered(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.buffered === 0) return;
    const target = this.target;
    if (target === undefined) throw new TypeError('RecordWriter has no target');
    const topicMessages = [...this.buffer].map(([topic, messages]) => ({ topic, messages }));
    const count = this.buffered;
    const bytes = this.bufferedBytes;
    this.buffer = new Map();
    this.buffered = 0;
    this.bufferedBytes = 0;
    const sending: Promise<void> = target({ topicMessages, acks: -1 }).then(
      () => this.options.bytesOut?.inc(bytes),
      (error: unknown) => this.onSendError(error, { count, topics: topicMessages.map((t) => t.topic) }),
    );
    const tracked = sending.finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
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
