/**
 * The function contracts of the SDK (Flink 1.6's `SourceFunction`, `SinkFunction`, `RichFunction`
 * and the user functions of the DataStream API).
 *
 * A function object may implement several of these at once: a sink that also implements
 * {@link RichFunction}, `CheckpointedFunction` and `CheckpointListener` gets all those calls.
 * The runtime recognises them by their methods (see the `is...` guards).
 */
import type { MetricGroup } from './metric-group.js';

/** What a function knows about where it runs (Flink's `RuntimeContext`). */
export interface RuntimeContext {
  /** Name given to `execute(jobName)`. */
  readonly jobName: string;
  /** Id of this run of the job (new for every process start). */
  readonly jobId: string;
  /** The operator's uid (set with `uid(...)`, else derived from its position). */
  readonly operatorUid: string;
  /** The operator's display name. */
  readonly operatorName: string;
  /** Index of this parallel subtask, `0 ≤ subtaskIndex < parallelism`. */
  readonly subtaskIndex: number;
  /** Number of parallel subtasks of this operator. */
  readonly parallelism: number;
  /** Upper bound of the parallelism (number of key groups). */
  readonly maxParallelism: number;
  /** How many times the job has been (re)started in this process before this attempt; 0 at first. */
  readonly attemptNumber: number;
  /** Whether checkpointing is enabled for the job. */
  readonly isCheckpointingEnabled: boolean;
  /** Metrics of this subtask. */
  readonly metricGroup: MetricGroup;
}

/**
 * Lifecycle of a function: `open` before the first record, `finish` after the last one when the
 * input ended, `close` at the very end.
 */
export interface RichFunction {
  /** Called once per subtask after `initializeState` and before any record. */
  open?(context: RuntimeContext): void | Promise<void>;
  /**
   * End of input (Flink's `finish()`, FLIP-147): called once the subtask has received its last
   * record, because every input of it ended (or, on a source, because `run` resolved by itself).
   * Flush buffers and close in-progress work here so that it becomes part of the final checkpoint:
   * `finish` runs before that checkpoint's `snapshotState`, after the final `+Infinity` watermark,
   * in chain order (head first) and after every upstream subtask's `finish`.
   *
   * Called at most once per run of the function (each restart creates fresh functions). Not called
   * when the job fails, is aborted, or is stopped by `cancel()` (with or without a final
   * checkpoint: a stopped job's input has not ended). A job restored from a checkpoint taken after
   * `finish` holds its effects in the restored state, so a restored run never finishes the same
   * data twice; it calls `finish` again only when its own (possibly empty) input ends.
   */
  finish?(): void | Promise<void>;
  /** Called once per subtask when it ends, normally or not. Release resources here. */
  close?(): void | Promise<void>;
}

/**
 * Given to a {@link Source}'s `run` to emit records.
 *
 * **Atomicity with checkpoints.** The runtime snapshots a source only between two emissions:
 * at the start of a `collect`/`collectWithTimestamp`/`emitWatermark` call, or while the source
 * awaits something other than a promise returned by `collect`. So update the source's own state
 * (offsets, positions) in the same synchronous step as the `collect` call, or right after
 * awaiting the promise it returned, and never await anything else in between.
 */
export interface SourceContext<TRecord> {
  /**
   * Emits a record. Returns nothing when downstream has room, or a promise when it is full
   * (back-pressure): await it before emitting more.
   */
  collect(record: TRecord): void | Promise<void>;
  /** Emits a record with an event-time timestamp (ms since the epoch). Same back-pressure rule. */
  collectWithTimestamp(record: TRecord, timestamp: number): void | Promise<void>;
  /** Emits a watermark: no record with a timestamp ≤ `watermark` follows from this source. */
  emitWatermark(watermark: number): void;
  /** Marks this subtask idle: downstream watermarks do not wait for it until it emits again. */
  markAsTemporarilyIdle(): void;
  /** Aborted when the job is cancelled or fails; long waits in `run` should listen to it. */
  readonly signal: AbortSignal;
}

/** Produces a stream (Flink 1.6's `SourceFunction`). */
export interface Source<TRecord> {
  /**
   * Emits records through `context` until the input ends (bounded source) or `cancel` is called.
   * Resolving ends this subtask; rejecting fails the job.
   */
  run(context: SourceContext<TRecord>): Promise<void>;
  /** Asks `run` to return soon. Called when the job is cancelled. */
  cancel(): void;
}

/** Context of one {@link Sink} invocation. */
export interface SinkContext {
  /** The record's event-time timestamp, if it has one. */
  readonly timestamp: number | undefined;
  /** The subtask's current event-time watermark (`-Infinity` before the first). */
  readonly currentWatermark: number;
  /**
   * The current processing time, ms since the epoch: the wall clock as read once per event-loop
   * turn (at most every 1024 readings), so it may lag the wall clock by that turn's work, never lead it.
   */
  currentProcessingTime(): number;
}

/**
 * Consumes a stream (Flink's `SinkFunction`). A sink that buffers or keeps in-progress output
 * implements {@link RichFunction.finish} to flush it when a bounded input ends.
 */
export interface Sink<TRecord> {
  /**
   * Writes one record. A returned promise is awaited before the next record: return nothing when
   * the record was taken synchronously (buffered), and a promise only when the sink must wait
   * (a full buffer, a flush). Even a resolved promise costs every record a trip through the
   * microtask queue: about 130 ns a record here, more than the rest of a chain.
   */
  invoke(value: TRecord, context: SinkContext): void | Promise<void>;
}

/** A one-to-one transformation. */
export interface MapFunction<TIn, TOut> {
  /** Transforms one record. */
  map(value: TIn): TOut | Promise<TOut>;
}

/** A one-to-many transformation. */
export interface FlatMapFunction<TIn, TOut> {
  /** Emits zero or more records for one input, through `out`. */
  flatMap(value: TIn, out: Collector<TOut>): void | Promise<void>;
}

/** Keeps the records for which `filter` is true. */
export interface FilterFunction<TIn> {
  /** Whether to keep `value`. */
  filter(value: TIn): boolean | Promise<boolean>;
}

/** Receives the records a function emits. */
export interface Collector<TRecord> {
  /** Emits one record downstream. */
  collect(record: TRecord): void;
}

/** True when `fn` has the {@link RichFunction} `open`, `finish` or `close` method. */
export function isRichFunction(fn: unknown): fn is RichFunction {
  return hasMethod(fn, 'open') || hasMethod(fn, 'finish') || hasMethod(fn, 'close');
}

/** True when `value` is an object with a method called `name`. */
export function hasMethod(value: unknown, name: string): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>)[name] === 'function'
  );
}
