/**
 * Operators of keyed streams and event time: the keyed process operator (keyed state, timers,
 * side outputs) and the timestamp/watermark assigner.
 */
import type { Collector } from '../api/functions.js';
import type {
  KeyedProcessFunction,
  KeyedRuntimeContext,
  OnTimerContext,
  OutputTag,
  TimerService,
} from '../api/keyed-process-function.js';
import type { WatermarkGenerator, WatermarkOutput, WatermarkStrategy } from '../api/watermark-strategy.js';
import type { KeySpec } from './job-graph.js';
import { HeapKeyedStateBackend } from './keyed-state-backend.js';
import type { Timer } from './keyed-state-backend.js';
import { OperatorInstance, pushAfter } from './operators.js';
import type { OperatorHost, OperatorInstanceInit } from './operators.js';
import type { KeyRoute } from './key-groups.js';
import { processingTime } from './processing-time.js';
import { isPromiseLike } from './stream-event.js';
import type { RecordBatchEvent } from './stream-event.js';

/** Runs a {@link KeyedProcessFunction} with keyed state and timers. */
export class KeyedProcessOperator extends OperatorInstance {
  readonly keyed: HeapKeyedStateBackend;
  private readonly key: KeySpec;
  private readonly process: KeyedProcessFunction<unknown, unknown, unknown>;
  private currentWatermark = -Infinity;
  private pending: Promise<void> | undefined;
  private firing: { time: number; domain: 'EVENT_TIME' | 'PROCESSING_TIME' } | undefined;
  private processingTimeout: NodeJS.Timeout | undefined;
  private processingDue = Infinity;
  private closed = false;
  private readonly collector: Collector<unknown>;
  private readonly ctx: OnTimerContext<unknown>;
  /** What a function's promise resolves to: what it emitted meanwhile (a field: no closure per record). */
  private readonly emitted = (): void | Promise<void> => this.pending;

  constructor(init: OperatorInstanceInit) {
    super(init);
    this.key = init.node.key as KeySpec;
    this.process = init.fn as KeyedProcessFunction<unknown, unknown, unknown>;
    this.keyed = new HeapKeyedStateBackend({
      keyType: this.key.type,
      maxParallelism: init.settings?.maxParallelism ?? 128,
      restored: init.keyed,
    });
    const keyed = this.keyed;
    this.collector = new KeyedOperatorCollector(this);
    const timerService: TimerService = {
      currentProcessingTime: processingTime,
      currentWatermark: () => this.currentWatermark,
      registerEventTimeTimer: (time) => keyed.eventTimers.add(keyed.timerFor(time)),
      registerProcessingTimeTimer: (time) => {
        keyed.processingTimers.add(keyed.timerFor(time));
        this.scheduleProcessingTimer();
      },
      deleteEventTimeTimer: (time) => keyed.eventTimers.delete(time, keyed.timerFor(time).keyString),
      deleteProcessingTimeTimer: (time) => keyed.processingTimers.delete(time, keyed.timerFor(time).keyString),
    };
    const frame = this.frame;
    this.ctx = {
      timestamp: () => frame.timestamp,
      getCurrentKey: () => keyed.currentKey,
      timerService,
      output: <TSide>(tag: OutputTag<TSide>, value: TSide) => this.emit(tag.id, value),
      timeDomain: () => this.firing?.domain ?? 'EVENT_TIME',
    };
  }

  override get isStateful(): boolean {
    return true;
  }

  /**
   * Emits `record` on the main output (`tag` undefined) or a side output, after what the current
   * record or timer emitted before (no closure unless something waits).
   */
  emit(tag: string | undefined, record: unknown): void {
    this.recordsOut += 1;
    if (this.pending !== undefined) this.pending = pushAfter(this.pending, (value) => this.pushTo(tag, value), record);
    else {
      const result = this.pushTo(tag, record);
      if (result !== undefined) this.pending = result;
    }
  }

  private pushTo(tag: string | undefined, record: unknown): void | Promise<void> {
    return tag === undefined ? this.output.push(record) : this.output.pushSide?.(tag, record);
  }

  override snapshotBytes(): Uint8Array {
    return this.stateBackend.snapshot(this.keyed.snapshot());
  }

  override openContext(): KeyedRuntimeContext {
    const keyed = this.keyed;
    return Object.assign(Object.create(this.context) as object, {
      getState: keyed.getState.bind(keyed),
      getListState: keyed.getListState.bind(keyed),
      getMapState: keyed.getMapState.bind(keyed),
      getReducingState: keyed.getReducingState.bind(keyed),
      getAggregatingState: keyed.getAggregatingState.bind(keyed),
    }) as KeyedRuntimeContext;
  }

  override opened(): void {
    this.scheduleProcessingTimer();
  }

  override closing(): void {
    this.closed = true;
    if (this.processingTimeout !== undefined) clearTimeout(this.processingTimeout);
    this.processingTimeout = undefined;
  }

  override push(value: unknown): void | Promise<void> {
    return this.processKeyed(value, this.key.selector(value), undefined);
  }

  /** Records of a keyBy exchange come with the key and key group their producer computed. */
  override pushBatch(batch: RecordBatchEvent<unknown>, from: number): number {
    const { values, timestamps, keys, keyValues } = batch;
    if (keys === undefined || keyValues === undefined) return super.pushBatch(batch, from);
    const frame = this.frame;
    const host = this.host as OperatorHost;
    for (let i = from; i < values.length; i += 1) {
      if (host.stopping) return i;
      frame.timestamp = timestamps === undefined ? undefined : timestamps[i];
      const result = this.processKeyed(values[i], keyValues[i], keys[i] as KeyRoute);
      if (result !== undefined) {
        this.waiting = result;
        return i + 1;
      }
    }
    return values.length;
  }

  /** Scopes state to `key` (its key group from `route` when known) and calls `processElement`. */
  private processKeyed(value: unknown, key: unknown, route: KeyRoute | undefined): void | Promise<void> {
    this.recordsIn += 1;
    this.pending = undefined;
    let result: void | Promise<void>;
    try {
      this.keyed.setCurrentKeyRouted(key, route);
      result = this.process.processElement(value, this.ctx, this.collector);
    } catch (error) {
      throw this.fail('processElement', error);
    }
    if (isPromiseLike(result)) return this.settle(result, 'processElement', this.emitted);
    return this.pending;
  }

  override processWatermark(watermark: number): void | Promise<void> {
    if (watermark <= this.currentWatermark) return undefined;
    this.currentWatermark = watermark;
    const fired = this.fireTimers('EVENT_TIME', watermark);
    if (fired === undefined) return this.output.watermark?.(watermark);
    return fired.then(() => this.output.watermark?.(watermark));
  }

  /** Fires the timers of `domain` due at `upTo`, in time order (ties by key bytes). */
  private fireTimers(domain: 'EVENT_TIME' | 'PROCESSING_TIME', upTo: number): Promise<void> | undefined {
    const queue = domain === 'EVENT_TIME' ? this.keyed.eventTimers : this.keyed.processingTimers;
    for (;;) {
      const timer = queue.pollUpTo(upTo);
      if (timer === undefined) return undefined;
      const result = this.fireOne(timer, domain);
      if (result !== undefined) {
        return result.then(() => this.fireTimers(domain, upTo));
      }
    }
  }

  private fireOne(timer: Timer, domain: 'EVENT_TIME' | 'PROCESSING_TIME'): void | Promise<void> {
    const onTimer = this.process.onTimer;
    if (onTimer === undefined) return undefined;
    this.keyed.setCurrentKeyFromTimer(timer);
    this.firing = { time: timer.time, domain };
    const saved = this.frame.timestamp;
    this.frame.timestamp = domain === 'EVENT_TIME' ? timer.time : undefined;
    this.pending = undefined;
    let result: void | Promise<void>;
    try {
      result = onTimer.call(this.process, timer.time, this.ctx, this.collector);
    } catch (error) {
      throw this.fail('onTimer', error);
    } finally {
      this.frame.timestamp = saved;
      this.firing = undefined;
    }
    if (isPromiseLike(result)) return this.settle(result, 'onTimer', this.emitted);
    return this.pending;
  }

  private scheduleProcessingTimer(): void {
    if (this.closed || this.host === undefined) return;
    const due = this.keyed.processingTimers.peekTime();
    if (due === Infinity || due >= this.processingDue) return;
    if (this.processingTimeout !== undefined) clearTimeout(this.processingTimeout);
    this.processingDue = due;
    const delay = Math.max(0, due - Date.now());
    this.processingTimeout = setTimeout(() => this.onProcessingTime(), Math.min(delay, 2_147_483_647));
    this.processingTimeout.unref?.();
  }

  private onProcessingTime(): void {
    this.processingTimeout = undefined;
    this.processingDue = Infinity;
    const host = this.host;
    if (this.closed || host === undefined || host.stopping) return;
    try {
      const result = host.exec(() => {
        if (this.closed || host.stopping) return undefined;
        const fired = this.fireTimers('PROCESSING_TIME', Date.now());
        if (fired === undefined) {
          this.scheduleProcessingTimer();
          return undefined;
        }
        return fired.then(() => this.scheduleProcessingTimer());
      });
      if (result !== undefined) result.catch(() => undefined);
    } catch (error) {
      host.fail(error instanceof Error ? error : new Error(String(error)));
    }
  }
}

/**
 * The collector a keyed function emits to. A class, not an object with a closure: the collectors
 * of every subtask, and of the next job of the process, then share the `collect` that V8 inlined
 * into the record loop.
 */
class KeyedOperatorCollector implements Collector<unknown> {
  constructor(private readonly operator: KeyedProcessOperator) {}

  collect(record: unknown): void {
    this.operator.emit(undefined, record);
  }
}

/**
 * Extracts timestamps and generates watermarks ({@link WatermarkStrategy}); upstream watermarks are
 * dropped except the final `+Infinity` at end of input.
 */
export class TimestampsAndWatermarksOperator extends OperatorInstance {
  private readonly strategy: WatermarkStrategy<unknown>;
  private generator: WatermarkGenerator<unknown> | undefined;
  private interval: NodeJS.Timeout | undefined;
  private emitted = -Infinity;
  private readonly watermarkOutput: WatermarkOutput;
  private readonly period: number;

  constructor(init: OperatorInstanceInit) {
    super(init);
    this.strategy = init.fn as WatermarkStrategy<unknown>;
    this.period = init.settings?.autoWatermarkInterval ?? 200;
    this.watermarkOutput = {
      emitWatermark: (watermark) => {
        this.host?.setIdle(false);
        if (watermark <= this.emitted) return;
        this.emitted = watermark;
        const result = this.output.watermark?.(watermark);
        if (isPromiseLike(result)) result.then(undefined, (error: unknown) => this.host?.fail(error as Error));
      },
      markIdle: () => this.host?.setIdle(true),
    };
  }

  private gen(): WatermarkGenerator<unknown> {
    this.generator ??= this.strategy.createWatermarkGenerator();
    return this.generator;
  }

  override opened(): void {
    if (this.period <= 0) return;
    this.interval = setInterval(() => {
      const host = this.host;
      if (host === undefined || host.stopping) return;
      try {
        const result = host.exec(() => this.gen().onPeriodicEmit(this.watermarkOutput));
        if (result !== undefined) result.catch(() => undefined);
      } catch (error) {
        host.fail(this.fail('onPeriodicEmit', error));
      }
    }, this.period);
    this.interval.unref?.();
  }

  override closing(): void {
    if (this.interval !== undefined) clearInterval(this.interval);
    this.interval = undefined;
  }

  override push(value: unknown): void | Promise<void> {
    this.recordsIn += 1;
    let timestamp: number;
    try {
      const assigner = this.strategy.timestampAssigner;
      timestamp = assigner === undefined ? (this.frame.timestamp ?? processingTime()) : assigner(value, this.frame.timestamp);
    } catch (error) {
      throw this.fail('assignTimestampsAndWatermarks', error);
    }
    this.frame.timestamp = timestamp;
    this.recordsOut += 1;
    // The record first, then the generator: a watermark it emits for this record follows the record.
    const result = this.output.push(value);
    try {
      this.gen().onEvent(value, timestamp, this.watermarkOutput);
    } catch (error) {
      throw this.fail('onEvent', error);
    }
    return result;
  }

  override processWatermark(watermark: number): void | Promise<void> {
    if (watermark !== Infinity) return undefined;
    try {
      this.gen().onPeriodicEmit(this.watermarkOutput);
    } catch (error) {
      throw this.fail('onPeriodicEmit', error);
    }
    if (this.emitted === Infinity) return undefined;
    this.emitted = Infinity;
    return this.output.watermark?.(Infinity);
  }
}
