/**
 * `TwoPhaseCommitSink` (Flink 1.6's `TwoPhaseCommitSinkFunction`): the base class of exactly-once
 * sinks. A subclass says how to begin, write into, pre-commit, commit and abort one transaction;
 * the base class owns the checkpointed state and the order of the calls, so that output becomes
 * visible only once the checkpoint that covers it is complete.
 */
import { ConfigError, CoreErrorCode, SluiceError, StateError } from '../errors.js';
import { DataInput, DataOutput } from '../types/data-view.js';
import type { TypeInformation } from '../types/type-information.js';
import type { SerializerSnapshot, TypeSerializer } from '../types/type-serializer.js';
import type { RichFunction, RuntimeContext, Sink, SinkContext } from './functions.js';
import type {
  CheckpointedFunction,
  CheckpointListener,
  FunctionInitializationContext,
  FunctionSnapshotContext,
  ListState,
} from './state.js';

/** A transaction handle together with the time it began (Flink's `TransactionHolder`). */
export interface TransactionHolder<TTxn> {
  /** The subclass's transaction handle, as returned by `beginTransaction`. */
  readonly handle: TTxn;
  /** When the transaction began, in ms of the sink's clock. */
  readonly transactionStartTime: number;
}

/**
 * The element of the sink's list state `state` (Flink's `TwoPhaseCommitSinkFunction.State`):
 * the transaction that was open after the snapshot, the pre-committed transactions waiting for
 * their checkpoint to complete (in creation order), and the user context if there is one.
 */
export interface TwoPhaseCommitState<TTxn, TContext> {
  /** The transaction begun by the snapshot; aborted on restore. */
  readonly pendingTransaction: TransactionHolder<TTxn>;
  /** Pre-committed transactions, oldest first; committed on restore. */
  readonly pendingCommitTransactions: readonly TransactionHolder<TTxn>[];
  /** The user context, when the sink has one. */
  readonly context?: TContext;
}

/** Receives the sink's warnings (timeouts, possible data loss). */
export interface TwoPhaseCommitLogger {
  /** Called with a complete sentence and structured details. */
  warn(message: string, details?: Readonly<Record<string, unknown>>): void;
}

/** Options of a {@link TwoPhaseCommitSink}. */
export interface TwoPhaseCommitSinkOptions<TTxn, TContext> {
  /** Type of the transaction handles; its serializer writes them into checkpoints. */
  readonly transactionType: TypeInformation<TTxn>;
  /**
   * Type of the user context (see {@link TwoPhaseCommitSink.initializeUserContext}). Required when
   * the sink has a context.
   * @defaultValue `undefined` (the sink has no user context)
   */
  readonly contextType?: TypeInformation<TContext>;
  /**
   * How long an external system keeps a transaction open before giving up on it, in ms. Used for
   * the timeout warning and by `ignoreFailuresAfterTransactionTimeout`. Must be positive.
   * @defaultValue `Infinity`
   */
  readonly transactionTimeoutMs?: number;
  /**
   * Warn when a transaction being committed is older than `timeoutWarningRatio ×
   * transactionTimeoutMs`. Must be in [0, 1].
   * @defaultValue `undefined` (no warning)
   */
  readonly timeoutWarningRatio?: number;
  /**
   * On restore, when committing a recovered transaction fails and the transaction is older than
   * `transactionTimeoutMs`, log "possible data loss" and go on instead of failing.
   * @defaultValue `false`
   */
  readonly ignoreFailuresAfterTransactionTimeout?: boolean;
  /**
   * The clock that stamps transaction start times, ms.
   * @defaultValue `Date.now`
   */
  readonly clock?: () => number;
  /**
   * Receives warnings.
   * @defaultValue a logger that drops everything
   */
  readonly logger?: TwoPhaseCommitLogger;
}

/** Name of the sink's operator list state (even-split redistribution). */
export const TWO_PHASE_COMMIT_STATE_NAME = 'state';

const NO_LOGGER: TwoPhaseCommitLogger = { warn: () => undefined };

/**
 * Base class of exactly-once sinks (Flink's `TwoPhaseCommitSinkFunction<IN, TXN, CONTEXT>`).
 *
 * Every record goes into the current transaction. At each checkpoint the base class pre-commits
 * the current transaction, parks it under the checkpoint id and begins a new one; when the
 * checkpoint completes it commits every parked transaction with an id ≤ the completed id, oldest
 * first. On restore it commits the transactions parked in the restored checkpoint
 * ({@link TwoPhaseCommitSink.recoverAndCommit}) and aborts the one that was open
 * ({@link TwoPhaseCommitSink.recoverAndAbort}). `commit` and `recoverAndCommit` must therefore be
 * idempotent: the same transaction may be committed again after a failure.
 *
 * **Where recovery runs.** Flink recovers in `initializeState`. In Sluice the runtime context
 * (subtask index, parallelism) arrives only in `open`, after `initializeState`, and transactional
 * ids usually depend on it; so `initializeState` only registers the state and `open` runs Flink's
 * recovery steps (recover-commit, recover-abort, user context, first transaction) before any
 * record. A subclass that overrides `open` calls `await super.open(context)` first.
 *
 * Give the sink a `uid(...)` so its state is found on restore.
 *
 * @typeParam TIn - record type
 * @typeParam TTxn - transaction handle; must be serializable by `transactionType`
 * @typeParam TContext - user context kept in the state (e.g. a pool of transactional ids)
 */
export abstract class TwoPhaseCommitSink<TIn, TTxn, TContext = never>
  implements Sink<TIn>, CheckpointedFunction, CheckpointListener, RichFunction
{
  /** The user context: restored, or from {@link TwoPhaseCommitSink.initializeUserContext}. */
  protected userContext: TContext | undefined;

  private readonly stateSerializerInfo: TypeInformation<TwoPhaseCommitState<TTxn, TContext>>;
  private readonly transactionTimeoutMs: number;
  private readonly timeoutWarningRatio: number | undefined;
  private readonly ignoreFailuresAfterTransactionTimeout: boolean;
  private readonly clock: () => number;
  private readonly logger: TwoPhaseCommitLogger;
  private readonly hasContextType: boolean;

  private current: TransactionHolder<TTxn> | undefined;
  private readonly pending = new Map<number, TransactionHolder<TTxn>>();
  private state: ListState<TwoPhaseCommitState<TTxn, TContext>> | undefined;
  /** What initializeState found, recovered by open. */
  private restore:
    | { elements: TwoPhaseCommitState<TTxn, TContext>[]; checkpointId: number | undefined }
    | undefined;
  private runtimeContext: RuntimeContext | undefined;
  /** Serializes snapshot, notify and close so that they never interleave. */
  private chain: Promise<unknown> = Promise.resolve();
  /** Snapshots called and not finished; records are refused meanwhile. */
  private snapshotsInFlight = 0;

  /** @param options - see {@link TwoPhaseCommitSinkOptions}; validated here. */
  protected constructor(options: TwoPhaseCommitSinkOptions<TTxn, TContext>) {
    validateOptions(options);
    this.stateSerializerInfo = twoPhaseCommitStateType(options.transactionType, options.contextType);
    this.hasContextType = options.contextType !== undefined;
    this.transactionTimeoutMs = options.transactionTimeoutMs ?? Infinity;
    this.timeoutWarningRatio = options.timeoutWarningRatio;
    this.ignoreFailuresAfterTransactionTimeout = options.ignoreFailuresAfterTransactionTimeout ?? false;
    this.clock = options.clock ?? Date.now;
    this.logger = options.logger ?? NO_LOGGER;
  }

  // ---- hooks ---------------------------------------------------------------------------------

  /** Begins a new transaction and returns its handle. */
  protected abstract beginTransaction(): Promise<TTxn> | TTxn;

  /** Writes `value` into the transaction `txn` (Flink's `invoke(txn, value, context)`). */
  protected abstract invokeInTransaction(
    txn: TTxn,
    value: TIn,
    context: SinkContext,
  ): Promise<void> | void;

  /**
   * Makes `txn` ready to commit (flush, fsync, ...). After this no record goes into `txn`; any
   * failure here fails the checkpoint.
   */
  protected abstract preCommit(txn: TTxn): Promise<void> | void;

  /** Makes `txn` visible. Must be idempotent: it may run again for the same transaction. */
  protected abstract commit(txn: TTxn): Promise<void> | void;

  /** Discards `txn`. */
  protected abstract abort(txn: TTxn): Promise<void> | void;

  /**
   * Commits a transaction found in restored state; it may already be committed, so tolerate that.
   * @defaultValue calls {@link TwoPhaseCommitSink.commit}
   */
  protected recoverAndCommit(txn: TTxn): Promise<void> | void {
    return this.commit(txn);
  }

  /**
   * Aborts the transaction that was open when the restored checkpoint was taken.
   * @defaultValue calls {@link TwoPhaseCommitSink.abort}
   */
  protected recoverAndAbort(txn: TTxn): Promise<void> | void {
    return this.abort(txn);
  }

  /**
   * Creates the user context when none was restored.
   * @defaultValue returns `undefined` (no context)
   */
  protected initializeUserContext(): Promise<TContext | undefined> | TContext | undefined {
    return undefined;
  }

  /**
   * Called after the transactions of a restored state element that carried a context were
   * recovered, with that context.
   * @defaultValue does nothing
   */
  protected finishRecoveringContext(_context: TContext): Promise<void> | void {
    return undefined;
  }

  /**
   * Runs the recovery and begins the first transaction (see the class comment), with the runtime
   * context available to every hook. An override must call `await super.open(context)` first;
   * its own code then runs after recovery, as a Flink subclass's `open` does.
   */
  async open(context: RuntimeContext): Promise<void> {
    this.runtimeContext = context;
    const restore = this.restore;
    if (restore === undefined) {
      throw new SluiceError(
        'TwoPhaseCommitSink.open was called before initializeState; the runtime must call initializeState first.',
        { code: CoreErrorCode.STATE_ACCESS_INVALID },
      );
    }
    let recoveredUserContext = false;
    for (const element of restore.elements) {
      this.userContext = element.context;
      for (const holder of element.pendingCommitTransactions) {
        await this.recoverAndCommitInternal(holder, restore.checkpointId);
      }
      await this.recoverAndAbort(element.pendingTransaction.handle);
      if (element.context !== undefined) {
        await this.finishRecoveringContext(element.context);
        recoveredUserContext = true;
      }
    }
    // Like Flink: without a restored context (fresh start, or a subtask that got no element with a
    // context after a rescale), the sink creates one.
    if (!recoveredUserContext) {
      this.userContext = await this.initializeUserContext();
      if (this.userContext !== undefined && !this.hasContextType) {
        throw new ConfigError(
          'TwoPhaseCommitSink has a user context but no contextType to write it into checkpoints: pass the option contextType.',
          { option: 'contextType' },
        );
      }
    }
    this.pending.clear();
    this.current = await this.beginTransactionInternal();
  }

  // ---- accessors -----------------------------------------------------------------------------

  /** The runtime context given to `open` (subtask index, parallelism, ...). */
  protected getRuntimeContext(): RuntimeContext {
    if (this.runtimeContext === undefined) {
      throw new SluiceError(
        'TwoPhaseCommitSink.getRuntimeContext() was called before open(); the runtime context exists from open() on.',
        { code: CoreErrorCode.STATE_ACCESS_INVALID },
      );
    }
    return this.runtimeContext;
  }

  /** The handle of the transaction records go into now, if any. */
  protected currentTransaction(): TTxn | undefined {
    return this.current?.handle;
  }

  /** The pre-committed transactions waiting for their checkpoint, by checkpoint id, oldest first. */
  protected pendingTransactions(): ReadonlyMap<number, TransactionHolder<TTxn>> {
    return new Map(this.pending);
  }

  // ---- Sink, CheckpointedFunction, CheckpointListener, RichFunction -------------------------

  /** Writes `value` into the current transaction. */
  invoke(value: TIn, context: SinkContext): Promise<void> | void {
    const current = this.current;
    if (current === undefined || this.snapshotsInFlight > 0) {
      throw new SluiceError(
        current === undefined
          ? 'TwoPhaseCommitSink.invoke was called with no open transaction: initializeState and open must run first (an open() override must call `await super.open(context)`), or the sink was closed.'
          : 'TwoPhaseCommitSink.invoke was called while snapshotState was running; the runtime must not deliver records during a snapshot.',
        { code: CoreErrorCode.STATE_ACCESS_INVALID },
      );
    }
    return this.invokeInTransaction(current.handle, value, context);
  }

  /**
   * Registers the even-split list state `state` and keeps its restored elements for
   * {@link TwoPhaseCommitSink.open}, which recovers them.
   */
  initializeState(context: FunctionInitializationContext): void {
    const state = context.operatorStateStore.getListState({
      name: TWO_PHASE_COMMIT_STATE_NAME,
      type: this.stateSerializerInfo,
    });
    this.state = state;
    this.restore = {
      elements: context.isRestored ? state.get() : [],
      checkpointId: context.restoredCheckpointId,
    };
  }

  /**
   * Pre-commits the current transaction, parks it under the checkpoint id, begins a new one and
   * writes one state element (reference §3 / checklist 26).
   */
  snapshotState(context: FunctionSnapshotContext): Promise<void> {
    this.snapshotsInFlight += 1;
    const done = (): void => {
      this.snapshotsInFlight -= 1;
    };
    return this.serially(async () => {
      const current = this.current;
      const state = this.state;
      if (current === undefined || state === undefined) {
        throw new SluiceError(
          `TwoPhaseCommitSink.snapshotState(${context.checkpointId}) found no open transaction: initializeState and open must run first (an open() override must call \`await super.open(context)\`).`,
          { code: CoreErrorCode.STATE_ACCESS_INVALID, checkpointId: context.checkpointId },
        );
      }
      await this.preCommit(current.handle);
      this.pending.set(context.checkpointId, current);
      this.current = await this.beginTransactionInternal();
      const element: TwoPhaseCommitState<TTxn, TContext> = {
        pendingTransaction: this.current,
        pendingCommitTransactions: [...this.pending.values()],
        ...(this.userContext === undefined ? {} : { context: this.userContext }),
      };
      state.clear();
      state.add(element);
    }).finally(done);
  }

  /**
   * Commits and forgets, oldest first, every parked transaction whose checkpoint id is ≤
   * `checkpointId`; later ones stay. Unlike Flink 1.6, a notification that finds nothing to commit
   * (late, repeated, or for a checkpoint taken before a restore) is a no-op, not an error.
   */
  notifyCheckpointComplete(checkpointId: number): Promise<void> {
    return this.serially(async () => {
      for (const [id, holder] of [...this.pending]) {
        if (id > checkpointId) continue;
        this.warnIfTimeoutAlmostReached(holder, `a transaction of checkpoint ${id}`);
        await this.commit(holder.handle);
        // Forget it only once committed: a snapshot taken meanwhile still lists it.
        this.pending.delete(id);
      }
    });
  }

  /** Aborts the current transaction. Parked transactions stay for recovery. */
  close(): Promise<void> {
    return this.serially(async () => {
      const current = this.current;
      this.current = undefined;
      if (current !== undefined) await this.abort(current.handle);
    });
  }

  // ---- internals -----------------------------------------------------------------------------

  private async beginTransactionInternal(): Promise<TransactionHolder<TTxn>> {
    const handle = await this.beginTransaction();
    return { handle, transactionStartTime: this.clock() };
  }

  private async recoverAndCommitInternal(
    holder: TransactionHolder<TTxn>,
    checkpointId: number | undefined,
  ): Promise<void> {
    try {
      const from = checkpointId === undefined ? '' : ` from checkpoint ${checkpointId}`;
      this.warnIfTimeoutAlmostReached(holder, `a transaction recovered${from}`);
      await this.recoverAndCommit(holder.handle);
    } catch (error) {
      const elapsed = this.clock() - holder.transactionStartTime;
      if (this.ignoreFailuresAfterTransactionTimeout && elapsed > this.transactionTimeoutMs) {
        this.logger.warn(
          `Committing a recovered transaction failed after its timeout (${elapsed} ms > ` +
            `${this.transactionTimeoutMs} ms); ignoring it as ignoreFailuresAfterTransactionTimeout ` +
            'is set. This is possible data loss.',
          { transaction: holder.handle, elapsedMs: elapsed, error },
        );
        return;
      }
      throw error;
    }
  }

  private warnIfTimeoutAlmostReached(holder: TransactionHolder<TTxn>, which: string): void {
    if (this.timeoutWarningRatio === undefined) return;
    const elapsed = this.clock() - holder.transactionStartTime;
    if (elapsed > this.timeoutWarningRatio * this.transactionTimeoutMs) {
      this.logger.warn(
        `Committing ${which} that is ${elapsed} ms old, past ` +
          `${this.timeoutWarningRatio} × transactionTimeoutMs (${this.transactionTimeoutMs} ms); ` +
          'it may time out in the external system and lose data. Checkpoint more often or raise the timeout.',
        { transaction: holder.handle, elapsedMs: elapsed },
      );
    }
  }

  private serially<TResult>(task: () => Promise<TResult>): Promise<TResult> {
    const run = this.chain.then(task, task);
    this.chain = run.catch(() => undefined);
    return run;
  }
}

function validateOptions<TTxn, TContext>(options: TwoPhaseCommitSinkOptions<TTxn, TContext>): void {
  const { transactionTimeoutMs, timeoutWarningRatio } = options;
  if (options.transactionType === undefined) {
    throw new ConfigError('TwoPhaseCommitSink needs the option transactionType (the type of the transaction handles).', {
      option: 'transactionType',
    });
  }
  if (transactionTimeoutMs !== undefined && !(transactionTimeoutMs > 0)) {
    throw new ConfigError(
      `TwoPhaseCommitSink option transactionTimeoutMs is ${transactionTimeoutMs}; it must be a positive number of ms (or Infinity).`,
      { option: 'transactionTimeoutMs' },
    );
  }
  if (timeoutWarningRatio !== undefined && !(timeoutWarningRatio >= 0 && timeoutWarningRatio <= 1)) {
    throw new ConfigError(
      `TwoPhaseCommitSink option timeoutWarningRatio is ${timeoutWarningRatio}; it must be in [0, 1].`,
      { option: 'timeoutWarningRatio' },
    );
  }
}

// ---- state serializer ---------------------------------------------------------------------------

/** Type id of the state serializer. */
export const TWO_PHASE_COMMIT_STATE_TYPE_ID = 'sluice.two-phase-commit-state';
/** Format version the state serializer writes. */
export const TWO_PHASE_COMMIT_STATE_VERSION = 1;

/**
 * The versioned type of the sink's state elements. Version 1, one element:
 * `varuint version`, then `varuint length` + payload; the payload is
 * `txn, float64 start; varuint n; n × (txn, float64 start); bool hasContext [, context]`
 * (Flink's layout, with ms start times as float64). The payload must be read to its end.
 */
export function twoPhaseCommitStateType<TTxn, TContext>(
  transactionType: TypeInformation<TTxn>,
  contextType?: TypeInformation<TContext>,
): TypeInformation<TwoPhaseCommitState<TTxn, TContext>> {
  const contextName = contextType === undefined ? '' : `, context: ${contextType.name}`;
  return {
    name: `two-phase-commit-state<${transactionType.name}${contextName}>`,
    createSerializer: () =>
      new TwoPhaseCommitStateSerializer(transactionType.createSerializer(), contextType?.createSerializer()),
  };
}

type Read<T> = (input: DataInput) => T;

class TwoPhaseCommitStateSerializer<TTxn, TContext>
  implements TypeSerializer<TwoPhaseCommitState<TTxn, TContext>>
{
  readonly typeId = TWO_PHASE_COMMIT_STATE_TYPE_ID;
  readonly version = TWO_PHASE_COMMIT_STATE_VERSION;

  constructor(
    private readonly txn: TypeSerializer<TTxn>,
    private readonly context: TypeSerializer<TContext> | undefined,
  ) {}

  serialize(value: TwoPhaseCommitState<TTxn, TContext>, out: DataOutput): void {
    const body = new DataOutput();
    const writeHolder = (holder: TransactionHolder<TTxn>): void => {
      this.txn.serialize(holder.handle, body);
      body.writeFloat64(holder.transactionStartTime);
    };
    writeHolder(value.pendingTransaction);
    body.writeVarUint(value.pendingCommitTransactions.length);
    for (const holder of value.pendingCommitTransactions) writeHolder(holder);
    if (value.context === undefined) {
      body.writeBoolean(false);
    } else {
      if (this.context === undefined) {
        throw new ConfigError(
          'TwoPhaseCommitSink state has a user context but the sink has no contextType: pass the option contextType.',
          { option: 'contextType' },
        );
      }
      body.writeBoolean(true);
      this.context.serialize(value.context, body);
    }
    out.writeVarUint(this.version);
    out.writeBytes(body.toBytes());
  }

  deserialize(input: DataInput): TwoPhaseCommitState<TTxn, TContext> {
    const context = this.context;
    return this.read(
      (i) => this.txn.deserialize(i),
      context === undefined ? undefined : (i) => context.deserialize(i),
    )(input);
  }

  snapshot(): SerializerSnapshot {
    const nested = [this.txn.snapshot()];
    if (this.context !== undefined) nested.push(this.context.snapshot());
    return { typeId: this.typeId, version: this.version, nested };
  }

  readerFor(snapshot: SerializerSnapshot): Read<TwoPhaseCommitState<TTxn, TContext>> {
    if (snapshot.typeId !== this.typeId) {
      throw new StateError(
        `State was written by serializer "${snapshot.typeId}" version ${snapshot.version}, which ` +
          `"${this.typeId}" cannot read. Restore the sink with the uid its state was written under.`,
        { code: CoreErrorCode.STATE_INCOMPATIBLE },
      );
    }
    if (snapshot.version !== 1) throw unknownVersion(snapshot.version);
    const [txnSnapshot, contextSnapshot] = snapshot.nested ?? [];
    if (txnSnapshot === undefined) {
      throw new StateError(`State snapshot of "${this.typeId}" has no transaction serializer snapshot.`, {
        code: CoreErrorCode.STATE_CORRUPT,
      });
    }
    const readTxn = this.txn.readerFor(txnSnapshot);
    let readContext: Read<TContext> | undefined;
    if (contextSnapshot !== undefined) {
      if (this.context === undefined) {
        throw new StateError(
          `State of "${this.typeId}" holds a user context but the sink has no contextType to read it.`,
          { code: CoreErrorCode.STATE_INCOMPATIBLE },
        );
      }
      readContext = this.context.readerFor(contextSnapshot);
    }
    return this.read(readTxn, readContext);
  }

  private read(
    readTxn: Read<TTxn>,
    readContext: Read<TContext> | undefined,
  ): Read<TwoPhaseCommitState<TTxn, TContext>> {
    return (input) => {
      const version = input.readVarUint();
      if (version !== TWO_PHASE_COMMIT_STATE_VERSION) throw unknownVersion(version);
      const body = new DataInput(input.readBytes());
      const readHolder = (): TransactionHolder<TTxn> => {
        const handle = readTxn(body);
        return { handle, transactionStartTime: body.readFloat64() };
      };
      const pendingTransaction = readHolder();
      const count = body.readVarUint();
      const pendingCommitTransactions: TransactionHolder<TTxn>[] = [];
      for (let i = 0; i < count; i += 1) pendingCommitTransactions.push(readHolder());
      const hasContext = body.readBoolean();
      let context: TContext | undefined;
      if (hasContext) {
        if (readContext === undefined) {
          throw new StateError(
            `State of "${TWO_PHASE_COMMIT_STATE_TYPE_ID}" holds a user context but the sink has no contextType to read it.`,
            { code: CoreErrorCode.STATE_INCOMPATIBLE },
          );
        }
        context = readContext(body);
      }
      body.assertEnd();
      return {
        pendingTransaction,
        pendingCommitTransactions,
        ...(hasContext ? { context: context as TContext } : {}),
      };
    };
  }
}

function unknownVersion(found: number): StateError {
  return new StateError(
    `TwoPhaseCommitSink state was written in "${TWO_PHASE_COMMIT_STATE_TYPE_ID}" format version ` +
      `${found}, but this release reads versions up to ${TWO_PHASE_COMMIT_STATE_VERSION}. Run a Sluice ` +
      `release that knows version ${found}, or restore from a checkpoint written by this release or an older one.`,
    { code: CoreErrorCode.STATE_UNKNOWN_VERSION },
  );
}
