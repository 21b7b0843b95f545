/**
 * `KafkaSink` (Flink 1.6's `FlinkKafkaProducer011`) for NONE and AT_LEAST_ONCE: records are
 * serialized, partitioned (FixedPartitioner by default) and sent in batches; with
 * AT_LEAST_ONCE a checkpoint waits until every record sent before it is acknowledged.
 */
import type {
  CheckpointedFunction,
  Counter,
  FunctionInitializationContext,
  FunctionSnapshotContext,
  Partitioner,
  RichFunction,
  RuntimeContext,
  Sink,
  SinkContext,
} from '@sluice/core';
import type { Admin, Producer } from 'kafkajs';
import { KafkaError, KafkaErrorCode, wrapKafkaJsError } from '../errors.js';
import { createKafkaJsClient } from '../internal/kafka-client.js';
import type { KafkaConnectionOptions } from '../internal/kafka-client.js';
import type { KafkaLogger } from '../internal/logger.js';
import type { KafkaSerializationSchema } from './kafka-serialization-schema.js';
// Circular on purpose: each module uses the other only when called, never at load time.
import { KafkaSinkBuilder } from './kafka-sink-builder.js';
import { NUM_BYTES_OUT, RecordWriter } from './writer/record-writer.js';

/** Delivery guarantee of a {@link KafkaSink} (Flink's `FlinkKafkaProducer011.Semantic`). */
export const DeliveryGuarantee = {
  /** Records may be lost or duplicated on failure. */
  NONE: 'NONE',
  /** Nothing acknowledged is lost; records may be written twice after a restore. */
  AT_LEAST_ONCE: 'AT_LEAST_ONCE',
  /** Kafka transactions committed when checkpoints complete (needs `read_committed` readers). */
  EXACTLY_ONCE: 'EXACTLY_ONCE',
} as const;

/** One of {@link DeliveryGuarantee}. */
export type DeliveryGuarantee = (typeof DeliveryGuarantee)[keyof typeof DeliveryGuarantee];

/** Everything a Kafka sink is built from (made by {@link KafkaSinkBuilder}). */
export interface KafkaSinkConfig<TRecord> {
  readonly connection: KafkaConnectionOptions;
  readonly defaultTopic: string;
  readonly serializer: KafkaSerializationSchema<TRecord>;
  readonly partitioner: Partitioner<TRecord> | null;
  readonly deliveryGuarantee: DeliveryGuarantee;
  readonly transactionalIdPrefix: string | undefined;
  readonly transactionTimeoutMs: number;
  readonly ignoreFailuresAfterTransactionTimeout: boolean;
  readonly producerPoolSize: number;
  readonly logFailuresOnly: boolean;
  readonly flushOnCheckpoint: boolean;
  readonly writeTimestampToKafka: boolean;
  readonly retries: number;
  readonly logger: KafkaLogger;
}

/**
 * Writes a stream to Kafka. Build one with {@link KafkaSink.builder}. This class handles NONE and
 * AT_LEAST_ONCE; `build()` returns the transactional implementation for EXACTLY_ONCE.
 *
 * @typeParam TRecord - the records written
 */
export class KafkaSink<TRecord> implements Sink<TRecord>, CheckpointedFunction, RichFunction {
  private producer: Producer | undefined;
  private admin: Admin | undefined;
  private writer: RecordWriter<TRecord> | undefined;
  private guarantee: DeliveryGuarantee;
  private flushOnCheckpoint: boolean;
  private sendErrors: Counter | undefined;

  /** @internal Use {@link KafkaSink.builder}. */
  constructor(private readonly config: KafkaSinkConfig<TRecord>) {
    this.guarantee = config.deliveryGuarantee;
    this.flushOnCheckpoint = config.flushOnCheckpoint;
  }

  /** Starts building a sink. */
  static builder<TRecord>(): KafkaSinkBuilder<TRecord> {
    return new KafkaSinkBuilder<TRecord>();
  }

  /** No state of its own; present so the runtime calls `snapshotState` (the flush point). */
  initializeState(_context: FunctionInitializationContext): void {
    return undefined;
  }

  /** Connects the producer and opens the partitioner and the serializer. */
  async open(context: RuntimeContext): Promise<void> {
    const { config } = this;
    if (!context.isCheckpointingEnabled) {
      if (this.guarantee !== DeliveryGuarantee.NONE) {
        config.logger.warn(`Checkpointing is off, so the Kafka sink runs with delivery guarantee NONE instead of ${this.guarantee}.`);
        this.guarantee = DeliveryGuarantee.NONE;
      }
      if (this.flushOnCheckpoint) {
        config.logger.warn('flushOnCheckpoint has no effect without checkpointing; it is turned off.');
        this.flushOnCheckpoint = false;
      }
    }
    config.partitioner?.open?.(context.subtaskIndex, context.parallelism);
    await config.serializer.open?.();
    const kafka = createKafkaJsClient(config.connection, config.logger);
    this.admin = kafka.admin();
    this.producer = kafka.producer({ retry: { retries: config.retries }, allowAutoTopicCreation: false });
    try {
      await this.admin.connect();
      await this.producer.connect();
    } catch (error) {
      throw wrapKafkaJsError(error, { action: 'connecting the sink', hint: 'Check bootstrapServers, TLS and SASL settings.' });
    }
    this.sendErrors = context.metricGroup.counter('sendErrors');
    const producer = this.producer;
    this.writer = new RecordWriter({
      serializer: config.serializer,
      defaultTopic: config.defaultTopic,
      partitioner: config.partitioner,
      admin: this.admin,
      logFailuresOnly: config.logFailuresOnly,
      writeTimestamp: config.writeTimestampToKafka,
      logger: config.logger,
      sendErrors: this.sendErrors,
      bytesOut: context.metricGroup.counter(NUM_BYTES_OUT),
    });
    this.writer.setTarget((batch) => producer.sendBatch(batch));
  }

  /** Rethrows a stored send failure, then queues the record. */
  invoke(value: TRecord, context: SinkContext): void | Promise<void> {
    const writer = this.writer;
    if (writer === undefined) {
      throw new KafkaError('KafkaSink.invoke was called before open().', { code: KafkaErrorCode.KAFKA_CLIENT_ERROR });
    }
    return writer.write(value, context.timestamp);
  }

  /** Rethrows a stored send failure; with flushOnCheckpoint waits until nothing is pending. */
  async snapshotState(context: FunctionSnapshotContext): Promise<void> {
    const writer = this.writer;
    if (writer === undefined) return;
    writer.checkErroneous();
    if (this.flushOnCheckpoint) {
      await writer.flush();
      if (writer.pendingBatches !== 0) {
        throw new KafkaError(`Records are still pending after flushing for checkpoint ${context.checkpointId}.`, {
          code: KafkaErrorCode.KAFKA_SEND_FAILED,
          checkpointId: context.checkpointId,
        });
      }
    }
  }

  /** Flushes, closes the producer, then rethrows a stored send failure. */
  async close(): Promise<void> {
    const writer = this.writer;
    let failure: unknown;
    try {
      await writer?.flush();
    } catch (error) {
      failure = error;
    }
    await this.producer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
    this.producer = undefined;
    this.admin = undefined;
    this.writer = undefined;
    if (failure !== undefined) throw failure;
  }
}
