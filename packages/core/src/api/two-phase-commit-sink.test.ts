import { describe, expect, it } from 'vitest';
import { ConfigError, CoreErrorCode, StateError } from '../errors.js';
import { DataInput, DataOutput } from '../types/data-view.js';
import type { TypeInformation } from '../types/type-information.js';
import type { SerializerSnapshot, TypeSerializer } from '../types/type-serializer.js';
import type { RuntimeContext, SinkContext } from './functions.js';
import type { MetricGroup } from './metric-group.js';
import type {
  FunctionInitializationContext,
  ListState,
  ListStateDescriptor,
  OperatorStateStore,
} from './state.js';
import {
  TwoPhaseCommitSink,
  twoPhaseCommitStateType,
  type TwoPhaseCommitSinkOptions,
  type TwoPhaseCommitState,
} from './two-phase-commit-sink.js';

// ---- test doubles ------------------------------------------------------------------------------

/** A string type written as a varint-length UTF-8 string (enough for transaction ids). */
const stringType: TypeInformation<string> = {
  name: 'test-string',
  createSerializer(): TypeSerializer<string> {
    const serializer: TypeSerializer<string> = {
      typeId: 'test.string',
      version: 1,
      serialize: (value, out) => out.writeString(value),
      deserialize: (input) => input.readString(),
      snapshot: () => ({ typeId: 'test.string', version: 1 }),
      readerFor: (_snapshot: SerializerSnapshot) => (input) => input.readString(),
    };
    return serializer;
  },
};

/**
 * An operator state store that keeps each list state as serialized bytes between "processes",
 * so every restore goes through the versioned serializer.
 */
class FakeStateStore implements OperatorStateStore {
  readonly lists = new Map<string, { type: TypeInformation<unknown>; values: unknown[] }>();

  constructor(private readonly restored: ReadonlyMap<string, Uint8Array[]> = new Map()) {}

  getListState<TValue>(descriptor: ListStateDescriptor<TValue>): ListState<TValue> {
    const serializer = descriptor.type.createSerializer();
    const values: TValue[] = (this.restored.get(descriptor.name) ?? []).map((bytes) => {
      const input = new DataInput(bytes);
      const value = serializer.deserialize(input);
      input.assertEnd();
      return value;
    });
    this.lists.set(descriptor.name, { type: descriptor.type as TypeInformation<unknown>, values });
    return {
      get: () => [...values],
      add: (value) => void values.push(value),
      addAll: (items) => void values.push(...items),
      update: (items) => void values.splice(0, values.length, ...items),
      clear: () => void values.splice(0, values.length),
    };
  }

  getUnionListState<TValue>(descriptor: ListStateDescriptor<TValue>): ListState<TValue> {
    return this.getListState(descriptor);
  }

  /** Serializes every list, as a checkpoint would. */
  checkpoint(): Map<string, Uint8Array[]> {
    const result = new Map<string, Uint8Array[]>();
    for (const [name, { type, values }] of this.lists) {
      const serializer = type.createSerializer();
      result.set(
        name,
        values.map((value) => {
          const out = new DataOutput();
          serializer.serialize(value, out);
          return out.toBytes();
        }),
      );
    }
    return result;
  }
}

function initContext(store: OperatorStateStore, restored: boolean): FunctionInitializationContext {
  return { isRestored: restored, restoredCheckpointId: restored ? 1 : undefined, operatorStateStore: store };
}

function runtimeContext(subtaskIndex = 0): RuntimeContext {
  return {
    jobName: 'job',
    jobId: 'job-id',
    operatorUid: 'sink',
    operatorName: 'sink',
    subtaskIndex,
    parallelism: 2,
    maxParallelism: 128,
    attemptNumber: 0,
    isCheckpointingEnabled: true,
    metricGroup: {} as MetricGroup,
  };
}

const sinkContext: SinkContext = {
  timestamp: undefined,
  currentWatermark: -Infinity,
  currentProcessingTime: () => 0,
};

interface RecordingOptions extends Partial<TwoPhaseCommitSinkOptions<string, string>> {
  readonly failRecoverCommit?: boolean;
  readonly userContext?: string;
}

/** Records every hook call; transaction ids are `t0`, `t1`, ... (per sink instance). */
class RecordingSink extends TwoPhaseCommitSink<string, string, string> {
  readonly log: string[] = [];
  readonly contents = new Map<string, string[]>();
  private next = 0;

  constructor(
    private readonly prefix: string,
    private readonly opts: RecordingOptions = {},
  ) {
    super({ transactionType: stringType, contextType: stringType, ...opts });
  }

  protected async beginTransaction(): Promise<string> {
    await Promise.resolve();
    const id = `${this.prefix}${this.next++}`;
    this.contents.set(id, []);
    this.log.push(`begin ${id}`);
    return id;
  }
  protected invokeInTransaction(txn: string, value: string): void {
    this.contents.get(txn)?.push(value);
    this.log.push(`invoke ${txn} ${value}`);
  }
  protected async preCommit(txn: string): Promise<void> {
    await Promise.resolve();
    this.log.push(`preCommit ${txn}`);
  }
  protected commit(txn: string): void {
    this.log.push(`commit ${txn}`);
  }
  protected abort(txn: string): void {
    this.log.push(`abort ${txn}`);
  }
  protected override recoverAndCommit(txn: string): void {
    this.log.push(`recoverAndCommit ${txn}`);
    if (this.opts.failRecoverCommit === true) throw new Error(`cannot commit ${txn}`);
  }
  protected override recoverAndAbort(txn: string): void {
    this.log.push(`recoverAndAbort ${txn}`);
  }
  protected override initializeUserContext(): string | undefined {
    this.log.push('initializeUserContext');
    return this.opts.userContext;
  }
  protected override finishRecoveringContext(context: string): void {
    this.log.push(`finishRecoveringContext ${context}`);
  }
  /** The user context, for assertions. */
  get context(): string | undefined {
    return this.userContext;
  }
}

async function started(
  sink: RecordingSink,
  restored?: ReadonlyMap<string, Uint8Array[]>,
): Promise<FakeStateStore> {
  const store = new FakeStateStore(restored);
  await sink.initializeState(initContext(store, restored !== undefined));
  await sink.open(runtimeContext());
  return store;
}

function stateOf(store: FakeStateStore): TwoPhaseCommitState<string, string>[] {
  return (store.lists.get('state')?.values ?? []) as TwoPhaseCommitState<string, string>[];
}

function snap(checkpointId: number): { checkpointId: number; checkpointTimestamp: number } {
  return { checkpointId, checkpointTimestamp: checkpointId * 1000 };
}

// ---- tests -------------------------------------------------------------------------------------

describe('TwoPhaseCommitSink snapshot and notify', () => {
  it('snapshots in the order preCommit → park → begin → one State element (checklist 26)', async () => {
    let now = 100;
    const sink = new RecordingSink('t', { clock: () => now });
    const store = await started(sink);
    expect(sink.log).toEqual(['initializeUserContext', 'begin t0']);
    await sink.invoke('a', sinkContext);
    now = 200;
    sink.log.length = 0;
    await sink.snapshotState(snap(1));
    expect(sink.log).toEqual(['preCommit t0', 'begin t1']);
    expect(stateOf(store)).toEqual([
      {
        pendingTransaction: { handle: 't1', transactionStartTime: 200 },
        pendingCommitTransactions: [{ handle: 't0', transactionStartTime: 100 }],
      },
    ]);
    await sink.invoke('b', sinkContext);
    expect(sink.contents.get('t1')).toEqual(['b']);
    await sink.snapshotState(snap(2));
    expect(stateOf(store)).toHaveLength(1);
    expect(stateOf(store)[0]?.pendingCommitTransactions.map((h) => h.handle)).toEqual(['t0', 't1']);
    expect(stateOf(store)[0]?.pendingTransaction.handle).toBe('t2');
  });

  it('commits every pending id ≤ cp in creation order and keeps later ones', async () => {
    const sink = new RecordingSink('t');
    const store = await started(sink);
    for (const cp of [3, 4, 7]) await sink.snapshotState(snap(cp));
    sink.log.length = 0;
    await sink.notifyCheckpointComplete(4);
    expect(sink.log).toEqual(['commit t0', 'commit t1']);
    await sink.snapshotState(snap(8));
    expect(stateOf(store)[0]?.pendingCommitTransactions.map((h) => h.handle)).toEqual(['t2', 't3']);
    sink.log.length = 0;
    await sink.notifyCheckpointComplete(8);
    expect(sink.log).toEqual(['commit t2', 'commit t3']);
  });

  it('commits the transactions of a skipped notification on the later one', async () => {
    const sink = new RecordingSink('t');
    await started(sink);
    await sink.snapshotState(snap(1));
    await sink.snapshotState(snap(2));
    await sink.snapshotState(snap(3));
    sink.log.length = 0;
    await sink.notifyCheckpointComplete(3);
    expect(sink.log).toEqual(['commit t0', 'commit t1', 'commit t2']);
    // A late notification of a subsumed checkpoint finds nothing and is a no-op (documented).
    sink.log.length = 0;
    await sink.notifyCheckpointComplete(2);
    expect(sink.log).toEqual([]);
  });

  it('does not let a notification and a snapshot interleave', async () => {
    const sink = new RecordingSink('t');
    const store = await started(sink);
    await sink.snapshotState(snap(1));
    sink.log.length = 0;
    await Promise.all([sink.notifyCheckpointComplete(1), sink.snapshotState(snap(2))]);
    expect(sink.log).toEqual(['commit t0', 'preCommit t1', 'begin t2']);
    expect(stateOf(store)[0]?.pendingCommitTransactions.map((h) => h.handle)).toEqual(['t1']);
  });

  it('keeps a transaction pending when its commit fails, so a later snapshot still lists it', async () => {
    class FailingCommit extends RecordingSink {
      fail = true;
      protected override commit(txn: string): void {
        super.commit(txn);
        if (this.fail) throw new Error('commit failed');
      }
    }
    const sink = new FailingCommit('t');
    const store = await started(sink);
    await sink.snapshotState(snap(1));
    await expect(sink.notifyCheckpointComplete(1)).rejects.toThrow('commit failed');
    await sink.snapshotState(snap(2));
    expect(stateOf(store)[0]?.pendingCommitTransactions.map((h) => h.handle)).toEqual(['t0', 't1']);
  });

  it('rejects records while a snapshot runs and before initializeState', async () => {
    const early = new RecordingSink('t');
    expect(() => early.invoke('x', sinkContext)).toThrow(
      expect.objectContaining({ code: CoreErrorCode.STATE_ACCESS_INVALID }),
    );
    await expect(early.snapshotState(snap(1))).rejects.toMatchObject({
      code: CoreErrorCode.STATE_ACCESS_INVALID,
    });
    const sink = new RecordingSink('t');
    await started(sink);
    const snapshot = sink.snapshotState(snap(1));
    expect(() => sink.invoke('x', sinkContext)).toThrow(/while snapshotState was running/);
    await snapshot;
  });

  it('gives every hook the runtime context: recovery and the first transaction run in open', async () => {
    class SubtaskIds extends RecordingSink {
      protected override async beginTransaction(): Promise<string> {
        const id = await super.beginTransaction();
        return `${id}@${this.getRuntimeContext().subtaskIndex}`;
      }
    }
    const sink = new SubtaskIds('t');
    const store = new FakeStateStore();
    sink.initializeState(initContext(store, false));
    expect(sink.log).toEqual([]);
    await sink.open(runtimeContext(1));
    expect(sink.log).toEqual(['initializeUserContext', 'begin t0']);
    await sink.snapshotState(snap(1));
    expect(stateOf(store)[0]?.pendingCommitTransactions.map((h) => h.handle)).toEqual(['t0@1']);
  });

  it('explains a missing super.open(context) and open before initializeState', async () => {
    const sink = new RecordingSink('t');
    sink.initializeState(initContext(new FakeStateStore(), false));
    expect(() => sink.invoke('x', sinkContext)).toThrow(/super\.open\(context\)/);
    await expect(new RecordingSink('u').open(runtimeContext())).rejects.toMatchObject({
      code: CoreErrorCode.STATE_ACCESS_INVALID,
    });
  });

  it('close aborts the current transaction only', async () => {
    const sink = new RecordingSink('t');
    await started(sink);
    await sink.snapshotState(snap(1));
    sink.log.length = 0;
    await sink.close();
    expect(sink.log).toEqual(['abort t1']);
    await sink.close();
    expect(sink.log).toEqual(['abort t1']);
  });
});

describe('TwoPhaseCommitSink restore', () => {
  it('recover-commits pending in creation order, recover-aborts the open one, then begins anew', async () => {
    const first = new RecordingSink('a', { userContext: 'ctx-1' });
    const store = await started(first);
    await first.snapshotState(snap(1));
    await first.snapshotState(snap(2));
    await first.notifyCheckpointComplete(1);
    await first.snapshotState(snap(3));
    const checkpoint = store.checkpoint();

    const second = new RecordingSink('b', { userContext: 'unused' });
    const restoredStore = await started(second, checkpoint);
    expect(second.log).toEqual([
      'recoverAndCommit a1',
      'recoverAndCommit a2',
      'recoverAndAbort a3',
      'finishRecoveringContext ctx-1',
      'begin b0',
    ]);
    expect(second.context).toBe('ctx-1');
    // Restored pending transactions are not committed again by the next notification.
    await second.snapshotState(snap(4));
    expect(stateOf(restoredStore)[0]?.pendingCommitTransactions.map((h) => h.handle)).toEqual(['b0']);
    second.log.length = 0;
    await second.notifyCheckpointComplete(4);
    expect(second.log).toEqual(['commit b0']);
  });

  it('initializes the user context when the restored state has none', async () => {
    const first = new RecordingSink('a');
    const store = await started(first);
    await first.snapshotState(snap(1));
    const second = new RecordingSink('b', { userContext: 'fresh' });
    await started(second, store.checkpoint());
    expect(second.log).toEqual([
      'recoverAndCommit a0',
      'recoverAndAbort a1',
      'initializeUserContext',
      'begin b0',
    ]);
    expect(second.context).toBe('fresh');
  });

  it('recovers every State element in order when two subtasks are rescaled into one', async () => {
    const checkpoints: Uint8Array[] = [];
    for (const [prefix, ctx] of [
      ['x', 'cx'],
      ['y', 'cy'],
    ] as const) {
      const sink = new RecordingSink(prefix, { userContext: ctx });
      const store = await started(sink);
      await sink.snapshotState(snap(1));
      await sink.snapshotState(snap(2));
      checkpoints.push(...(store.checkpoint().get('state') ?? []));
    }
    expect(checkpoints).toHaveLength(2);
    const merged = new RecordingSink('m');
    await started(merged, new Map([['state', checkpoints]]));
    expect(merged.log).toEqual([
      'recoverAndCommit x0',
      'recoverAndCommit x1',
      'recoverAndAbort x2',
      'finishRecoveringContext cx',
      'recoverAndCommit y0',
      'recoverAndCommit y1',
      'recoverAndAbort y2',
      'finishRecoveringContext cy',
      'begin m0',
    ]);
    expect(merged.context).toBe('cy');
  });

  it('rethrows a recoverAndCommit failure unless ignore-after-timeout is set and the txn is old', async () => {
    let now = 0;
    const first = new RecordingSink('a', { clock: () => now });
    const store = await started(first);
    await first.snapshotState(snap(1));
    const checkpoint = store.checkpoint();
    now = 1000;

    const strict = new RecordingSink('b', { clock: () => now, failRecoverCommit: true, transactionTimeoutMs: 500 });
    await expect(started(strict, checkpoint)).rejects.toThrow('cannot commit a0');

    const young = new RecordingSink('c', {
      clock: () => now,
      failRecoverCommit: true,
      transactionTimeoutMs: 5000,
      ignoreFailuresAfterTransactionTimeout: true,
    });
    await expect(started(young, checkpoint)).rejects.toThrow('cannot commit a0');

    const warnings: string[] = [];
    const lenient = new RecordingSink('d', {
      clock: () => now,
      failRecoverCommit: true,
      transactionTimeoutMs: 500,
      ignoreFailuresAfterTransactionTimeout: true,
      logger: { warn: (message) => void warnings.push(message) },
    });
    await started(lenient, checkpoint);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/possible data loss/);
    expect(lenient.log.slice(-3)).toEqual(['recoverAndAbort a1', 'initializeUserContext', 'begin d0']);
  });

  it('warns when committing a transaction older than ratio × timeout, and only then', async () => {
    let now = 0;
    const warnings: string[] = [];
    const sink = new RecordingSink('t', {
      clock: () => now,
      transactionTimeoutMs: 1000,
      timeoutWarningRatio: 0.8,
      logger: { warn: (message) => void warnings.push(message) },
    });
    await started(sink);
    now = 700;
    await sink.snapshotState(snap(1));
    await sink.notifyCheckpointComplete(1);
    expect(warnings).toEqual([]);
    now = 1600; // t1 began at 700: 900 ms old > 800
    await sink.snapshotState(snap(2));
    await sink.notifyCheckpointComplete(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/checkpoint 2 .*900 ms old/);
  });

  it('also warns when recover-committing an old transaction on restore', async () => {
    let now = 0;
    const first = new RecordingSink('a', { clock: () => now });
    const store = await started(first);
    await first.snapshotState(snap(1));
    now = 950;
    const warnings: string[] = [];
    const second = new RecordingSink('b', {
      clock: () => now,
      transactionTimeoutMs: 1000,
      timeoutWarningRatio: 0.5,
      logger: { warn: (message) => void warnings.push(message) },
    });
    await started(second, store.checkpoint());
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/checkpoint 1 .*950 ms old/);
  });
});

describe('TwoPhaseCommitSink options', () => {
  it.each([
    [{ timeoutWarningRatio: 1.5 }, 'timeoutWarningRatio'],
    [{ timeoutWarningRatio: -0.1 }, 'timeoutWarningRatio'],
    [{ timeoutWarningRatio: Number.NaN }, 'timeoutWarningRatio'],
    [{ transactionTimeoutMs: 0 }, 'transactionTimeoutMs'],
    [{ transactionTimeoutMs: -5 }, 'transactionTimeoutMs'],
  ])('rejects %o naming the option', (options, option) => {
    let caught: unknown;
    try {
      new RecordingSink('t', options);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect(caught).toMatchObject({ code: CoreErrorCode.CONFIG_INVALID, option });
    expect((caught as Error).message).toContain(option);
  });

  it('accepts the bounds of the warning ratio', () => {
    expect(() => new RecordingSink('t', { timeoutWarningRatio: 0 })).not.toThrow();
    expect(() => new RecordingSink('t', { timeoutWarningRatio: 1 })).not.toThrow();
  });

  it('requires contextType when the sink has a user context', async () => {
    class NoContextType extends TwoPhaseCommitSink<string, string, string> {
      constructor() {
        super({ transactionType: stringType });
      }
      protected beginTransaction(): string {
        return 't';
      }
      protected invokeInTransaction(): void {}
      protected preCommit(): void {}
      protected commit(): void {}
      protected abort(): void {}
      protected override initializeUserContext(): string {
        return 'ctx';
      }
    }
    const sink = new NoContextType();
    sink.initializeState(initContext(new FakeStateStore(), false));
    await expect(sink.open(runtimeContext())).rejects.toMatchObject({
      code: CoreErrorCode.CONFIG_INVALID,
      option: 'contextType',
    });
  });
});

describe('two-phase-commit state serializer', () => {
  const type = twoPhaseCommitStateType(stringType, stringType);
  const element: TwoPhaseCommitState<string, string> = {
    pendingTransaction: { handle: 'open', transactionStartTime: 3 },
    pendingCommitTransactions: [
      { handle: 'p1', transactionStartTime: 1 },
      { handle: 'p2', transactionStartTime: 2 },
    ],
    context: 'ctx',
  };

  function encode(value: TwoPhaseCommitState<string, string>): Uint8Array {
    const out = new DataOutput();
    type.createSerializer().serialize(value, out);
    return out.toBytes();
  }

  it('round-trips with and without context, also through readerFor', () => {
    const serializer = type.createSerializer();
    const { context: _dropped, ...noContext } = element;
    for (const value of [element, noContext]) {
      const bytes = encode(value);
      expect(serializer.deserialize(new DataInput(bytes))).toEqual(value);
      expect(serializer.readerFor(serializer.snapshot())(new DataInput(bytes))).toEqual(value);
    }
  });

  it('reads consecutive elements from one stream', () => {
    const out = new DataOutput();
    const serializer = type.createSerializer();
    serializer.serialize(element, out);
    serializer.serialize(element, out);
    const input = new DataInput(out.toBytes());
    expect(serializer.deserialize(input)).toEqual(element);
    expect(serializer.deserialize(input)).toEqual(element);
    input.assertEnd();
  });

  it('rejects an unknown version naming both versions', () => {
    const bytes = encode(element);
    bytes[0] = 7;
    let caught: unknown;
    try {
      type.createSerializer().deserialize(new DataInput(bytes));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(StateError);
    expect(caught).toMatchObject({ code: CoreErrorCode.STATE_UNKNOWN_VERSION });
    expect((caught as Error).message).toMatch(/version 7.*up to 1/);
    const serializer = type.createSerializer();
    expect(() => serializer.readerFor({ ...serializer.snapshot(), version: 2 })).toThrow(
      expect.objectContaining({ code: CoreErrorCode.STATE_UNKNOWN_VERSION }),
    );
  });

  it('rejects trailing bytes inside an element and truncated elements', () => {
    const body = new DataOutput();
    body.writeString('open');
    body.writeFloat64(3);
    body.writeVarUint(0);
    body.writeBoolean(false);
    body.writeUint8(0xff); // trailing
    const out = new DataOutput();
    out.writeVarUint(1);
    out.writeBytes(body.toBytes());
    expect(() => type.createSerializer().deserialize(new DataInput(out.toBytes()))).toThrow(
      expect.objectContaining({ code: CoreErrorCode.STATE_CORRUPT }),
    );
    const truncated = encode(element).slice(0, 10);
    expect(() => type.createSerializer().deserialize(new DataInput(truncated))).toThrow(
      expect.objectContaining({ code: CoreErrorCode.STATE_CORRUPT }),
    );
  });

  it('rejects a snapshot of another serializer', () => {
    expect(() => type.createSerializer().readerFor({ typeId: 'other', version: 1 })).toThrow(
      expect.objectContaining({ code: CoreErrorCode.STATE_INCOMPATIBLE }),
    );
  });
});
