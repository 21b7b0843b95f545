/**
 * `KafkaSourceBuilder`: collects the options of a {@link KafkaSource} and validates all of them in
 * `build()`, naming the option at fault.
 */
import type { DeserializationSchema, WatermarkStrategy } from '@sluice/core';
import { invalidOption } from '../errors.js';
import { validateConnectionOptions } from '../internal/kafka-client.js';
import type { KafkaSaslOptions, KafkaTlsOptions } from '../internal/kafka-client.js';
import { SILENT_LOGGER } from '../internal/logger.js';
import type { KafkaLogger } from '../internal/logger.js';
import { matchesWhole } from './discovery/partition-discoverer.js';
import type { TopicSubscription } from './discovery/partition-discoverer.js';
import { valueOnly } from './kafka-deserialization-schema.js';
import type { KafkaDeserializationSchema } from './kafka-deserialization-schema.js';
import { KafkaSource } from './kafka-source.js';
import type { DeserializationErrorPolicy } from './kafka-source.js';
import { StartingOffsets } from './starting-offsets.js';

/** Kafka / Flink property keys accepted by {@link KafkaSourceBuilder.setProperty}. */
export const KAFKA_SOURCE_PROPERTIES = [
  'bootstrap.servers',
  'group.id',
  'client.id',
  'enable.auto.commit',
  'auto.commit.interval.ms',
  'auto.offset.reset',
  'isolation.level',
  'flink.poll-timeout',
  'max.partition.fetch.bytes',
  'fetch.max.bytes',
  'flink.disable-metrics',
  'flink.partition-discovery.interval-millis',
] as const;

/**
 * Default `max.partition.fetch.bytes`: at most 1 MiB of record data per partition and fetch
 * (Kafka's Java consumer, Flink and kafkajs use the same). Within this and `fetch.max.bytes`,
 * the source sizes each fetch by the record size it sees: kafkajs holds a whole fetch in memory
 * at once (its bytes about twice, plus ≈ 320 bytes of objects per record), so a fetch asks for
 * ≈ 500 KB of 100-byte records (≈ 5,000 records) and ≈ 1.1 MB of 1 KB records: fewer round trips
 * for large records without holding more small ones.
 */
export const DEFAULT_MAX_PARTITION_FETCH_BYTES = 1_048_576;

/**
 * Default `fetch.max.bytes`: at most 10 MiB of record data per fetch over all partitions (kafkajs's
 * default); the source's fetches stay below 1.25 MiB (see {@link DEFAULT_MAX_PARTITION_FETCH_BYTES}).
 */
export const DEFAULT_FETCH_MAX_BYTES = 10_485_760;

/** Default partition discovery interval: 5 minutes (modern Flink's default, FLIP-288). */
export const DEFAULT_PARTITION_DISCOVERY_INTERVAL_MS = 300_000;

/** One of {@link KAFKA_SOURCE_PROPERTIES}. */
export type KafkaSourceProperty = (typeof KAFKA_SOURCE_PROPERTIES)[number];

/**
 * Builds a {@link KafkaSource}. Required: bootstrap servers, exactly one of topics or topic
 * pattern, a group id, and a deserializer.
 *
 * @typeParam TRecord - the records the deserializer produces
 */
export class KafkaSourceBuilder<TRecord> {
  private bootstrapServers: string[] = [];
  private topics: string[] | undefined;
  private pattern: RegExp | undefined;
  private groupId: string | undefined;
  private clientId: string | undefined;
  private deserializer: KafkaDeserializationSchema<TRecord> | undefined;
  private startingOffsets: StartingOffsets = StartingOffsets.groupOffsets();
  private commitOffsetsOnCheckpoints = true;
  private onDeserializationError: DeserializationErrorPolicy = 'fail';
  private tls: boolean | KafkaTlsOptions | undefined;
  private sasl: KafkaSaslOptions | undefined;
  private logger: KafkaLogger = SILENT_LOGGER;
  private partitionDiscoveryIntervalMs = DEFAULT_PARTITION_DISCOVERY_INTERVAL_MS;
  private watermarkStrategy: WatermarkStrategy<TRecord> | undefined;
  private autoWatermarkIntervalMs = 200;
  private readonly properties = new Map<string, string>();

  /**
   * Brokers to connect to, `host:port` (Kafka's `bootstrap.servers`). Required.
   * @defaultValue none
   */
  setBootstrapServers(servers: string | readonly string[]): this {
    this.bootstrapServers = typeof servers === 'string' ? servers.split(',').map((s) => s.trim()) : [...servers];
    return this;
  }

  /**
   * Topics to read (one or more). Exactly one of `setTopics` / `setTopicPattern`.
   * @defaultValue none
   */
  setTopics(...topics: string[]): this {
    this.topics = topics;
    return this;
  }

  /**
   * Read every topic whose **whole** name matches `pattern` (found when the source opens).
   * Exactly one of `setTopics` / `setTopicPattern`.
   * @defaultValue none
   */
  setTopicPattern(pattern: RegExp): this {
    this.pattern = pattern;
    return this;
  }

  /**
   * The consumer group offsets are committed to (and read from for `groupOffsets()` starts). The
   * group never has members: partitions are assigned by the source, not by the group. Required.
   * @defaultValue none
   */
  setGroupId(groupId: string): this {
    this.groupId = groupId;
    return this;
  }

  /**
   * Client id sent to the brokers.
   * @defaultValue `'sluice'`
   */
  setClientId(clientId: string): this {
    this.clientId = clientId;
    return this;
  }

  /**
   * A plain schema that sees only the value bytes (Flink wraps plain schemas the same way).
   * Exactly one of `setValueOnlyDeserializer` / `setDeserializer`.
   * @defaultValue none
   */
  setValueOnlyDeserializer(schema: DeserializationSchema<TRecord>): this {
    this.deserializer = valueOnly(schema);
    return this;
  }

  /**
   * A schema that sees the whole record (key, value, topic, partition, offset, timestamp, headers).
   * @defaultValue none
   */
  setDeserializer(schema: KafkaDeserializationSchema<TRecord>): this {
    this.deserializer = schema;
    return this;
  }

  /**
   * Where a fresh start begins; ignored when restoring from a checkpoint.
   * @defaultValue `StartingOffsets.groupOffsets()`
   */
  setStartingOffsets(startingOffsets: StartingOffsets): this {
    this.startingOffsets = startingOffsets;
    return this;
  }

  /**
   * With checkpointing on: commit the checkpointed offsets to the group when a checkpoint
   * completes (`ON_CHECKPOINTS`), or never (`DISABLED`). Without checkpointing the
   * `enable.auto.commit` / `auto.commit.interval.ms` properties decide.
   * @defaultValue true
   */
  setCommitOffsetsOnCheckpoints(commit: boolean): this {
    this.commitOffsetsOnCheckpoints = commit;
    return this;
  }

  /**
   * What a deserializer that throws does: `'fail'` fails the job with a `SERDE_CORRUPT_RECORD`
   * error naming topic/partition/offset; `'skip'` logs, counts (`recordsSkipped`) and goes on;
   * `deadLetter(topic)` writes the raw record with error headers to `topic` (which must exist and
   * must not be read by this source), counts it (`recordsDeadLettered`) and goes on once the
   * write is acknowledged.
   * @defaultValue `'fail'`
   */
  setOnDeserializationError(policy: DeserializationErrorPolicy): this {
    this.onDeserializationError = policy;
    return this;
  }

  /**
   * How often a running source looks for new partitions of its topics and, with a topic pattern,
   * for new matching topics (Flink's `flink.partition-discovery.interval-millis`). A partition
   * found this way goes to the subtask Flink's formula names and is read from its EARLIEST
   * offset; partitions already read never move. `0` turns discovery off (Flink 1.6's default,
   * where the property was unset); the `flink.partition-discovery.interval-millis` property,
   * when set, wins over this method.
   * @defaultValue 300000 (5 minutes, modern Flink's default)
   */
  setPartitionDiscoveryIntervalMs(intervalMs: number): this {
    this.partitionDiscoveryIntervalMs = intervalMs;
    return this;
  }

  /**
   * Generate watermarks inside the source, per Kafka partition (Flink 1.6's
   * `FlinkKafkaConsumer.assignTimestampsAndWatermarks`, modern Flink's `WatermarkStrategy` given
   * with a `KafkaSource`): each partition gets its own generator from `strategy`, and the subtask
   * emits the minimum over its partitions that are not idle; a subtask without partitions, or
   * whose partitions are all idle, marks itself idle. Record timestamps come from the strategy's
   * assigner, else the Kafka record timestamp.
   * @defaultValue none (records carry the Kafka timestamp; no watermarks from the source)
   */
  setWatermarkStrategy(strategy: WatermarkStrategy<TRecord>): this {
    this.watermarkStrategy = strategy;
    return this;
  }

  /**
   * How often the watermark generators' `onPeriodicEmit` runs, ms (Flink's
   * `ExecutionConfig.autoWatermarkInterval`; use the value given to `env.setAutoWatermarkInterval`).
   * @defaultValue 200
   */
  setAutoWatermarkIntervalMs(intervalMs: number): this {
    this.autoWatermarkIntervalMs = intervalMs;
    return this;
  }

  /**
   * Read only committed transactional records (`isolation.level=read_committed`).
   * @defaultValue false (`read_uncommitted`, Kafka's default)
   */
  setReadCommitted(readCommitted: boolean): this {
    this.properties.set('isolation.level', readCommitted ? 'read_committed' : 'read_uncommitted');
    return this;
  }

  /**
   * TLS: `true` for Node's defaults, or options (CA, client certificate).
   * @defaultValue false
   */
  setTls(tls: boolean | KafkaTlsOptions): this {
    this.tls = tls;
    return this;
  }

  /**
   * SASL authentication (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512).
   * @defaultValue none
   */
  setSasl(sasl: KafkaSaslOptions): this {
    this.sasl = sasl;
    return this;
  }

  /**
   * Receives warnings (start-offset fallbacks, failed offset commits, skipped records).
   * @defaultValue drops everything
   */
  setLogger(logger: KafkaLogger): this {
    this.logger = logger;
    return this;
  }

  /**
   * Sets a Kafka / Flink property by its usual name (see {@link KAFKA_SOURCE_PROPERTIES}):
   * `enable.auto.commit` (default `true`), `auto.commit.interval.ms` (`5000`),
   * `auto.offset.reset` (`latest`), `isolation.level` (`read_uncommitted`),
   * `flink.poll-timeout` (`100`), `max.partition.fetch.bytes` (`1048576`, an upper limit: see
   * {@link DEFAULT_MAX_PARTITION_FETCH_BYTES}), `fetch.max.bytes` (`10485760`, an upper limit),
   * `flink.disable-metrics` (`false`),
   * `flink.partition-discovery.interval-millis` (`300000`; `0` = off), and `bootstrap.servers`,
   * `group.id`, `client.id`. Unknown keys are rejected by `build()`.
   */
  setProperty(key: string, value: string): this {
    this.properties.set(key, value);
    return this;
  }

  /** Validates every option and builds the source. */
  build(): KafkaSource<TRecord> {
    const props = this.properties;
    for (const key of props.keys()) {
      if (!(KAFKA_SOURCE_PROPERTIES as readonly string[]).includes(key)) {
        throw invalidOption(key, `Unknown property "${key}". Supported: ${KAFKA_SOURCE_PROPERTIES.join(', ')}.`);
      }
    }
    const bootstrap = props.get('bootstrap.servers');
    if (bootstrap !== undefined) this.setBootstrapServers(bootstrap);
    const groupId = props.get('group.id') ?? this.groupId;
    const clientId = props.get('client.id') ?? this.clientId;
    const connection = {
      bootstrapServers: this.bootstrapServers,
      ...(clientId === undefined ? {} : { clientId }),
      ...(this.tls === undefined ? {} : { tls: this.tls }),
      ...(this.sasl === undefined ? {} : { sasl: this.sasl }),
    };
    validateConnectionOptions(connection);
    const subscription = this.subscription();
    if (groupId === undefined || groupId.trim() === '') {
      throw invalidOption('groupId', 'groupId (group.id) is required: offsets are committed to and read from that group.');
    }
    if (this.deserializer === undefined) {
      throw invalidOption('deserializer', 'A deserializer is required: call setValueOnlyDeserializer(schema) or setDeserializer(schema).');
    }
    validateErrorPolicy(this.onDeserializationError, subscription);
    const autoOffsetReset = props.get('auto.offset.reset') ?? 'latest';
    if (autoOffsetReset !== 'earliest' && autoOffsetReset !== 'latest' && autoOffsetReset !== 'none') {
      throw invalidOption('auto.offset.reset', `auto.offset.reset is "${autoOffsetReset}"; use earliest, latest or none.`);
    }
    const isolation = props.get('isolation.level') ?? 'read_uncommitted';
    if (isolation !== 'read_committed' && isolation !== 'read_uncommitted') {
      throw invalidOption('isolation.level', `isolation.level is "${isolation}"; use read_committed or read_uncommitted.`);
    }
    const discoveryInterval = integerProperty(props, 'flink.partition-discovery.interval-millis', this.partitionDiscoveryIntervalMs);
    if (!Number.isSafeInteger(discoveryInterval) || discoveryInterval < 0) {
      throw invalidOption(
        'partitionDiscoveryIntervalMs',
        `partitionDiscoveryIntervalMs is ${discoveryInterval}; use an integer of ms ≥ 0 (0 turns discovery off).`,
      );
    }
    if (this.watermarkStrategy !== undefined && typeof this.watermarkStrategy.createWatermarkGenerator !== 'function') {
      throw invalidOption('watermarkStrategy', 'setWatermarkStrategy expects a WatermarkStrategy (see WatermarkStrategies in @sluice/core).');
    }
    if (!Number.isSafeInteger(this.autoWatermarkIntervalMs) || this.autoWatermarkIntervalMs <= 0) {
      throw invalidOption('autoWatermarkIntervalMs', `autoWatermarkIntervalMs is ${this.autoWatermarkIntervalMs}; use an integer of ms > 0.`);
    }
    return new KafkaSource<TRecord>({
      connection,
      subscription,
      groupId,
      deserializer: this.deserializer,
      startingOffsets: this.startingOffsets,
      commitOffsetsOnCheckpoints: this.commitOffsetsOnCheckpoints,
      enableAutoCommit: booleanProperty(props, 'enable.auto.commit', true),
      autoCommitIntervalMs: integerProperty(props, 'auto.commit.interval.ms', 5000),
      autoOffsetReset,
      readCommitted: isolation === 'read_committed',
      pollTimeoutMs: integerProperty(props, 'flink.poll-timeout', 100),
      maxPartitionFetchBytes: positiveIntegerProperty(props, 'max.partition.fetch.bytes', DEFAULT_MAX_PARTITION_FETCH_BYTES),
      fetchMaxBytes: positiveIntegerProperty(props, 'fetch.max.bytes', DEFAULT_FETCH_MAX_BYTES),
      onDeserializationError: this.onDeserializationError,
      disableMetrics: booleanProperty(props, 'flink.disable-metrics', false),
      partitionDiscoveryIntervalMs: discoveryInterval,
      watermarkStrategy: this.watermarkStrategy,
      autoWatermarkIntervalMs: this.autoWatermarkIntervalMs,
      logger: this.logger,
    });
  }

  private subscription(): TopicSubscription {
    if (this.topics !== undefined && this.pattern !== undefined) {
      throw invalidOption('topics', 'Set either topics or a topic pattern, not both.');
    }
    if (this.pattern !== undefined) return { kind: 'pattern', pattern: this.pattern };
    if (this.topics === undefined || this.topics.length === 0) {
      throw invalidOption('topics', 'topics is required: call setTopics(...names) with at least one topic, or setTopicPattern(regex).');
    }
    for (const topic of this.topics) checkTopicName('topics', topic);
    return { kind: 'topics', topics: [...new Set(this.topics)] };
  }
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

function checkTopicName(option: string, topic: string): void {
  if (!TOPIC_NAME.test(topic)) {
    throw invalidOption(option, `Topic name "${topic}" is not a legal Kafka topic name ([a-zA-Z0-9._-], 1-249 chars).`);
  }
}

function validateErrorPolicy(policy: DeserializationErrorPolicy, subscription: TopicSubscription): void {
  if (policy === 'fail' || policy === 'skip') return;
  if (typeof policy !== 'object' || policy === null || policy.kind !== 'deadLetter') {
    throw invalidOption('onDeserializationError', `onDeserializationError is "${String(policy)}"; use 'fail', 'skip' or deadLetter(topic).`);
  }
  checkTopicName('onDeserializationError', policy.topic);
  const readBySource = subscription.kind === 'topics' ? subscription.topics.includes(policy.topic) : matchesWhole(subscription.pattern, policy.topic);
  if (readBySource) {
    throw invalidOption(
      'onDeserializationError',
      `The dead-letter topic "${policy.topic}" is read by this source: its records would fail again and loop. Choose a topic outside the subscription.`,
    );
  }
}

function booleanProperty(props: ReadonlyMap<string, string>, key: string, fallback: boolean): boolean {
  const raw = props.get(key);
  if (raw === undefined) return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw invalidOption(key, `${key} is "${raw}"; use true or false.`);
}

function integerProperty(props: ReadonlyMap<string, string>, key: string, fallback: number): number {
  const raw = props.get(key);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(value)) {
    throw invalidOption(key, `${key} is "${raw}"; it must be an integer ≥ 0.`);
  }
  return value;
}

function positiveIntegerProperty(props: ReadonlyMap<string, string>, key: string, fallback: number): number {
  const value = integerProperty(props, key, fallback);
  if (value < 1) throw invalidOption(key, `${key} is "${props.get(key) ?? ''}"; it must be an integer ≥ 1.`);
  return value;
}
