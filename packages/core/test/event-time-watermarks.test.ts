// Event time: watermark propagation (minimum over inputs, never decreasing, idle inputs),
// bounded out-of-orderness and custom generators, timer ordering, the final watermark.
import { describe, expect, it } from 'vitest';
import type { Collector, Source, SourceContext } from '../src/api/functions.js';
import type { KeyedProcessContext, OnTimerContext } from '../src/api/keyed-process-function.js';
import { BoundedOutOfOrdernessGenerator, WatermarkStrategies } from '../src/api/watermark-strategy.js';
import type { WatermarkOutput } from '../src/api/watermark-strategy.js';
import { StreamExecutionEnvironment } from '../src/datastream/stream-execution-environment.js';
import { Types } from '../src/types/types.js';
import { collectInto } from './keyed-support.js';

interface Rec {
  readonly src: string;
  readonly ts: number;
}

/** A source running a scripted list of steps. */
function scripted(steps: readonly ((ctx: SourceContext<Rec>) => void | Promise<void>)[]): Source<Rec> {
  return {
    run: async (ctx) => {
      for (const step of steps) await step(ctx);
    },
    cancel: () => undefined,
  };
}

const until = async (condition: () => boolean, timeoutMs = 5000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 2));
};

describe('watermark propagation', () => {
  it('is the minimum over the inputs; an idle input does not hold it back', async () => {
    const log: string[] = [];
    let fired = false;
    const env = StreamExecutionEnvironment.create({ parallelism: 1 });
    const a = env.addSource(
      scripted([
        (ctx) => void ctx.collectWithTimestamp({ src: 'A', ts: 1 }, 1),
        (ctx) => ctx.emitWatermark(100),
        () => until(() => fired),
      ]),
    );
    const b = env.addSource(
      scripted([
        (ctx) => void ctx.collectWithTimestamp({ src: 'B', ts: 2 }, 2),
        (ctx) => ctx.emitWatermark(10),
        () => new Promise((resolve) => setTimeout(resolve, 100)),
        (ctx) => {
          log.push('B idle');
          ctx.markAsTemporarilyIdle();
        },
        () => until(() => fired),
      ]),
    );
    a.union(b)
      .keyBy(() => 'one', Types.string())
      .process({
        processElement(_r: Rec, ctx: KeyedProcessContext<string>) {
          ctx.timerService.registerEventTimeTimer(50);
        },
        onTimer(time: number, ctx: OnTimerContext<string>, out: Collector<string>) {
          log.push(`timer ${time} at watermark ${ctx.timerService.currentWatermark()}`);
          fired = true;
          out.collect('fired');
        },
      })
      .uid('min')
      .addSink({ invoke: () => undefined });
    await env.execute('watermark-min');
    expect(log).toEqual(['B idle', 'timer 50 at watermark 100']);
  });

  it('never decreases: lower watermarks are ignored', async () => {
    const seen: number[] = [];
    const env = StreamExecutionEnvironment.create({ parallelism: 1 });
    env
      .addSource(
        scripted([
          (ctx) => ctx.emitWatermark(50),
          (ctx) => void ctx.collectWithTimestamp({ src: 'x', ts: 60 }, 60),
          (ctx) => ctx.emitWatermark(30),
          (ctx) => void ctx.collectWithTimestamp({ src: 'x', ts: 61 }, 61),
          (ctx) => ctx.emitWatermark(70),
          (ctx) => void ctx.collectWithTimestamp({ src: 'x', ts: 80 }, 80),
        ]),
      )
      .keyBy((r) => r.src, Types.string())
      .process({
        processElement(_r: Rec, ctx: KeyedProcessContext<string>) {
          seen.push(ctx.timerService.currentWatermark());
        },
      })
      .uid('mono')
      .addSink({ invoke: () => undefined });
    await env.execute('watermark-monotonic');
    expect(seen).toEqual([50, 50, 70]);
  });
});

describe('watermark strategies and timers', () => {
  it('bounded out-of-orderness: watermark = max timestamp − bound − 1', () => {
    const emitted: number[] = [];
    const output: WatermarkOutput = { emitWatermark: (w) => void emitted.push(w), markIdle: () => undefined };
    const generator = new BoundedOutOfOrdernessGenerator<number>(10);
    generator.onPeriodicEmit(output);
    generator.onEvent(5, 100, output);
    generator.onEvent(5, 90, output);
    generator.onPeriodicEmit(output);
    expect(emitted).toEqual([89]);
  });

  it('event-time timers fire in timestamp order (ties by key), all of them at the final watermark', async () => {
    const out: string[] = [];
    const times = [50, 10, 40, 10, 30, 20, 50, 5];
    const env = StreamExecutionEnvironment.create({ parallelism: 1, autoWatermarkInterval: 10_000 });
    env
      .addSource(
        scripted(times.map((t, i) => (ctx: SourceContext<Rec>) => void ctx.collectWithTimestamp({ src: `k${i % 3}`, ts: t }, t))),
      )
      .assignTimestampsAndWatermarks(WatermarkStrategies.forBoundedOutOfOrderness<Rec>(1000, (r) => r.ts))
      .keyBy((r) => r.src, Types.string())
      .process({
        processElement(r: Rec, ctx: KeyedProcessContext<string>) {
          ctx.timerService.registerEventTimeTimer(r.ts);
        },
        onTimer(time: number, ctx: OnTimerContext<string>, o: Collector<string>) {
          o.collect(`${time} ${ctx.getCurrentKey()} ${ctx.timeDomain()} ts=${ctx.timestamp()}`);
        },
      })
      .uid('order')
      .addSink(collectInto(out));
    await env.execute('timer-order');
    const times2 = out.map((line) => Number(line.split(' ')[0]));
    expect(times2).toEqual([...times2].sort((x, y) => x - y));
    // 50 twice for k0 and k0 (i = 0 and 6): deduplicated per key and time.
    expect(out).toEqual([
      '5 k1 EVENT_TIME ts=5',
      '10 k0 EVENT_TIME ts=10',
      '10 k1 EVENT_TIME ts=10',
      '20 k2 EVENT_TIME ts=20',
      '30 k1 EVENT_TIME ts=30',
      '40 k2 EVENT_TIME ts=40',
      '50 k0 EVENT_TIME ts=50',
    ]);
  });

  it('a custom (punctuated) generator: a watermark follows its record', async () => {
    const seen: string[] = [];
    const env = StreamExecutionEnvironment.create({ parallelism: 1 });
    env
      .addSource(scripted([10, 20, 30].map((t) => (ctx: SourceContext<Rec>) => void ctx.collect({ src: 'p', ts: t }))))
      .assignTimestampsAndWatermarks(
        WatermarkStrategies.forGenerator<Rec>(
          () => ({
            onEvent: (_r, ts, output) => output.emitWatermark(ts),
            onPeriodicEmit: () => undefined,
          }),
          (r) => r.ts,
        ),
      )
      .keyBy((r) => r.src, Types.string())
      .process({
        processElement(r: Rec, ctx: KeyedProcessContext<string>) {
          seen.push(`${r.ts}@${ctx.timerService.currentWatermark()}`);
        },
      })
      .uid('punctuated')
      .addSink({ invoke: () => undefined });
    await env.execute('punctuated');
    expect(seen).toEqual(['10@-Infinity', '20@10', '30@20']);
  });

  it('processing-time timers fire', async () => {
    const out: string[] = [];
    const env = StreamExecutionEnvironment.create({ parallelism: 1 });
    env
      .addSource(
        scripted([
          (ctx) => void ctx.collect({ src: 'q', ts: 0 }),
          () => new Promise((resolve) => setTimeout(resolve, 150)),
        ]),
      )
      .keyBy((r) => r.src, Types.string())
      .process({
        processElement(_r: Rec, ctx: KeyedProcessContext<string>) {
          ctx.timerService.registerProcessingTimeTimer(ctx.timerService.currentProcessingTime() + 20);
        },
        onTimer(_t: number, ctx: OnTimerContext<string>, o: Collector<string>) {
          o.collect(`${ctx.getCurrentKey()} ${ctx.timeDomain()}`);
        },
      })
      .uid('proc')
      .addSink(collectInto(out));
    await env.execute('processing-time');
    expect(out).toEqual(['q PROCESSING_TIME']);
  });
});
