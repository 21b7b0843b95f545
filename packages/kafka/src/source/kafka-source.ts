/**
 * `KafkaSource` (Flink 1.6's `FlinkKafkaConsumer011`): reads Kafka topics with offsets kept in
 * Sluice checkpoints, partitions assigned to subtasks deterministically (never by a consumer
 * group rebalance), and offsets committed back to Kafka for monitoring.
 */
import { SerdeError, CoreErrorCode } from '@sluice/core';
import type {
  CheckpointListener,
  CheckpointedFunction,
  Counter,
  FunctionInitializationContext,
  MetricGroup,
  FunctionSnapshotContext,
  ListState,
  RichFunction,
  RuntimeContext,
  Source,
  SourceContext,
  WatermarkStrategy,
} from '@sluice/core';
import type { Admin, Kafka } from 'kafkajs';
import { KafkaError, KafkaErrorCode, describePlace, wrapKafkaJsError } from '../errors.js';
import { createKafkaJsClient } from '../internal/kafka-client.js';
import type { KafkaConnectionOptions } from '../internal/kafka-client.js';
import type { KafkaLogger } from '../internal/logger.js';
import { comparePartitions, partitionKey } from '../internal/topic-partition.js';
import type { TopicPartition, TopicPartitionOffset } from '../internal/topic-partition.js';
import { commitGroupOffsets, connectInternalCluster, createInternalCluster } from '../sink/transactions/kafkajs-internals.js';
import type { InternalCluster } from '../sink/transactions/kafkajs-internals.js';
import { OffsetCommitMode, decideCommitMode } from './commit-mode.js';
import { discoverPartitions, ownedPartitions } from './discovery/partition-discoverer.js';
import type { TopicSubscription } from './discovery/partition-discoverer.js';
import { DeadLetterWriter } from './dead-letter.js';
import type { DeadLetterPolicy } from './dead-letter.js';
import { PartitionWatermarks } from './watermarks/partition-watermarks.js';
import { CheckpointOffsetCommitter } from './fetcher/checkpoint-offset-committer.js';
import { KafkaFetcher } from './fetcher/kafka-fetcher.js';
import type { BatchControl, FetchedBatch } from './fetcher/kafka-fetcher.js';
import type { KafkaConsumerRecord, KafkaDeserializationSchema } from './kafka-deserialization-schema.js';
import { OFFSET_STATE_NAME, offsetStateType } from './partition-state/offset-state.js';
import { KafkaOffsetSentinel, isSentinel, lastEmittedBefore, readPositionOf } from './partition-state/offsets.js';
import { partitionAssignerOwns } from './partition-state/ownership.js';
import { resolveStartOffsets } from './starting-offsets.js';
import { PeriodicTask } from '../internal/periodic-task.js';
import { trace } from '../internal/trace.js';
import type { StartingOffsets } from './starting-offsets.js';
// Circular on purpose: each module uses the other only when called, never at load time.
import { KafkaSourceBuilder } from './kafka-source-builder.js';

/**
 * What to do with a record the deserializer throws on: fail the job, skip it (counted), or write
 * it to a dead-letter topic ({@link deadLetter}).
 */
export type DeserializationErrorPolicy = 'fail' | 'skip' | DeadLetterPolicy;

/** Everything a {@link KafkaSource} is built from (made by `KafkaSourceBuilder`). */
export interface KafkaSourceConfig<TRecord> {
  readonly connection: KafkaConnectionOptions;
  readonly subscription: TopicSubscription;
  readonly groupId: string;
  readonly deserializer: KafkaDeserializationSchema<TRecord>;
  readonly startingOffsets: StartingOffsets;
  readonly commitOffsetsOnCheckpoints: boolean;
  readonly enableAutoCommit: boolean;
  readonly autoCommitIntervalMs: number;
  readonly autoOffsetReset: 'earliest' | 'latest' | 'none';
  readonly readCommitted: boolean;
  readonly pollTimeoutMs: number;
  /** Most record bytes per partition and fetch (`max.partition.fetch.bytes`; the fetcher sizes each fetch within it). */
  readonly maxPartitionFetchBytes: number;
  /** Most record bytes per fetch over all partitions (`fetch.max.bytes`). */
  readonly fetchMaxBytes: number;
  readonly onDeserializationError: DeserializationErrorPolicy;
  readonly disableMetrics: boolean;
  /** Per-partition watermarks from this strategy; none without. */
  readonly watermarkStrategy: WatermarkStrategy<TRecord> | undefined;
  /** Period of the watermark generators' `onPeriodicEmit`, ms. */
  readonly autoWatermarkIntervalMs: number;
  /** Partition discovery interval, ms; 0 = no discovery while running. */
  readonly partitionDiscoveryIntervalMs: number;
  readonly logger: KafkaLogger;
}

interface PartitionProgress {
  readonly topic: string;
  readonly partition: number;
  /** Last emitted offset (or -1 before the first record of a concrete start position). */
  offset: number;
  /** Last requested commit (+1 convention). */
  committed: number;
  highWatermark: number;
}

/**
 * Reads Kafka topics into a Sluice job. Build one with {@link KafkaSource.builder}.
 *
 * Implements `Source`, `CheckpointedFunction` (union list state `topic-partition-offset-states`),
 * `CheckpointListener` (offset commits on checkpoints) and `RichFunction`.
 *
 * @typeParam TRecord - the records the deserializer produces
 */
export class KafkaSource<TRecord>
  implements Source<TRecord>, CheckpointedFunction, CheckpointListener, RichFunction
{
  private state: ListState<TopicPartitionOffset> | undefined;
  private restored: TopicPartitionOffset[] | undefined;
  private readonly progress = new Map<string, PartitionProgress>();
  private commitMode: OffsetCommitMode = OffsetCommitMode.DISABLED;
  private running = false;
  private kafka: Kafka | undefined;
  private admin: Admin | undefined;
  private commitCluster: InternalCluster | undefined;
  private committer: CheckpointOffsetCommitter | undefined;
  private fetcher: KafkaFetcher | undefined;
  /** Settles when every fetcher stopped so far has stopped (its consumer left the fetch group). */
  private fetcherStopped: Promise<void> = Promise.resolve();
  private endRun: ((error?: Error) => void) | undefined;
  private subtaskIndex = 0;
  private owner: { readonly subtaskIndex: number; readonly parallelism: number } = { subtaskIndex: 0, parallelism: 1 };
  private sourceContext: SourceContext<TRecord> | undefined;
  private partitionMetrics: MetricGroup | undefined;
  private skippedRecords: Counter | undefined;
  private deadLettered: Counter | undefined;
  private bytesIn: Counter | undefined;
  private deadLetters: DeadLetterWriter | undefined;
  private watermarks: PartitionWatermarks<TRecord> | undefined;
  private readonly batchChains = new Map<string, Promise<void>>();

  /** @internal Use {@link KafkaSource.builder}. */
  constructor(private readonly config: KafkaSourceConfig<TRecord>) {}

  /** Starts building a source. */
  static builder<TRecord>(): KafkaSourceBuilder<TRecord> {
    return new KafkaSourceBuilder<TRecord>();
  }

  /** The type of the records this source produces. */
  get producedType() {
    return this.config.deserializer.producedType;
  }

  // ---- CheckpointedFunction -------------------------------------------------------------------

  /** Registers the union list state and reads it back on restore (start positions are then ignored). */
  initializeState(context: FunctionInitializationContext): void {
    this.state = context.operatorStateStore.getUnionListState({ name: OFFSET_STATE_NAME, type: offsetStateType });
    this.restored = context.isRestored ? this.state.get().sort(comparePartitions) : undefined;
  }

  /** Writes the last emitted offset of every partition this subtask reads; parks them for commit. */
  snapshotState(context: FunctionSnapshotContext): void {
    if (this.state === undefined) return;
    const offsets = [...this.progress.values()].map((p) => ({ topic: p.topic, partition: p.partition, offset: p.offset }));
    this.state.update(offsets);
    trace('source.snapshot', { subtask: this.subtaskIndex, cp: context.checkpointId, offsets });
    if (this.commitMode === OffsetCommitMode.ON_CHECKPOINTS) this.committer?.onSnapshot(context.checkpointId, offsets);
  }

  /** ON_CHECKPOINTS: commits the offsets of that checkpoint (+1) to the group, asynchronously. */
  notifyCheckpointComplete(checkpointId: number): void {
    if (this.commitMode !== OffsetCommitMode.ON_CHECKPOINTS) return;
    this.committer?.onCheckpointComplete(checkpointId);
  }

  // ---- RichFunction ---------------------------------------------------------------------------

  /** Connects, finds this subtask's partitions and resolves their start positions. */
  async open(context: RuntimeContext): Promise<void> {
    const { config } = this;
    this.subtaskIndex = context.subtaskIndex;
    this.commitMode = decideCommitMode({
      checkpointingEnabled: context.isCheckpointingEnabled,
      commitOffsetsOnCheckpoints: config.commitOffsetsOnCheckpoints,
      enableAutoCommit: config.enableAutoCommit,
      autoCommitIntervalMs: config.autoCommitIntervalMs,
    });
    this.kafka = createKafkaJsClient(config.connection, config.logger);
    this.admin = this.kafka.admin();
    try {
      await this.admin.connect();
    } catch (error) {
      throw wrapKafkaJsError(error, { action: 'connecting the source', hint: 'Check bootstrapServers, TLS and SASL settings.' });
    }
    await config.deserializer.open?.();
    const policy = config.onDeserializationError;
    if (typeof policy === 'object') {
      this.deadLetters = new DeadLetterWriter(policy.topic);
      await this.deadLetters.open({ kafka: this.kafka, admin: this.admin });
    }
    const subtask = { subtaskIndex: context.subtaskIndex, parallelism: context.parallelism };
    this.owner = subtask;
    const all = await discoverPartitions(this.admin, config.subscription);
    const owned = ownedPartitions(all, subtask);
    const initial = new Map<string, TopicPartitionOffset>();
    if (this.restored !== undefined) {
      const known = new Set(this.restored.map(partitionKey));
      for (const entry of this.restored) {
        if (partitionAssignerOwns(entry, subtask)) initial.set(partitionKey(entry), entry);
      }
      for (const tp of owned) {
        if (!known.has(partitionKey(tp))) {
          initial.set(partitionKey(tp), { ...tp, offset: KafkaOffsetSentinel.EARLIEST_OFFSET });
        }
      }
    } else {
      const start = await resolveStartOffsets({
        startingOffsets: config.startingOffsets,
        partitions: owned,
        logger: config.logger,
        offsetsForTimes: (partitions, timestamp) => this.offsetsForTimes(partitions, timestamp),
      });
      for (const tp of owned) initial.set(partitionKey(tp), { ...tp, offset: start.get(partitionKey(tp))! });
    }
    const resolved = await this.resolveSentinels([...initial.values()]);
    trace('source.open', { subtask: this.subtaskIndex, restored: this.restored, resolved });
    this.registerMetrics(context);
    for (const entry of resolved) this.addPartition(entry);
    if (this.commitMode !== OffsetCommitMode.DISABLED) {
      this.commitCluster = createInternalCluster(this.kafka);
      await connectInternalCluster(this.commitCluster);
      const metrics = config.disableMetrics ? undefined : context.metricGroup;
      this.committer = new CheckpointOffsetCommitter({
        commit: (offsets) => this.commitToGroup(offsets),
        logger: config.logger,
        owns: (tp) => this.progress.has(partitionKey(tp)),
        ...(metrics === undefined
          ? {}
          : { commitsSucceeded: metrics.counter('commitsSucceeded'), commitsFailed: metrics.counter('commitsFailed') }),
        onCommitRequested: (o) => {
          const p = this.progress.get(partitionKey(o));
          if (p !== undefined) p.committed = o.offset;
        },
      });
    }
    this.running = true;
  }

  /**
   * Stops fetching and closes the clients; waits for the fetch consumer to leave (a stop `run`
   * started) and for a running offset commit.
   */
  async close(): Promise<void> {
    this.running = false;
    this.stopFetcher();
    await this.fetcherStopped;
    await this.committer?.whenIdle();
    await this.commitCluster?.disconnect().catch(() => undefined);
    this.commitCluster = undefined;
    await this.deadLetters?.close();
    this.deadLetters = undefined;
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = undefined;
  }

  // ---- Source ---------------------------------------------------------------------------------

  /** Fetches and emits records until cancelled, or until the deserializer signals end of stream. */
  async run(context: SourceContext<TRecord>): Promise<void> {
    if (!this.running || this.kafka === undefined) {
      throw new KafkaError('KafkaSource.run was called before open().', { code: KafkaErrorCode.KAFKA_CLIENT_ERROR });
    }
    const done = new Promise<void>((resolve, reject) => {
      this.endRun = (error) => (error === undefined ? resolve() : reject(error));
    });
    const onAbort = (): void => this.endRun?.();
    context.signal.addEventListener('abort', onAbort, { once: true });
    this.sourceContext = context;
    let periodic: NodeJS.Timeout | undefined;
    let discovery: PeriodicTask | undefined;
    let watermarkTimer: NodeJS.Timeout | undefined;
    try {
      const strategy = this.config.watermarkStrategy;
      if (strategy !== undefined) {
        const watermarks = new PartitionWatermarks(strategy, context);
        for (const key of this.progress.keys()) watermarks.addPartition(key);
        this.watermarks = watermarks;
        watermarkTimer = setInterval(() => this.emitPeriodicWatermark(watermarks), this.config.autoWatermarkIntervalMs);
      }
      if (this.progress.size === 0) context.markAsTemporarilyIdle();
      else await this.restartFetcher();
      if (this.commitMode === OffsetCommitMode.KAFKA_PERIODIC) {
        periodic = setInterval(() => this.commitPeriodically(), this.config.autoCommitIntervalMs);
      }
      if (this.config.partitionDiscoveryIntervalMs > 0) {
        discovery = new PeriodicTask(
          this.config.partitionDiscoveryIntervalMs,
          () => this.discoverNewPartitions(),
          (error) => this.config.logger.warn(`Partition discovery failed; retrying in ${this.config.partitionDiscoveryIntervalMs} ms.`, { error }),
        );
        discovery.start();
      }
      if (!this.running) this.endRun?.();
      await done;
    } finally {
      if (periodic !== undefined) clearInterval(periodic);
      if (watermarkTimer !== undefined) clearInterval(watermarkTimer);
      await discovery?.stop();
      context.signal.removeEventListener('abort', onAbort);
      this.running = false;
      // The consumer leaves in the background (its fetch in flight is abandoned, then LeaveGroup):
      // a final checkpoint does not wait for that, `close` does. What `run` must
      // wait for is the batch in progress, which returns at the next record (`running` is false),
      // so nothing is emitted and no offset moves once `run` has returned.
      this.stopFetcher();
      await Promise.all(this.batchChains.values());
    }
  }

  /** Asks `run` to return soon. */
  cancel(): void {
    this.running = false;
    this.endRun?.();
  }

  // ---- internals -------------------------------------------------------------------------------

  /** Starts stopping the fetcher (if any); {@link fetcherStopped} settles when its consumer has left. */
  private stopFetcher(): void {
    const fetcher = this.fetcher;
    if (fetcher === undefined) return;
    this.fetcher = undefined;
    const previous = this.fetcherStopped;
    this.fetcherStopped = Promise.all([previous, fetcher.stop().catch(() => undefined)]).then(() => undefined);
  }

  /** Starts following a partition from `entry.offset` (last emitted); registers its metrics. */
  private addPartition(entry: TopicPartitionOffset): void {
    const p: PartitionProgress = {
      topic: entry.topic,
      partition: entry.partition,
      offset: entry.offset,
      committed: KafkaOffsetSentinel.OFFSET_NOT_SET,
      highWatermark: -1,
    };
    this.progress.set(partitionKey(entry), p);
    this.watermarks?.addPartition(partitionKey(entry));
    const group = this.partitionMetrics;
    if (group === undefined) return;
    const partitionGroup = group.addGroup('topic', p.topic).addGroup('partition', String(p.partition));
    partitionGroup.gauge('currentOffsets', () => p.offset);
    partitionGroup.gauge('committedOffsets', () => p.committed);
    partitionGroup.gauge('recordsLag', () => (p.highWatermark < 0 ? null : Math.max(0, p.highWatermark - (p.offset + 1))));
    group.gauge(`current-offsets.${p.topic}-${p.partition}`, () => p.offset);
    group.gauge(`committed-offsets.${p.topic}-${p.partition}`, () => p.committed);
  }

  /**
   * (Re)starts fetching all partitions of {@link progress}, each from its last emitted offset + 1.
   * The old fetcher is stopped first (its batch in progress ends at a record boundary), so no
   * record is emitted twice and none is skipped.
   */
  private async restartFetcher(): Promise<void> {
    this.stopFetcher();
    await this.fetcherStopped;
    const context = this.sourceContext;
    if (!this.running || this.kafka === undefined || context === undefined) return;
    const partitions = [...this.progress.values()].map((p) => ({ topic: p.topic, partition: p.partition }));
    const fetcher = new KafkaFetcher({
      kafka: this.kafka,
      groupId: this.config.groupId,
      subtaskIndex: this.subtaskIndex,
      partitions,
      nextOffset: (tp) => this.progress.get(partitionKey(tp))!.offset + 1,
      readCommitted: this.config.readCommitted,
      maxWaitTimeMs: this.config.pollTimeoutMs,
      maxBytesPerPartition: this.config.maxPartitionFetchBytes,
      maxBytes: this.config.fetchMaxBytes,
      onBatch: (batch, control) => this.processBatch(context, { batch, control }),
      onCrash: (error) => this.endRun?.(error),
    });
    this.fetcher = fetcher;
    await fetcher.start();
  }

  /**
   * One discovery round (Flink's partition discoverer): partitions of the subscription that the
   * formula gives this subtask and that it does not read yet start at EARLIEST; existing
   * assignments never change.
   */
  private async discoverNewPartitions(): Promise<void> {
    if (!this.running || this.admin === undefined) return;
    const all = await discoverPartitions(this.admin, this.config.subscription);
    const fresh = ownedPartitions(all, this.owner).filter((tp) => !this.progress.has(partitionKey(tp)));
    if (fresh.length === 0 || !this.running) return;
    const resolved = await this.resolveSentinels(fresh.map((tp) => ({ ...tp, offset: KafkaOffsetSentinel.EARLIEST_OFFSET })));
    if (!this.running) return;
    for (const entry of resolved) this.addPartition(entry);
    this.config.logger.info?.(`Discovered ${resolved.length} new partition(s); reading them from the earliest offset.`, {
      subtask: this.subtaskIndex,
      partitions: resolved.map((tp) => `${tp.topic}-${tp.partition}`),
    });
    trace('source.discovered', { subtask: this.subtaskIndex, resolved });
    await this.restartFetcher();
  }

  /**
   * Processes batches of one partition one after the other. kafkajs can hand over a second batch
   * of the same partition while the first is still being processed (after a seek re-fetches), and
   * two interleaved loops would both pass the "offset > last emitted" check before either emits.
   */
  private processBatch(context: SourceContext<TRecord>, input: { batch: FetchedBatch; control: BatchControl }): Promise<void> {
    const key = partitionKey(input.batch);
    const previous = this.batchChains.get(key) ?? Promise.resolve();
    const run = previous.then(() => this.processBatchInOrder(context, input));
    const settled = run.catch(() => undefined);
    this.batchChains.set(key, settled);
    void settled.then(() => {
      if (this.batchChains.get(key) === settled) this.batchChains.delete(key);
    });
    return run;
  }

  private async processBatchInOrder(
    context: SourceContext<TRecord>,
    input: { batch: FetchedBatch; control: BatchControl },
  ): Promise<void> {
    const { batch, control } = input;
    const key = partitionKey(batch);
    const progress = this.progress.get(key);
    if (progress === undefined) return;
    progress.highWatermark = batch.highWatermark;
    let sinceHeartbeat = 0;
    // The fetcher's state (stopping, a seek making the batch stale) only changes while this loop
    // waits, so it is asked before the first record and after every await, not per record.
    let askControl = true;
    for (let index = 0; index < batch.size; index += 1) {
      if (!this.running) return;
      if (askControl) {
        if (!control.isRunning()) return;
        askControl = false;
      }
      const record = batch.record(index);
      if (record.offset <= progress.offset) continue;
      this.bytesIn?.inc((record.key?.byteLength ?? 0) + (record.value?.byteLength ?? 0));
      let value: TRecord | null;
      try {
        // Synchronous deserializers (the common case) are not awaited: no microtask per record.
        const result = this.config.deserializer.deserialize(record);
        if (isPromiseLike(result)) {
          askControl = true;
          value = await result;
        } else {
          value = result;
        }
      } catch (error) {
        askControl = true;
        if (!(await this.handleUnreadable(record, error))) return;
        // Checked again after the await (see below).
        if (record.offset > progress.offset) progress.offset = record.offset;
        continue;
      }
      if (!this.running) return;
      // Checked again after the await: nothing else may have emitted this offset meanwhile.
      if (record.offset <= progress.offset) continue;
      if (this.config.deserializer.isEndOfStream(value)) {
        this.running = false;
        this.endRun?.();
        return;
      }
      if (value === null) {
        progress.offset = record.offset;
        continue;
      }
      const watermarks = this.watermarks;
      let timestamp = record.timestamp;
      try {
        if (watermarks !== undefined) timestamp = watermarks.timestampOf(value, record.timestamp);
      } catch (error) {
        this.fail(watermarkError('timestamp assigner', { record, error }));
        return;
      }
      // Emission and offset update in one synchronous step (SourceContext atomicity rule).
      const backPressure = context.collectWithTimestamp(value, timestamp);
      progress.offset = record.offset;
      try {
        watermarks?.onEvent(key, value, timestamp);
      } catch (error) {
        this.fail(watermarkError('watermark generator', { record, error }));
        return;
      }
      if (backPressure !== undefined) {
        askControl = true;
        await backPressure;
      }
      sinceHeartbeat += 1;
      if (sinceHeartbeat >= 500) {
        sinceHeartbeat = 0;
        askControl = true;
        await control.heartbeat();
      }
    }
  }

  /**
   * Applies `onDeserializationError` to a record the deserializer threw on. Returns true when the
   * source goes past the record (skipped, or written to the dead-letter topic and acknowledged),
   * false when the job fails.
   */
  private async handleUnreadable(record: KafkaConsumerRecord, error: unknown): Promise<boolean> {
    const policy = this.config.onDeserializationError;
    const place = { topic: record.topic, partition: record.partition, offset: record.offset };
    if (policy === 'fail') {
      this.fail(deserializationError(record, error));
      return false;
    }
    if (policy === 'skip') {
      this.skippedRecords?.inc();
      this.config.logger.warn(
        `Skipped a record the deserializer could not read (topic ${record.topic}, partition ${record.partition}, offset ${record.offset}).`,
        { ...place, error },
      );
      return true;
    }
    try {
      await this.deadLetters!.write(record, error);
    } catch (writeError) {
      this.fail(writeError as Error);
      return false;
    }
    this.deadLettered?.inc();
    this.config.logger.warn(
      `Wrote a record the deserializer could not read to the dead-letter topic ${policy.topic} (topic ${record.topic}, partition ${record.partition}, offset ${record.offset}).`,
      { ...place, error },
    );
    // Acknowledged: go past it even when the source is stopping, so a last checkpoint includes it.
    return true;
  }

  private emitPeriodicWatermark(watermarks: PartitionWatermarks<TRecord>): void {
    if (!this.running) return;
    try {
      watermarks.onPeriodicEmit();
    } catch (error) {
      this.fail(watermarkError('watermark generator', { error }));
    }
  }

  private fail(error: Error): void {
    this.running = false;
    this.endRun?.(error);
  }

  private async resolveSentinels(entries: readonly TopicPartitionOffset[]): Promise<TopicPartitionOffset[]> {
    const admin = this.admin!;
    const byTopic = new Map<string, TopicPartitionOffset[]>();
    for (const e of entries) byTopic.set(e.topic, [...(byTopic.get(e.topic) ?? []), e]);
    const out: TopicPartitionOffset[] = [];
    for (const [topic, list] of byTopic) {
      if (list.every((e) => !isSentinel(e.offset) || e.offset === -1)) {
        out.push(...list);
        continue;
      }
      let watermarks: Map<number, { low: number; high: number }>;
      let committed = new Map<number, number>();
      try {
        watermarks = new Map(
          (await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, { low: Number(o.low), high: Number(o.high) }]),
        );
        if (list.some((e) => readPositionOf(e.offset).kind === 'group')) {
          const groups = await admin.fetchOffsets({ groupId: this.config.groupId, topics: [topic] });
          committed = new Map((groups[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
        }
      } catch (error) {
        throw wrapKafkaJsError(error, { action: 'looking up start offsets', topic });
      }
      for (const e of list) {
        const position = readPositionOf(e.offset);
        const marks = watermarks.get(e.partition) ?? { low: 0, high: 0 };
        let next: number;
        switch (position.kind) {
          case 'offset':
            next = position.offset;
            break;
          case 'earliest':
            next = marks.low;
            break;
          case 'latest':
            next = marks.high;
            break;
          case 'group': {
            const c = committed.get(e.partition) ?? -1;
            next = c >= 0 ? c : this.resetPosition({ topic, partition: e.partition }, marks);
            break;
          }
        }
        out.push({ topic, partition: e.partition, offset: lastEmittedBefore(next) });
      }
    }
    return out;
  }

  private resetPosition(tp: TopicPartition, marks: { low: number; high: number }): number {
    switch (this.config.autoOffsetReset) {
      case 'earliest':
        return marks.low;
      case 'latest':
        return marks.high;
      case 'none':
        throw new KafkaError(
          `Group ${this.config.groupId} has no committed offset for topic ${tp.topic} partition ${tp.partition} and auto.offset.reset is none. ` +
            'Commit an offset for the group, choose another start position, or set auto.offset.reset to earliest or latest.',
          { code: KafkaErrorCode.KAFKA_CONFIG_INVALID, topic: tp.topic, partition: tp.partition, option: 'auto.offset.reset' },
        );
    }
  }

  private async offsetsForTimes(partitions: readonly TopicPartition[], timestamp: number): Promise<Map<string, number | null>> {
    const out = new Map<string, number | null>();
    for (const topic of new Set(partitions.map((p) => p.topic))) {
      try {
        for (const o of await this.admin!.fetchTopicOffsetsByTimestamp(topic, timestamp)) {
          out.set(partitionKey({ topic, partition: o.partition }), Number(o.offset));
        }
      } catch (error) {
        throw wrapKafkaJsError(error, { action: 'looking up offsets by timestamp', topic });
      }
    }
    return out;
  }

  private async commitToGroup(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    const cluster = this.commitCluster;
    if (cluster === undefined) return;
    try {
      await commitGroupOffsets(cluster, { groupId: this.config.groupId, offsets });
    } catch (error) {
      throw wrapKafkaJsError(error, { action: `committing offsets of group ${this.config.groupId}`, fallbackCode: KafkaErrorCode.KAFKA_OFFSET_COMMIT_FAILED });
    }
  }

  private commitPeriodically(): void {
    const offsets = [...this.progress.values()]
      .filter((p) => !isSentinel(p.offset))
      .map((p) => ({ topic: p.topic, partition: p.partition, offset: p.offset }));
    // Reuse the one-in-flight logic with a synthetic checkpoint id per period.
    const id = Date.now();
    this.committer?.onSnapshot(id, offsets);
    this.committer?.onCheckpointComplete(id);
  }

  private registerMetrics(context: RuntimeContext): void {
    const group = context.metricGroup;
    // An operator I/O metric (the dashboard sums it per operator): kept with flink.disable-metrics,
    // which in Flink silences the Kafka consumer's own metrics only.
    this.bytesIn = group.counter('numBytesIn');
    if (this.config.disableMetrics) return;
    this.skippedRecords = group.counter('recordsSkipped');
    this.deadLettered = group.counter('recordsDeadLettered');
    this.partitionMetrics = group.addGroup('KafkaConsumer');
  }
}

function watermarkError(what: string, input: { record?: KafkaConsumerRecord; error: unknown }): KafkaError {
  const { record, error } = input;
  const detail = error instanceof Error ? error.message : String(error);
  const place = record === undefined ? {} : { topic: record.topic, partition: record.partition, offset: record.offset };
  return new KafkaError(`The ${what} of the source's watermark strategy threw${describePlace(place)}: ${detail}. Fix the strategy.`, {
    code: KafkaErrorCode.KAFKA_WATERMARK_FAILED,
    ...place,
    cause: error,
  });
}

function isPromiseLike<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function deserializationError(record: KafkaConsumerRecord, cause: unknown): SerdeError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new SerdeError(
    `Could not deserialize the record at topic ${record.topic}, partition ${record.partition}, offset ${record.offset}: ${detail}. ` +
      "The job fails and re-reads this record after a restart; to go past such records set onDeserializationError to 'skip' or deadLetter(topic).",
    { code: CoreErrorCode.SERDE_CORRUPT_RECORD, topic: record.topic, partition: record.partition, offset: record.offset, cause },
  );
}
