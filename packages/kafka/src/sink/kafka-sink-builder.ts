/**
 * `KafkaSinkBuilder`: collects the options of a Kafka sink and validates all of them in
 * `build()`, naming the option at fault.
 */
import type { CheckpointListener, CheckpointedFunction, Partitioner, RichFunction, SerializationSchema, Sink } from '@sluice/core';
import { invalidOption } from '../errors.js';
import { validateConnectionOptions } from '../internal/kafka-client.js';
import type { KafkaSaslOptions, KafkaTlsOptions } from '../internal/kafka-client.js';
import { SILENT_LOGGER } from '../internal/logger.js';
import type { KafkaLogger } from '../internal/logger.js';
import { valueOnlySerializer } from './kafka-serialization-schema.js';
import type { KafkaSerializationSchema } from './kafka-serialization-schema.js';
// Circular on purpose (kafka-sink.ts ↔ this file): used only when called, never at load time.
import { ExactlyOnceKafkaSink } from './exactly-once-kafka-sink.js';
import { DeliveryGuarantee, KafkaSink } from './kafka-sink.js';
import type { KafkaSinkConfig } from './kafka-sink.js';
import { FixedPartitioner } from './partitioners/fixed-partitioner.js';
import { DEFAULT_PRODUCER_POOL_SIZE } from './transactions/transactional-ids.js';

/** What `build()` returns: a sink with the checkpoint hooks the runtime calls. */
export type KafkaSinkFunction<TRecord> = Sink<TRecord> &
  CheckpointedFunction &
  RichFunction &
  Partial<CheckpointListener>;

/** Flink's default `transaction.timeout.ms` for exactly-once: 1 hour. */
export const DEFAULT_TRANSACTION_TIMEOUT_MS = 3_600_000;

/**
 * Builds a Kafka sink. Required: bootstrap servers, a default topic and a serializer; for
 * EXACTLY_ONCE also a transactional id prefix.
 *
 * @typeParam TRecord - the records written
 */
export class KafkaSinkBuilder<TRecord> {
  private bootstrapServers: string[] = [];
  private topic: string | undefined;
  private serializer: KafkaSerializationSchema<TRecord> | undefined;
  private partitioner: Partitioner<TRecord> | null = new FixedPartitioner<TRecord>();
  private deliveryGuarantee: DeliveryGuarantee = DeliveryGuarantee.AT_LEAST_ONCE;
  private transactionalIdPrefix: string | undefined;
  private transactionTimeoutMs = DEFAULT_TRANSACTION_TIMEOUT_MS;
  private ignoreFailuresAfterTransactionTimeout = false;
  private producerPoolSize = DEFAULT_PRODUCER_POOL_SIZE;
  private logFailuresOnly = false;
  private flushOnCheckpoint = true;
  private writeTimestampToKafka = false;
  private retries = 5;
  private clientId: string | undefined;
  private tls: boolean | KafkaTlsOptions | undefined;
  private sasl: KafkaSaslOptions | undefined;
  private logger: KafkaLogger = SILENT_LOGGER;

  /** Brokers, `host:port`. Required. @defaultValue none */
  setBootstrapServers(servers: string | readonly string[]): this {
    this.bootstrapServers = typeof servers === 'string' ? servers.split(',').map((s) => s.trim()) : [...servers];
    return this;
  }

  /** The default topic (used when the serializer gives no topic). Required. @defaultValue none */
  setTopic(topic: string): this {
    this.topic = topic;
    return this;
  }

  /** A plain schema: null key, default topic. One of this or `setSerializer`. @defaultValue none */
  setValueSerializer(schema: SerializationSchema<TRecord>): this {
    this.serializer = valueOnlySerializer(schema);
    return this;
  }

  /** A keyed schema: key, value, target topic (null → default), headers. @defaultValue none */
  setSerializer(schema: KafkaSerializationSchema<TRecord>): this {
    this.serializer = schema;
    return this;
  }

  /**
   * The partitioner; `null` defers to Kafka's key hashing (murmur2, as the Java client places keys;
   * round-robin for null keys).
   * @defaultValue `new FixedPartitioner()` (subtask i → partitions[i % n])
   */
  setPartitioner(partitioner: Partitioner<TRecord> | null): this {
    this.partitioner = partitioner;
    return this;
  }

  /** @defaultValue `DeliveryGuarantee.AT_LEAST_ONCE` (Flink 1.6's default) */
  setDeliveryGuarantee(guarantee: DeliveryGuarantee): this {
    this.deliveryGuarantee = guarantee;
    return this;
  }

  /**
   * Start of every transactional id (`<prefix>-<operator uid>-<n>`); required for EXACTLY_ONCE and
   * must be unique per job on the cluster.
   * @defaultValue none
   */
  setTransactionalIdPrefix(prefix: string): this {
    this.transactionalIdPrefix = prefix;
    return this;
  }

  /**
   * Kafka's `transaction.timeout.ms` for EXACTLY_ONCE; must exceed checkpoint interval + downtime +
   * recovery, and must not exceed the broker's `transaction.max.timeout.ms` (checked at open).
   * @defaultValue 3600000 (1 h)
   */
  setTransactionTimeoutMs(ms: number): this {
    this.transactionTimeoutMs = ms;
    return this;
  }

  /**
   * EXACTLY_ONCE, on restore: when a recovered pre-committed transaction cannot be committed and
   * is older than `transactionTimeoutMs` (Kafka aborted it at its timeout: its records are lost),
   * `true` logs a warning with its age and goes on; `false` fails the job with
   * `KAFKA_TRANSACTION_TIMED_OUT`. Flink's `ignoreFailuresAfterTransactionTimeout()`.
   * @defaultValue false
   */
  setIgnoreFailuresAfterTransactionTimeout(ignore: boolean): this {
    this.ignoreFailuresAfterTransactionTimeout = ignore;
    return this;
  }

  /** Transactional ids per subtask (EXACTLY_ONCE). @defaultValue 5 */
  setProducerPoolSize(size: number): this {
    this.producerPoolSize = size;
    return this;
  }

  /** `true`: send failures are logged and counted only. @defaultValue false */
  setLogFailuresOnly(logFailuresOnly: boolean): this {
    this.logFailuresOnly = logFailuresOnly;
    return this;
  }

  /** Wait at each checkpoint until every record is acknowledged. @defaultValue true */
  setFlushOnCheckpoint(flush: boolean): this {
    this.flushOnCheckpoint = flush;
    return this;
  }

  /** Write the record's event-time timestamp as the Kafka timestamp. @defaultValue false */
  setWriteTimestampToKafka(write: boolean): this {
    this.writeTimestampToKafka = write;
    return this;
  }

  /** Send retries of the client (kafkajs `retry.retries`). @defaultValue 5 */
  setRetries(retries: number): this {
    this.retries = retries;
    return this;
  }

  /** @defaultValue `'sluice'` */
  setClientId(clientId: string): this {
    this.clientId = clientId;
    return this;
  }

  /** @defaultValue false */
  setTls(tls: boolean | KafkaTlsOptions): this {
    this.tls = tls;
    return this;
  }

  /** @defaultValue none */
  setSasl(sasl: KafkaSaslOptions): this {
    this.sasl = sasl;
    return this;
  }

  /** @defaultValue drops everything */
  setLogger(logger: KafkaLogger): this {
    this.logger = logger;
    return this;
  }

  /** Validates every option and builds the sink. */
  build(): KafkaSinkFunction<TRecord> {
    const connection = {
      bootstrapServers: this.bootstrapServers,
      ...(this.clientId === undefined ? {} : { clientId: this.clientId }),
      ...(this.tls === undefined ? {} : { tls: this.tls }),
      ...(this.sasl === undefined ? {} : { sasl: this.sasl }),
    };
    validateConnectionOptions(connection);
    if (this.topic === undefined || !/^[a-zA-Z0-9._-]{1,249}$/.test(this.topic)) {
      throw invalidOption('topic', `topic is ${this.topic === undefined ? 'missing' : `"${this.topic}", not a legal topic name`}: call setTopic(name).`);
    }
    if (this.serializer === undefined) {
      throw invalidOption('serializer', 'A serializer is required: call setValueSerializer(schema) or setSerializer(schema).');
    }
    if (!Object.values(DeliveryGuarantee).includes(this.deliveryGuarantee)) {
      throw invalidOption('deliveryGuarantee', `deliveryGuarantee "${String(this.deliveryGuarantee)}" is not NONE, AT_LEAST_ONCE or EXACTLY_ONCE.`);
    }
    if (!Number.isInteger(this.retries) || this.retries < 0) {
      throw invalidOption('retries', `retries is ${this.retries}; it must be an integer ≥ 0.`);
    }
    if (!Number.isSafeInteger(this.transactionTimeoutMs) || this.transactionTimeoutMs <= 0) {
      throw invalidOption('transactionTimeoutMs', `transactionTimeoutMs is ${this.transactionTimeoutMs}; it must be a positive integer of ms.`);
    }
    if (!Number.isInteger(this.producerPoolSize) || this.producerPoolSize <= 0) {
      throw invalidOption('producerPoolSize', `producerPoolSize is ${this.producerPoolSize}; it must be an integer > 0.`);
    }
    const config: KafkaSinkConfig<TRecord> = {
      connection,
      defaultTopic: this.topic,
      serializer: this.serializer,
      partitioner: this.partitioner,
      deliveryGuarantee: this.deliveryGuarantee,
      transactionalIdPrefix: this.transactionalIdPrefix,
      transactionTimeoutMs: this.transactionTimeoutMs,
      ignoreFailuresAfterTransactionTimeout: this.ignoreFailuresAfterTransactionTimeout,
      producerPoolSize: this.producerPoolSize,
      logFailuresOnly: this.logFailuresOnly,
      flushOnCheckpoint: this.flushOnCheckpoint,
      writeTimestampToKafka: this.writeTimestampToKafka,
      retries: this.retries,
      logger: this.logger,
    };
    if (this.deliveryGuarantee === DeliveryGuarantee.EXACTLY_ONCE) {
      if (this.transactionalIdPrefix === undefined || !/^[a-zA-Z0-9._-]+$/.test(this.transactionalIdPrefix)) {
        throw invalidOption(
          'transactionalIdPrefix',
          'EXACTLY_ONCE needs setTransactionalIdPrefix(prefix): a prefix unique to this job on the cluster ([a-zA-Z0-9._-]), from which the transactional ids are made.',
        );
      }
      return new ExactlyOnceKafkaSink(config);
    }
    return new KafkaSink(config);
  }
}
