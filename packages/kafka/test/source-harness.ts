// Drives a Source + CheckpointedFunction + CheckpointListener + RichFunction by hand, the way the
// runtime does (initializeState → open → run; snapshot between emissions; notify; cancel → close),
// with state round-tripped through its serializer as in a real checkpoint.
import { DataInput, DataOutput } from '@sluice/core';
import type {
  Counter,
  ListState,
  ListStateDescriptor,
  MetricGroup,
  RuntimeContext,
  SourceContext,
} from '@sluice/core';
import type { KafkaSource } from '../src/source/kafka-source.js';
import { waitUntil } from './helpers.js';

/** Serialized list-state contents by state name (what a checkpoint holds). */
export type SavedState = ReadonlyMap<string, Uint8Array[]>;

class MemoryListState<T> implements ListState<T> {
  values: T[] = [];
  constructor(readonly descriptor: ListStateDescriptor<T>) {}
  get(): T[] {
    return [...this.values];
  }
  add(value: T): void {
    this.values.push(value);
  }
  addAll(values: Iterable<T>): void {
    this.values.push(...values);
  }
  update(values: Iterable<T>): void {
    this.values = [...values];
  }
  clear(): void {
    this.values = [];
  }
  save(): Uint8Array[] {
    const serializer = this.descriptor.type.createSerializer();
    return this.values.map((v) => {
      const out = new DataOutput();
      serializer.serialize(v, out);
      return out.toBytes();
    });
  }
  load(bytes: readonly Uint8Array[]): void {
    const serializer = this.descriptor.type.createSerializer();
    this.values = bytes.map((b) => {
      const input = new DataInput(b);
      const value = serializer.deserialize(input);
      input.assertEnd();
      return value;
    });
  }
}

/** A metric group that remembers gauges and counters by full name. */
export class TestMetrics implements MetricGroup {
  readonly gauges = new Map<string, () => unknown>();
  readonly counters = new Map<string, Counter>();
  constructor(readonly scope: readonly string[] = []) {}
  private root: TestMetrics = this;
  counter(name: string): Counter {
    const key = [...this.scope, name].join('.');
    let counter = this.root.counters.get(key);
    if (counter === undefined) {
      let count = 0;
      counter = {
        inc: (n = 1) => {
          count += n;
        },
        get count() {
          return count;
        },
      };
      this.root.counters.set(key, counter);
    }
    return counter;
  }
  gauge(name: string, read: () => number | string | boolean | null): void {
    this.root.gauges.set([...this.scope, name].join('.'), read);
  }
  addGroup(name: string, value?: string): MetricGroup {
    const child = new TestMetrics([...this.scope, ...(value === undefined ? [name] : [name, value])]);
    child.root = this.root;
    return child;
  }
}

/** One running source subtask. */
export class SourceHarness<T> {
  readonly records: { value: T; timestamp: number | undefined }[] = [];
  readonly metrics = new TestMetrics();
  /** Watermarks emitted by the source, in order. */
  readonly watermarks: number[] = [];
  idle = false;
  private readonly states = new Map<string, MemoryListState<unknown>>();
  private running: Promise<void> | undefined;
  private readonly abort = new AbortController();
  error: unknown;
  ended = false;

  constructor(
    readonly source: KafkaSource<T>,
    private readonly options: { subtaskIndex?: number; parallelism?: number; checkpointing?: boolean; restore?: SavedState } = {},
  ) {}

  async start(): Promise<void> {
    const restore = this.options.restore;
    this.source.initializeState({
      isRestored: restore !== undefined,
      restoredCheckpointId: restore === undefined ? undefined : 1,
      operatorStateStore: {
        getListState: (d) => this.state(d),
        getUnionListState: (d) => this.state(d),
      },
    });
    const context: RuntimeContext = {
      jobName: 'test-job',
      jobId: 'job-1',
      operatorUid: 'src',
      operatorName: 'Source',
      subtaskIndex: this.options.subtaskIndex ?? 0,
      parallelism: this.options.parallelism ?? 1,
      maxParallelism: 128,
      attemptNumber: 0,
      isCheckpointingEnabled: this.options.checkpointing ?? true,
      metricGroup: this.metrics,
    };
    await this.source.open(context);
    const ctx: SourceContext<T> = {
      collect: (value) => {
        this.records.push({ value, timestamp: undefined });
      },
      collectWithTimestamp: (value, timestamp) => {
        this.records.push({ value, timestamp });
      },
      emitWatermark: (watermark) => {
        this.watermarks.push(watermark);
        this.idle = false;
      },
      markAsTemporarilyIdle: () => {
        this.idle = true;
      },
      signal: this.abort.signal,
    };
    this.running = this.source.run(ctx).then(
      () => {
        this.ended = true;
      },
      (error: unknown) => {
        this.error = error;
        this.ended = true;
      },
    );
  }

  private state<V>(descriptor: ListStateDescriptor<V>): ListState<V> {
    let state = this.states.get(descriptor.name) as MemoryListState<V> | undefined;
    if (state === undefined) {
      state = new MemoryListState(descriptor);
      const saved = this.options.restore?.get(descriptor.name);
      if (saved !== undefined) state.load(saved);
      this.states.set(descriptor.name, state as MemoryListState<unknown>);
    }
    return state;
  }

  /** Takes a checkpoint: snapshotState, then the serialized state. */
  async checkpoint(checkpointId: number): Promise<SavedState> {
    await this.source.snapshotState({ checkpointId, checkpointTimestamp: Date.now() });
    return new Map([...this.states].map(([name, s]) => [name, s.save()]));
  }

  async waitForRecords(count: number, timeoutMs = 30_000): Promise<void> {
    await waitUntil(`${count} records from the source (have ${this.records.length})`, () => this.records.length >= count || this.ended, timeoutMs);
    if (this.error !== undefined) throw this.error;
  }

  async waitForEnd(timeoutMs = 30_000): Promise<void> {
    await waitUntil('the source to end', () => this.ended, timeoutMs);
  }

  async stop(): Promise<void> {
    this.source.cancel();
    this.abort.abort();
    await this.running;
    await this.source.close();
  }
}
