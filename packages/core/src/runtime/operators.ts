/**
 * Operator instances of one subtask: the user function plus its state store, runtime context,
 * counters and the output it feeds. `push` returns nothing when the record went through
 * synchronously, or a promise when a function (or a full channel) made it asynchronous.
 */
import type {
  Collector,
  FilterFunction,
  FlatMapFunction,
  MapFunction,
  RuntimeContext,
  Sink,
  SinkContext,
} from '../api/functions.js';
import type { OperatorNode } from './job-graph.js';
import type { KeyedSection } from './keyed-state-backend.js';
import type { OperatorStateBackend } from './operator-state-backend.js';
import { processingTime } from './processing-time.js';
import { isPromiseLike } from './stream-event.js';
import type { RecordBatchEvent } from './stream-event.js';
import { taskFailure } from './task-failure.js';
import { isCheckpointedFunction } from '../api/state.js';

/** Receives records from an operator. */
export interface Output<TRecord> {
  push(value: TRecord): void | Promise<void>;
  /** Receives an event-time watermark (forwarded through the chain, broadcast on the network). */
  watermark?(watermark: number): void | Promise<void>;
  /** Receives a record for the side output `tagId` (only outputs feeding that side output keep it). */
  pushSide?(tagId: string, value: unknown): void | Promise<void>;
}

/** What an operator may ask of its subtask: run something through the serial executor, fail. */
export interface OperatorHost {
  exec(action: () => void | Promise<void>): void | Promise<void>;
  fail(error: Error): void;
  /** True once the job stops. */
  readonly stopping: boolean;
  /** Declares the subtask's output idle (`true`) or active again (`false`). */
  setIdle(idle: boolean): void;
}

/** The record being processed by a subtask: its timestamp and the subtask's watermark. */
export interface TaskFrame {
  timestamp: number | undefined;
  watermark: number;
}

/** What every operator instance has. */
export interface OperatorInstanceInit {
  readonly node: OperatorNode;
  readonly fn: object;
  readonly context: RuntimeContext;
  readonly stateBackend: OperatorStateBackend;
  readonly frame: TaskFrame;
  /** Job settings some operators need. */
  readonly settings?: { readonly autoWatermarkInterval: number; readonly maxParallelism: number };
  /** Restored keyed state of this subtask's key groups (keyed operators). */
  readonly keyed?: KeyedSection | undefined;
}

/** One operator of one subtask. */
export class OperatorInstance implements Output<unknown> {
  readonly node: OperatorNode;
  readonly fn: object;
  readonly context: RuntimeContext;
  readonly stateBackend: OperatorStateBackend;
  output: Output<unknown> = { push: () => undefined };
  protected readonly frame: TaskFrame;
  /** Records received (read by the `numRecordsIn` metric). */
  protected recordsIn = 0;
  /** Records emitted (read by the `numRecordsOut` metric). */
  protected recordsOut = 0;

  constructor(init: OperatorInstanceInit) {
    this.node = init.node;
    this.fn = init.fn;
    this.context = init.context;
    this.stateBackend = init.stateBackend;
    this.frame = init.frame;
    // Plain fields on the hot path; the metrics read them.
    init.context.metricGroup.gauge('numRecordsIn', () => this.recordsIn);
    init.context.metricGroup.gauge('numRecordsOut', () => this.recordsOut);
    init.context.metricGroup.meter?.('numRecordsInPerSecond', { count: () => this.recordsIn });
    init.context.metricGroup.meter?.('numRecordsOutPerSecond', { count: () => this.recordsOut });
    init.context.metricGroup.gauge('currentInputWatermark', () => init.frame.watermark);
  }

  /** Set by the subtask: its executor and failure reporting. */
  host: OperatorHost | undefined;

  /** Whether the operator writes state into checkpoints. */
  get isStateful(): boolean {
    return isCheckpointedFunction(this.fn);
  }

  /** The operator's state file for a checkpoint (after `snapshotState` was called). */
  snapshotBytes(): Uint8Array {
    return this.stateBackend.snapshot();
  }

  /** Called once after the function's `open` (timers, periodic work may start). */
  opened(): void {}

  /** Called once when the subtask closes (stop timers). */
  closing(): void {}

  /** An event-time watermark reached this operator: by default forwarded. */
  processWatermark(watermark: number): void | Promise<void> {
    return this.output.watermark?.(watermark);
  }

  /** As an {@link Output} of the previous operator in the chain: a watermark arrives. */
  watermark(watermark: number): void | Promise<void> {
    return this.processWatermark(watermark);
  }

  /** The runtime context given to the function's `open`. */
  openContext(): RuntimeContext {
    return this.context;
  }

  /** Processes one record (sources do not receive records). */
  push(value: unknown): void | Promise<void> {
    this.recordsOut += 1;
    return this.output.push(value);
  }

  /** The promise the record {@link OperatorInstance.pushBatch} stopped at returned (taken by the subtask). */
  waiting: Promise<void> | undefined;

  /**
   * As the chain head: pushes records `from`, `from + 1`, … of an input batch while each goes
   * through synchronously and the job is not stopping. Returns the index of the first record not
   * pushed; when a record's push returned a promise, that record counts as pushed and the promise is
   * left in {@link OperatorInstance.waiting}.
   */
  pushBatch(batch: RecordBatchEvent<unknown>, from: number): number {
    const { values, timestamps } = batch;
    const frame = this.frame;
    const host = this.host as OperatorHost;
    for (let i = from; i < values.length; i += 1) {
      if (host.stopping) return i;
      frame.timestamp = timestamps === undefined ? undefined : timestamps[i];
      const result = this.push(values[i]);
      if (result !== undefined) {
        this.waiting = result;
        return i + 1;
      }
    }
    return values.length;
  }

  /**
   * Continues with `next` once the user function's promise `result` resolves; a rejection becomes
   * `JOB_TASK_FAILED` of `phase`. (Hot `push` methods keep their closures out, here and in
   * per-instance fields: a closure in `push` would cost an allocation on every record.)
   */
  protected settle<T>(result: PromiseLike<T>, phase: string, next: (value: T) => void | Promise<void>): Promise<void> {
    return Promise.resolve(result).then(next, (error: unknown) => {
      throw this.fail(phase, error);
    });
  }

  /** Wraps an error thrown in `phase` once into `JOB_TASK_FAILED`. */
  fail(phase: string, cause: unknown, checkpointId?: number): Error {
    return taskFailure(
      {
        operatorUid: this.node.uid,
        operatorName: this.node.name,
        subtask: this.context.subtaskIndex,
        parallelism: this.context.parallelism,
        phase,
        ...(checkpointId === undefined ? {} : { checkpointId }),
      },
      cause,
    );
  }
}

class MapOperator extends OperatorInstance {
  private readonly emit = (mapped: unknown): void | Promise<void> => {
    this.recordsOut += 1;
    return this.output.push(mapped);
  };

  override push(value: unknown): void | Promise<void> {
    this.recordsIn += 1;
    let result: unknown;
    try {
      result = (this.fn as MapFunction<unknown, unknown>).map(value);
    } catch (error) {
      throw this.fail('map', error);
    }
    if (isPromiseLike(result)) return this.settle(result, 'map', this.emit);
    return this.emit(result);
  }
}

class FilterOperator extends OperatorInstance {
  override push(value: unknown): void | Promise<void> {
    this.recordsIn += 1;
    let keep: boolean | Promise<boolean>;
    try {
      keep = (this.fn as FilterFunction<unknown>).filter(value);
    } catch (error) {
      throw this.fail('filter', error);
    }
    if (isPromiseLike(keep)) return this.filterLater(keep, value);
    return this.emitIf(keep, value);
  }

  private filterLater(keep: PromiseLike<boolean>, value: unknown): Promise<void> {
    return this.settle(keep, 'filter', (yes) => this.emitIf(yes, value));
  }

  private emitIf(keep: boolean, value: unknown): void | Promise<void> {
    if (!keep) return undefined;
    this.recordsOut += 1;
    return this.output.push(value);
  }
}

class FlatMapOperator extends OperatorInstance {
  private pending: Promise<void> | undefined;
  private readonly emitted = (): void | Promise<void> => this.pending;
  private readonly collector: Collector<unknown> = {
    collect: (record: unknown) => {
      this.recordsOut += 1;
      if (this.pending !== undefined) this.pending = pushAfter(this.pending, this.toOutput, record);
      else {
        const result = this.output.push(record);
        if (result !== undefined) this.pending = result;
      }
    },
  };
  private readonly toOutput = (record: unknown): void | Promise<void> => this.output.push(record);

  override push(value: unknown): void | Promise<void> {
    this.recordsIn += 1;
    this.pending = undefined;
    let result: void | Promise<void>;
    try {
      result = (this.fn as FlatMapFunction<unknown, unknown>).flatMap(value, this.collector);
    } catch (error) {
      throw this.fail('flatMap', error);
    }
    if (isPromiseLike(result)) return this.settle(result, 'flatMap', this.emitted);
    return this.pending;
  }
}

/**
 * The {@link SinkContext} of a sink subtask, read from its task frame. A class: an object literal
 * with getters gets a hidden class of its own per subtask, and a sink reading `timestamp` for every
 * record would find the property through a polymorphic lookup.
 */
class FrameSinkContext implements SinkContext {
  constructor(private readonly frame: TaskFrame) {}

  get timestamp(): number | undefined {
    return this.frame.timestamp;
  }

  get currentWatermark(): number {
    return this.frame.watermark;
  }

  currentProcessingTime(): number {
    return processingTime();
  }
}

class SinkOperator extends OperatorInstance {
  private readonly sinkContext: SinkContext;

  constructor(init: OperatorInstanceInit) {
    super(init);
    this.sinkContext = new FrameSinkContext(init.frame);
  }

  override push(value: unknown): void | Promise<void> {
    this.recordsIn += 1;
    let result: void | Promise<void>;
    try {
      result = (this.fn as Sink<unknown>).invoke(value, this.sinkContext);
    } catch (error) {
      throw this.fail('invoke', error);
    }
    if (isPromiseLike(result)) return this.settle(result, 'invoke', invoked);
    return undefined;
  }
}

const invoked = (): void => undefined;

/**
 * `push(value)` once `previous` resolved: what a collector does with a record emitted while an
 * earlier one still waits. A function of its own, so that a collector's common path (nothing
 * waiting) makes no closure.
 */
export function pushAfter(
  previous: Promise<void>,
  push: (value: unknown) => void | Promise<void>,
  value: unknown,
): Promise<void> {
  return previous.then(() => push(value));
}

/** Creates the operator instance for the basic kinds (see `operator-factory.ts` for all). */
export function createOperator(init: OperatorInstanceInit): OperatorInstance {
  switch (init.node.kind) {
    case 'source':
      return new OperatorInstance(init);
    case 'map':
      return new MapOperator(init);
    case 'filter':
      return new FilterOperator(init);
    case 'flatMap':
      return new FlatMapOperator(init);
    case 'sink':
      return new SinkOperator(init);
    case 'sideOutput':
      return new MapOperator(init);
    case 'keyedProcess':
    case 'timestampsAndWatermarks':
      throw new Error(`createOperator: ${init.node.kind} operators are created by operator-factory.ts`);
  }
}
