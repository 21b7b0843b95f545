/**
 * The EXACTLY_ONCE Kafka sink: Flink 1.6's `FlinkKafkaProducer011` on the ordering of
 * `TwoPhaseCommitSinkFunction` (reference §3): one Kafka transaction per checkpoint per subtask,
 * pre-committed (flushed) at the snapshot, committed when the checkpoint completes, and after a
 * restore the checkpointed pre-committed transactions are committed from their stored producer id
 * and epoch before any producer reuses their transactional ids.
 *
 * The two-phase-commit ordering lives here rather than on core's `TwoPhaseCommitSink` because that
 * class is not exported from `@sluice/core` yet, and because Kafka needs the subtask index (for
 * transactional ids) before the first transaction begins, which core gives only in `open()`: the
 * restore steps of `initializeState` therefore run at the start of `open()` here, still before
 * the first record.
 */
import type {
  CheckpointListener,
  CheckpointedFunction,
  FunctionInitializationContext,
  FunctionSnapshotContext,
  ListState,
  RichFunction,
  RuntimeContext,
  Sink,
  SinkContext,
  TypeInformation,
  DataInput,
  DataOutput,
} from '@sluice/core';
import { StateError, CoreErrorCode } from '@sluice/core';
import type { Admin } from 'kafkajs';
import { KafkaError, KafkaErrorCode, wrapKafkaJsError } from '../errors.js';
import { createKafkaJsClient } from '../internal/kafka-client.js';
import { versionedType } from '../internal/versioned-type.js';
import type { KafkaSinkConfig } from './kafka-sink.js';
import { KafkaTransactionManager } from './transactions/kafka-transaction-manager.js';
import {
  NEXT_TRANSACTIONAL_ID_HINT_STATE_NAME,
  kafkaTransactionContextType,
  kafkaTransactionStateType,
  nextTransactionalIdHintType,
} from './transactions/transaction-state.js';
import type { KafkaTransactionContext, KafkaTransactionState, NextTransactionalIdHint } from './transactions/transaction-state.js';
import { RecordWriter } from './writer/record-writer.js';
import { trace } from '../internal/trace.js';

/** A transaction handle with the time it began (Flink's `TransactionHolder`). */
export interface KafkaTransactionHolder {
  readonly handle: KafkaTransactionState;
  /** ms since the epoch. */
  readonly startTime: number;
}

/** One element of the sink's `state` list (Flink's `TwoPhaseCommitSinkFunction.State`). */
export interface KafkaTwoPhaseCommitState {
  readonly pendingTransaction: KafkaTransactionHolder;
  readonly pendingCommitTransactions: readonly KafkaTransactionHolder[];
  readonly context: KafkaTransactionContext | undefined;
}

/** Name of the sink's even-split list state. */
export const KAFKA_TWO_PHASE_COMMIT_STATE_NAME = 'state';

function nested<TValue>(type: TypeInformation<TValue>) {
  const serializer = type.createSerializer();
  return {
    write: (value: TValue, out: DataOutput) => serializer.serialize(value, out),
    read: (input: DataInput) => serializer.deserialize(input),
  };
}

const txnCodec = nested(kafkaTransactionStateType);
const contextCodec = nested(kafkaTransactionContextType);

/**
 * Version 1 payload: `txn, float64 start; varuint n; n × (txn, float64 start); bool hasContext
 * [, context]` where txn and context are the nested versioned codecs.
 */
export const kafkaTwoPhaseCommitStateType: TypeInformation<KafkaTwoPhaseCommitState> = versionedType<KafkaTwoPhaseCommitState>({
  typeId: 'sluice.kafka.two-phase-commit-state',
  name: 'kafka-two-phase-commit-state',
  version: 1,
  write(value, out) {
    const holder = (h: KafkaTransactionHolder): void => {
      txnCodec.write(h.handle, out);
      out.writeFloat64(h.startTime);
    };
    holder(value.pendingTransaction);
    out.writeVarUint(value.pendingCommitTransactions.length);
    for (const h of value.pendingCommitTransactions) holder(h);
    out.writeBoolean(value.context !== undefined);
    if (value.context !== undefined) contextCodec.write(value.context, out);
  },
  readers: {
    1: (input) => {
      const holder = (): KafkaTransactionHolder => ({ handle: txnCodec.read(input), startTime: input.readFloat64() });
      const pendingTransaction = holder();
      const count = input.readVarUint();
      const pendingCommitTransactions: KafkaTransactionHolder[] = [];
      for (let i = 0; i < count; i += 1) pendingCommitTransactions.push(holder());
      const context = input.readBoolean() ? contextCodec.read(input) : undefined;
      return { pendingTransaction, pendingCommitTransactions, context };
    },
  },
});

/** Warn when committing a transaction older than this share of the timeout (Flink's 0.8). */
export const TRANSACTION_TIMEOUT_WARNING_RATIO = 0.8;

/** The EXACTLY_ONCE implementation behind `KafkaSink.builder()...build()`. */
export class ExactlyOnceKafkaSink<TRecord> implements Sink<TRecord>, CheckpointedFunction, CheckpointListener, RichFunction {
  private state: ListState<KafkaTwoPhaseCommitState> | undefined;
  private hintState: ListState<NextTransactionalIdHint> | undefined;
  private restoredElements: KafkaTwoPhaseCommitState[] = [];
  private restoredHints: NextTransactionalIdHint[] = [];
  private hint: NextTransactionalIdHint = { lastParallelism: 0, nextFreeTransactionalId: 0 };
  private context: KafkaTransactionContext | undefined;
  private current: KafkaTransactionHolder | undefined;
  private readonly pending = new Map<number, KafkaTransactionHolder>();
  private manager: KafkaTransactionManager<TRecord> | undefined;
  private admin: Admin | undefined;
  private subtaskIndex = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private snapshotting = false;

  /** @internal Use `KafkaSink.builder()`. */
  constructor(private readonly config: KafkaSinkConfig<TRecord>) {}

  /** Registers `state` (even split) and `next-transactional-id-hint` (union) and reads them back. */
  initializeState(context: FunctionInitializationContext): void {
    this.state = context.operatorStateStore.getListState({ name: KAFKA_TWO_PHASE_COMMIT_STATE_NAME, type: kafkaTwoPhaseCommitStateType });
    this.hintState = context.operatorStateStore.getUnionListState({
      name: NEXT_TRANSACTIONAL_ID_HINT_STATE_NAME,
      type: nextTransactionalIdHintType,
    });
    this.restoredElements = context.isRestored ? this.state.get() : [];
    this.restoredHints = this.hintState.get();
  }

  /**
   * Connects; checks the transaction timeout against the broker; recovers (commits the restored
   * pre-committed transactions, aborts the restored open ones and the restored pool) or, with no
   * hint in state, aborts the whole safe scale-down id range; then begins the first transaction.
   */
  async open(runtime: RuntimeContext): Promise<void> {
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
    trace('sink.open', { subtask: this.subtaskIndex, hints: this.restoredHints, elements: this.restoredElements });
    if (hint === undefined) await manager.abortSafeScaleDownRange();
    else this.hint = hint;
    let recoveredContext = false;
    for (const element of this.restoredElements) {
      for (const holder of element.pendingCommitTransactions) {
        trace('sink.recoverAndCommit', { subtask: this.subtaskIndex, handle: holder.handle });
        await manager.recoverAndCommit(holder.handle);
      }
      trace('sink.recoverAndAbort', { subtask: this.subtaskIndex, handle: element.pendingTransaction.handle });
      await manager.recoverAndAbort(element.pendingTransaction.handle);
      if (element.context !== undefined) {
        await manager.finishRecoveringContext(element.context);
        this.context = element.context;
        recoveredContext = true;
      }
    }
    if (!recoveredContext) this.context = manager.initializeUserContext(this.hint);
    this.pending.clear();
    this.current = { handle: await manager.beginTransaction(), startTime: Date.now() };
    trace('sink.begin-first', { subtask: this.subtaskIndex, handle: this.current.handle });
  }

  /** Writes into the current transaction. */
  invoke(value: TRecord, context: SinkContext): void | Promise<void> {
    if (this.snapshotting) {
      // A record that arrives while the snapshot pre-commits would land in the transaction of the
      // checkpoint it does not belong to (duplicated after a restore): refuse it loudly.
      throw new KafkaError('The exactly-once Kafka sink got a record while snapshotState was running; the runtime must not deliver records during a snapshot.', {
        code: KafkaErrorCode.KAFKA_CLIENT_ERROR,
      });
    }
    if (this.manager === undefined || this.current === undefined) {
      throw new KafkaError('The exactly-once Kafka sink got a record before open() or after close().', {
        code: KafkaErrorCode.KAFKA_CLIENT_ERROR,
      });
    }
    return this.manager.write(value, context.timestamp);
  }

  /** Pre-commits the current transaction, parks it under the checkpoint id, begins the next, writes the state. */
  snapshotState(context: FunctionSnapshotContext): Promise<void> {
    return this.serially(async () => {
      const manager = this.manager;
      const current = this.current;
      if (manager === undefined || current === undefined || this.state === undefined || this.hintState === undefined) {
        throw new KafkaError(`Checkpoint ${context.checkpointId} reached the exactly-once Kafka sink before open().`, {
          code: KafkaErrorCode.KAFKA_CLIENT_ERROR,
          checkpointId: context.checkpointId,
        });
      }
      this.snapshotting = true;
      try {
        await manager.preCommit(current.handle);
        trace('sink.preCommitted', { subtask: this.subtaskIndex, cp: context.checkpointId, handle: current.handle });
        this.pending.set(context.checkpointId, current);
        this.current = { handle: await manager.beginTransaction(), startTime: Date.now() };
        trace('sink.begin', { subtask: this.subtaskIndex, cp: context.checkpointId, handle: this.current.handle });
      } finally {
        this.snapshotting = false;
      }
      this.state.update([
        { pendingTransaction: this.current, pendingCommitTransactions: [...this.pending.values()], context: this.context },
      ]);
      if (this.subtaskIndex === 0) {
        this.hint = manager.nextHint(this.hint);
        this.hintState.update([this.hint]);
      } else {
        this.hintState.clear();
      }
    });
  }

  /** Commits, oldest first, every parked transaction with a checkpoint id ≤ `checkpointId`. */
  notifyCheckpointComplete(checkpointId: number): Promise<void> {
    return this.serially(async () => {
      const manager = this.manager;
      if (manager === undefined) return;
      for (const [id, holder] of [...this.pending]) {
        if (id > checkpointId) continue;
        const age = Date.now() - holder.startTime;
        if (age > TRANSACTION_TIMEOUT_WARNING_RATIO * this.config.transactionTimeoutMs) {
          this.config.logger.warn(
            `Committing the transaction of checkpoint ${id} that is ${age} ms old, past ${TRANSACTION_TIMEOUT_WARNING_RATIO} × transactionTimeoutMs ` +
              `(${this.config.transactionTimeoutMs} ms); the broker may abort it first and lose its records. Checkpoint more often or raise the timeout.`,
            { checkpointId: id, ageMs: age },
          );
        }
        trace('sink.commit', { subtask: this.subtaskIndex, notified: checkpointId, cp: id, handle: holder.handle });
        await manager.commit(holder.handle);
        trace('sink.committed', { subtask: this.subtaskIndex, cp: id, handle: holder.handle });
        this.pending.delete(id);
      }
    });
  }

  /** Aborts the current transaction and disconnects; parked transactions stay for recovery. */
  close(): Promise<void> {
    return this.serially(async () => {
      const manager = this.manager;
      const current = this.current;
      this.current = undefined;
      this.manager = undefined;
      try {
        if (manager !== undefined && current !== undefined) await manager.abort(current.handle);
      } finally {
        await manager?.disconnect();
        await this.admin?.disconnect().catch(() => undefined);
        this.admin = undefined;
      }
    });
  }

  private serially<TResult>(task: () => Promise<TResult>): Promise<TResult> {
    const run = this.chain.then(task, task);
    this.chain = run.catch(() => undefined);
    return run;
  }
}
