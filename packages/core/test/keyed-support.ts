// Shared pieces of the keyed-stream tests: a replayable keyed source and a per-key running sum.
import type { Collector, Sink, Source, SourceContext } from '../src/api/functions.js';
import type { KeyedProcessContext, KeyedProcessFunction, KeyedRuntimeContext, OnTimerContext } from '../src/api/keyed-process-function.js';
import type { ValueState } from '../src/api/keyed-state.js';
import type { FunctionInitializationContext, ListState } from '../src/api/state.js';
import { Types } from '../src/types/types.js';

/** A record of the keyed tests: key, value, event time. */
export interface Event {
  readonly key: string;
  readonly value: number;
  readonly ts: number;
}

/** Record i of the deterministic input: key `k<i mod keys>`, value i, timestamp i. */
export const eventAt = (i: number, keys: number): Event => ({ key: `k${i % keys}`, value: i, ts: i });

/** Emits events [offset, limit) with timestamps; offset checkpointed; subtask s emits i ≡ s (mod p). */
export class EventSource implements Source<Event> {
  offset = 0;
  private running = true;
  private state: ListState<number> | undefined;
  private step = 1;
  constructor(private readonly options: { limit: number; keys: number; throwAt?: number; onThrow?: () => boolean }) {}
  initializeState(context: FunctionInitializationContext): void {
    this.state = context.operatorStateStore.getListState({ name: 'offset', type: Types.number() });
    if (context.isRestored) this.offset = this.state.get()[0] ?? this.offset;
  }
  open(context: { subtaskIndex: number; parallelism: number }): void {
    if (this.offset === 0) this.offset = context.subtaskIndex;
    this.step = context.parallelism;
  }
  snapshotState(): void {
    this.state?.update([this.offset]);
  }
  async run(ctx: SourceContext<Event>): Promise<void> {
    let n = 0;
    while (this.running && this.offset < this.options.limit) {
      const wait = ctx.collectWithTimestamp(eventAt(this.offset, this.options.keys), this.offset);
      this.offset += this.step;
      if (wait) await wait;
      n += 1;
      if (n % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }
  cancel(): void {
    this.running = false;
  }
}

/**
 * Per key: running sum (emitted per record as `sum <key> <value> <sum>`), and an event-time timer
 * at the end of each window of `window` ms emitting `window <key> <end> <count>`.
 */
export class RunningSum implements KeyedProcessFunction<string, Event, string> {
  private sum: ValueState<number> | undefined;
  private counts: ValueState<number> | undefined;
  constructor(
    private readonly window: number,
    private readonly throwOn?: { value: number; shouldThrow: () => boolean },
  ) {}
  open(context: KeyedRuntimeContext): void {
    this.sum = context.getState({ name: 'sum', type: Types.number(), defaultValue: 0 });
    this.counts = context.getState({ name: 'window-count', type: Types.json() as never });
  }
  processElement(event: Event, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    if (this.throwOn !== undefined && event.value === this.throwOn.value && this.throwOn.shouldThrow()) {
      throw new Error(`injected failure at record ${event.value}`);
    }
    const sum = (this.sum?.value() ?? 0) + event.value;
    this.sum?.update(sum);
    out.collect(`sum ${event.key} ${event.value} ${sum}`);
    const end = Math.floor(event.ts / this.window) * this.window + this.window - 1;
    const counts = ((this.counts?.value() as unknown as Record<string, number> | undefined) ?? {});
    counts[String(end)] = (counts[String(end)] ?? 0) + 1;
    this.counts?.update({ ...counts } as never);
    ctx.timerService.registerEventTimeTimer(end);
  }
  onTimer(timestamp: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
    const counts = { ...((this.counts?.value() as unknown as Record<string, number> | undefined) ?? {}) };
    out.collect(`window ${ctx.getCurrentKey()} ${timestamp} ${counts[String(timestamp)] ?? 0}`);
    delete counts[String(timestamp)];
    this.counts?.update(counts as never);
  }
}

/** A sink that appends into a shared array (through a closure, so every subtask copy shares it). */
export function collectInto<T>(target: T[]): Sink<T> {
  return { invoke: (value: T) => void target.push(value) };
}
