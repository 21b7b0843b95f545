/**
 * Flink's `KeyedProcessFunction`: called per record of a keyed stream with access to keyed state,
 * timers (event time and processing time, checkpointed) and side outputs.
 */
import type { Collector, RichFunction, RuntimeContext } from './functions.js';
import type { KeyedStateStore } from './keyed-state.js';
import type { CheckpointListener, CheckpointedFunction } from './state.js';

/**
 * Names a side output and gives its record type (Flink's `OutputTag`). Tags are matched by `id`.
 */
export class OutputTag<TRecord> {
  /** @param id - unique name of the side output within the job */
  constructor(readonly id: string) {
    if (typeof id !== 'string' || id.length === 0) throw new TypeError('OutputTag id must be a non-empty string');
  }

  /** @internal Phantom use of the record type. */
  protected readonly recordType?: TRecord;
}

/** Timers of the current key (Flink's `TimerService`). Timers are deduplicated per key and time. */
export interface TimerService {
  /** Processing time now (ms since the epoch): the wall clock as read once per event-loop turn (see `SinkContext.currentProcessingTime`). */
  currentProcessingTime(): number;
  /** The operator's current event-time watermark (`-Infinity` before the first). */
  currentWatermark(): number;
  /** Calls `onTimer` when processing time reaches `time`. */
  registerProcessingTimeTimer(time: number): void;
  /** Calls `onTimer` when the watermark reaches `time` (watermark ≥ time). */
  registerEventTimeTimer(time: number): void;
  deleteProcessingTimeTimer(time: number): void;
  deleteEventTimeTimer(time: number): void;
}

/** Given to `processElement`. */
export interface KeyedProcessContext<TKey> {
  /** Timestamp of the current record (or of the firing timer), if any. */
  timestamp(): number | undefined;
  /** The current key. */
  getCurrentKey(): TKey;
  readonly timerService: TimerService;
  /** Emits `value` to the side output `tag`. */
  output<TSide>(tag: OutputTag<TSide>, value: TSide): void;
}

/** Given to `onTimer`. */
export interface OnTimerContext<TKey> extends KeyedProcessContext<TKey> {
  /** Which clock fired the timer. */
  timeDomain(): 'EVENT_TIME' | 'PROCESSING_TIME';
}

/** The runtime context of a keyed function: the usual context plus keyed state. */
export interface KeyedRuntimeContext extends RuntimeContext, KeyedStateStore {}

/** Processes the records of a keyed stream (Flink's `KeyedProcessFunction`). */
export interface KeyedProcessFunction<TKey, TIn, TOut> {
  /** Called for every record; keyed state and timers are scoped to its key. */
  processElement(value: TIn, ctx: KeyedProcessContext<TKey>, out: Collector<TOut>): void | Promise<void>;
  /** Called when a timer of `ctx.getCurrentKey()` fires; `timestamp` is the timer's time. */
  onTimer?(timestamp: number, ctx: OnTimerContext<TKey>, out: Collector<TOut>): void | Promise<void>;
  /** Receives the keyed runtime context: create state handles here. */
  open?(context: KeyedRuntimeContext): void | Promise<void>;
  close?(): void | Promise<void>;
}

/** A keyed process function object with the optional interfaces. */
export type KeyedProcessFunctionLike<TKey, TIn, TOut> = KeyedProcessFunction<TKey, TIn, TOut> &
  Omit<RichFunction, 'open'> &
  Partial<CheckpointedFunction> &
  Partial<CheckpointListener>;
