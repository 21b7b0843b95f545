/**
 * The EXACTLY_ONCE Kafka sink: Flink 1.6's `FlinkKafkaProducer011` on core's
 * `TwoPhaseCommitSink` (reference §3): one Kafka transaction per checkpoint per subtask,
 * pre-committed (flushed) at the snapshot, committed when the checkpoint completes, and after a
 * restore the checkpointed pre-committed transactions are committed from their stored producer id
 * and epoch before any producer reuses their transactional ids. The ordering (and its state,
 * core's `sluice.two-phase-commit-state` with the Kafka transaction handle and context inside)
 * is core's; this class adds the Kafka hooks, the transactional-id hint (union list state
 * `next-transactional-id-hint`) and the abort sweep of a start without a hint.
 */
import { CoreErrorCode, StateError, TWO_PHASE_COMMIT_STATE_NAME, TwoPhaseCommitSink, twoPhaseCommitStateType } from '@sluice/core';
import type {
  FunctionInitializationContext,
  FunctionSnapshotContext,
  ListState,
  RuntimeContext,
  SinkContext,
  TwoPhaseCommitState,
  TypeInformation,
} from '@sluice/core';
import type { Admin } from 'kafkajs';
import { KafkaError, KafkaErrorCode, wrapKafkaJsError } from '../errors.js';
import { createKafkaJsClient } from '../internal/kafka-client.js';
import { trace } from '../internal/trace.js';
import type { KafkaSinkConfig } from './kafka-sink.js';
import { KafkaTransactionManager } from './transactions/kafka-transaction-manager.js';
import {
  NEXT_TRANSACTIONAL_ID_HINT_STATE_NAME,
  kafkaTransactionContextType,
  kafkaTransactionStateType,
  nextTransactionalIdHintType,
} from './transactions/transaction-state.js';
import type { KafkaTransactionContext, KafkaTransactionState, NextTransactionalIdHint } from './transactions/transaction-state.js';
import { NUM_BYTES_OUT, RecordWriter } from './writer/record-writer.js';

/** One element of the sink's `state` list: core's two-phase-commit state with Kafka handles. */
export type KafkaTwoPhaseCommitState = TwoPhaseCommitState<KafkaTransactionState, KafkaTransactionContext>;

/** The type of the sink's `state` elements (core's layout, Kafka transaction state and context inside). */
export const kafkaTwoPhaseCommitStateType: TypeInformation<KafkaTwoPhaseCommitState> = twoPhaseCommitStateType(
  kafkaTransactionStateType,
  kafkaTransactionContextType,
);

/** Warn when committing a transaction older than this share of the timeout (Flink's 0.8). */
export const TRANSACTION_TIMEOUT_WARNING_RATIO = 0.8;

function handleKey(handle: KafkaTransactionState): string {
  return `${handle.transactionalId ?? ''}/${handle.producerId}/${handle.epoch}`;
}

/** The EXACTLY_ONCE implementation behind `KafkaSink.builder()...build()`. */
export class ExactlyOnceKafkaSink<TRecord> extends TwoPhaseCommitSink<TRecord, KafkaTransactionState, KafkaTransactionContext> {
  private hintState: ListState<NextTransactionalIdHint> | undefined;
  private restoredHints: NextTransactionalIdHint[] = [];
  private hint: NextTransactionalIdHint = { lastParallelism: 0, nextFreeTransactionalId: 0 };
  private manager: KafkaTransactionManager<TRecord> | undefined;
  private admin: Admin | undefined;
  private subtaskIndex = 0;
  /** Start times of the restored pre-committed transactions, by {@link handleKey}. */
  private readonly restoredStartTimes = new Map<string, number>();

  /** @internal Use `KafkaSink.builder()`. */
  constructor(private readonly config: KafkaSinkConfig<TRecord>) {
    super({
      transactionType: kafkaTransactionStateType,
      contextType: kafkaTransactionContextType,
      transactionTimeoutMs: config.transactionTimeoutMs,
      timeoutWarningRatio: TRANSACTION_TIMEOUT_WARNING_RATIO,
      ignoreFailuresAfterTransactionTimeout: config.ignoreFailuresAfterTransactionTimeout,
      logger: { warn: (message, details) => config.logger.warn(message, details) },
    });
  }

  /** Registers core's `state` (even split) and `next-transactional-id-hint` (union) and reads them back. */
  override initializeState(context: FunctionInitializationContext): void {
    super.initializeState(context);
    this.hintState = context.operatorStateStore.getUnionListState({
      name: NEXT_TRANSACTIONAL_ID_HINT_STATE_NAME,
      type: nextTransactionalIdHintType,
    });
    this.restoredHints = this.hintState.get();
    // core's own state (the same list it registered): the start times tell a timed-out transaction from a committed one
    const restored = context.operatorStateStore.getListState({ name: TWO_PHASE_COMMIT_STATE_NAME, type: kafkaTwoPhaseCommitStateType }).get();
    for (const element of restored) {
      for (const holder of element.pendingCommitTransactions) this.restoredStartTimes.set(handleKey(holder.handle), holder.transactionStartTime);
    }
  }

  /**
   * Connects; checks the transaction timeout against the broker; with no hint in state aborts the
   * whole safe scale-down id range; then core recovers (commits the restored pre-committed
   * transactions, aborts the restored open ones, fences the restored pool) and begins the first
   * transaction.
   */
  override async open(runtime: RuntimeContext): Promise<void> {
    const { config } = this;
    if (!runtime.isCheckpointingEnabled) {
      throw new KafkaError('EXACTLY_ONCE needs checkpointing: call env.enableCheckpointing(ms), or use AT_LEAST_ONCE / NONE.', {
        code: KafkaErrorCode.KAFKA_CONFIG_INVALID,
        option: 'deliveryGuarantee',
      });
    }
    this.subtaskIndex = runtime.subtaskIndex;
    config.partitioner?.open?.(runtime.subtaskIndex, runtime.parallelism);
    await config.serializer.open?.();
    const kafka = createKafkaJsClient(config.connection, config.logger);
    this.admin = kafka.admin();
    try {
      await this.admin.connect();
    } catch (error) {
      throw wrapKafkaJsError(error, { action: 'connecting the sink', hint: 'Check bootstrapServers, TLS and SASL settings.' });
    }
    const writer = new RecordWriter<TRecord>({
      serializer: config.serializer,
      defaultTopic: config.defaultTopic,
      partitioner: config.partitioner,
      admin: this.admin,
      logFailuresOnly: false,
      writeTimestamp: config.writeTimestampToKafka,
      logger: config.logger,
      sendErrors: runtime.metricGroup.counter('sendErrors'),
      bytesOut: runtime.metricGroup.counter(NUM_BYTES_OUT),
    });
    const manager = new KafkaTransactionManager<TRecord>({
      kafka,
      admin: this.admin,
      writer,
      prefix: config.transactionalIdPrefix!,
      operatorUid: runtime.operatorUid,
      subtaskIndex: runtime.subtaskIndex,
      parallelism: runtime.parallelism,
      poolSize: config.producerPoolSize,
      transactionTimeoutMs: config.transactionTimeoutMs,
      logger: config.logger,
    });
    this.manager = manager;
    await manager.checkTransactionTimeout();
    if (this.restoredHints.length > 1) {
      throw new StateError(`The sink state holds ${this.restoredHints.length} transactional id hints; at most one is expected.`, {
        code: CoreErrorCode.STATE_CORRUPT,
      });
    }
    const hint = this.restoredHints[0];
    trace('sink.open', { subtask: this.subtaskIndex, hints: this.restoredHints });
    if (hint === undefined) await manager.abortSafeScaleDownRange();
    else this.hint = hint;
    await super.open(runtime);
    trace('sink.begin-first', { subtask: this.subtaskIndex, handle: this.currentTransaction() });
  }

  /** Pre-commits and parks the current transaction, begins the next (core); subtask 0 writes the hint. */
  override async snapshotState(context: FunctionSnapshotContext): Promise<void> {
    const manager = this.manager;
    if (manager === undefined || this.hintState === undefined) {
      throw new KafkaError(`Checkpoint ${context.checkpointId} reached the exactly-once Kafka sink before open().`, {
        code: KafkaErrorCode.KAFKA_CLIENT_ERROR,
        checkpointId: context.checkpointId,
      });
    }
    const preCommitted = this.currentTransaction();
    await super.snapshotState(context);
    trace('sink.preCommitted', { subtask: this.subtaskIndex, cp: context.checkpointId, handle: preCommitted, next: this.currentTransaction() });
    if (this.subtaskIndex === 0) {
      this.hint = manager.nextHint(this.hint);
      this.hintState.update([this.hint]);
    } else {
      this.hintState.clear();
    }
  }

  /** Aborts the current transaction (core) and disconnects; parked transactions stay for recovery. */
  override async close(): Promise<void> {
    try {
      if (this.manager !== undefined) await super.close();
    } finally {
      const manager = this.manager;
      this.manager = undefined;
      await manager?.disconnect();
      await this.admin?.disconnect().catch(() => undefined);
      this.admin = undefined;
    }
  }

  // ---- TwoPhaseCommitSink hooks ----------------------------------------------------------------

  protected beginTransaction(): Promise<KafkaTransactionState> {
    return this.requireManager().beginTransaction();
  }

  protected invokeInTransaction(_txn: KafkaTransactionState, value: TRecord, context: SinkContext): void | Promise<void> {
    return this.requireManager().write(value, context.timestamp);
  }

  protected preCommit(txn: KafkaTransactionState): Promise<void> {
    return this.requireManager().preCommit(txn);
  }

  protected async commit(txn: KafkaTransactionState): Promise<void> {
    trace('sink.commit', { subtask: this.subtaskIndex, handle: txn });
    await this.requireManager().commit(txn);
  }

  protected abort(txn: KafkaTransactionState): Promise<void> {
    return this.requireManager().abort(txn);
  }

  protected override async recoverAndCommit(txn: KafkaTransactionState): Promise<void> {
    trace('sink.recoverAndCommit', { subtask: this.subtaskIndex, handle: txn });
    await this.requireManager().recoverAndCommit(txn, this.restoredStartTimes.get(handleKey(txn)));
  }

  protected override async recoverAndAbort(txn: KafkaTransactionState): Promise<void> {
    trace('sink.recoverAndAbort', { subtask: this.subtaskIndex, handle: txn });
    await this.requireManager().recoverAndAbort(txn);
  }

  protected override initializeUserContext(): KafkaTransactionContext {
    return this.requireManager().initializeUserContext(this.hint);
  }

  protected override finishRecoveringContext(context: KafkaTransactionContext): Promise<void> {
    return this.requireManager().finishRecoveringContext(context);
  }

  private requireManager(): KafkaTransactionManager<TRecord> {
    if (this.manager === undefined) {
      throw new KafkaError('The exactly-once Kafka sink got a record or a checkpoint before open() or after close().', {
        code: KafkaErrorCode.KAFKA_CLIENT_ERROR,
      });
    }
    return this.manager;
  }
}
