// Drives a sink function through the lifecycle the runtime gives it (initializeState, open,
// invoke, snapshotState, notifyCheckpointComplete, close), with operator state that is snapshotted
// per checkpoint and restored with Flink's redistribution (even split / union), so recovery and
// rescaling can be tested step by step without a job.
import { TestMetricGroup } from './test-metrics.js';
import type {
  CheckpointedFunction,
  CheckpointListener,
  ListState,
  ListStateDescriptor,
  OperatorStateStore,
  RichFunction,
  RuntimeContext,
  Sink,
  SinkContext,
} from '@sluice/core';

type Harnessed<T> = Sink<T> & CheckpointedFunction & CheckpointListener & RichFunction;

/** One subtask's operator state as of a checkpoint: lists by name, and which are union lists. */
export interface SubtaskSnapshot {
  readonly lists: ReadonlyMap<string, readonly unknown[]>;
  readonly union: ReadonlySet<string>;
}

class Store implements OperatorStateStore {
  readonly lists = new Map<string, unknown[]>();
  readonly union = new Set<string>();

  constructor(private readonly restored: ReadonlyMap<string, readonly unknown[]>) {}

  getListState<V>(descriptor: ListStateDescriptor<V>): ListState<V> {
    return this.state(descriptor.name);
  }

  getUnionListState<V>(descriptor: ListStateDescriptor<V>): ListState<V> {
    this.union.add(descriptor.name);
    return this.state(descriptor.name);
  }

  private state<V>(name: string): ListState<V> {
    const list = [...(this.restored.get(name) ?? [])] as V[];
    this.lists.set(name, list);
    return {
      get: () => [...list],
      add: (value) => void list.push(value),
      addAll: (values) => void list.push(...values),
      update: (values) => void list.splice(0, list.length, ...values),
      clear: () => void list.splice(0, list.length),
    };
  }
}

/** Splits old subtasks' state for `parallelism` new subtasks (even split; union lists whole). */
export function redistribute(snapshots: readonly SubtaskSnapshot[], parallelism: number): Map<string, unknown[]>[] {
  const out = Array.from({ length: parallelism }, () => new Map<string, unknown[]>());
  const names = new Set(snapshots.flatMap((s) => [...s.lists.keys()]));
  for (const name of names) {
    const all = snapshots.flatMap((s) => [...(s.lists.get(name) ?? [])]);
    const union = snapshots.some((s) => s.union.has(name));
    let at = 0;
    for (let i = 0; i < parallelism; i += 1) {
      const size = Math.floor(all.length / parallelism) + (i < all.length % parallelism ? 1 : 0);
      out[i]?.set(name, union ? [...all] : all.slice(at, at + size));
      at += size;
    }
  }
  return out;
}

/** One subtask of a sink under test. */
export class SinkSubtask<T> {
  private store: Store | undefined;
  now = Date.now();
  /** The metric group given to the sink's `open`. */
  readonly metrics = new TestMetricGroup();

  constructor(
    readonly sink: Harnessed<T>,
    private readonly subtask: { index: number; parallelism: number },
  ) {}

  /** initializeState (restored when `restored` is given) and open. */
  async start(restored?: ReadonlyMap<string, readonly unknown[]>): Promise<void> {
    this.store = new Store(restored ?? new Map());
    await this.sink.initializeState({
      isRestored: restored !== undefined,
      restoredCheckpointId: restored === undefined ? undefined : 1,
      operatorStateStore: this.store,
    });
    await this.sink.open?.(this.runtimeContext());
  }

  async write(...values: T[]): Promise<void> {
    for (const value of values) {
      const context: SinkContext = {
        timestamp: undefined,
        currentWatermark: Number.NEGATIVE_INFINITY,
        currentProcessingTime: () => this.now,
      };
      await this.sink.invoke(value, context);
    }
  }

  /** snapshotState and a copy of the state it produced. */
  async snapshot(checkpointId: number): Promise<SubtaskSnapshot> {
    await this.sink.snapshotState({ checkpointId, checkpointTimestamp: Date.now() });
    const store = this.store;
    if (store === undefined) throw new Error('start() first');
    return {
      lists: new Map([...store.lists].map(([name, list]) => [name, [...list]])),
      union: new Set(store.union),
    };
  }

  notify(checkpointId: number): Promise<void> {
    return Promise.resolve(this.sink.notifyCheckpointComplete(checkpointId));
  }

  close(): Promise<void> {
    return Promise.resolve(this.sink.close?.());
  }

  private runtimeContext(): RuntimeContext {
    return {
      jobName: 'test',
      jobId: 'test',
      operatorUid: 'sink',
      operatorName: 'sink',
      subtaskIndex: this.subtask.index,
      parallelism: this.subtask.parallelism,
      maxParallelism: 128,
      attemptNumber: 0,
      isCheckpointingEnabled: true,
      metricGroup: this.metrics,
    };
  }
}
