// Back-pressure bounds memory: a fast source behind a keyBy exchange feeding a slow sink.
// Bounded channels make the source wait, so RSS stays bounded whatever the record count.
// No timing assertions; the peak is reported. `SLUICE_BACKPRESSURE_RECORDS=10000000` for the
// issue's full 10 M records.
import { describe, expect, it } from 'vitest';
import type { Sink, Source, SourceContext } from '../src/api/functions.js';
import type { KeyedProcessContext, KeyedRuntimeContext } from '../src/api/keyed-process-function.js';
import type { Collector } from '../src/api/functions.js';
import type { ValueState } from '../src/api/keyed-state.js';
import { StreamExecutionEnvironment } from '../src/datastream/stream-execution-environment.js';
import { Types } from '../src/types/types.js';

const RECORDS = Number(process.env['SLUICE_BACKPRESSURE_RECORDS'] ?? '1000000');
const MB = 1024 * 1024;

class FastSource implements Source<{ key: number; payload: string }> {
  private running = true;
  constructor(private readonly count: number) {}
  async run(ctx: SourceContext<{ key: number; payload: string }>): Promise<void> {
    for (let i = 0; i < this.count && this.running; i += 1) {
      // ~100 bytes per record, so an unbounded queue of a few million would need hundreds of MB.
      const wait = ctx.collect({ key: i % 1000, payload: `record-${i}-${'x'.repeat(80)}` });
      if (wait !== undefined) await wait;
    }
  }
  cancel(): void {
    this.running = false;
  }
}

describe('back-pressure', () => {
  it(`a slow sink behind a fast source (${RECORDS} records through keyBy) keeps RSS bounded`, async () => {
    globalThis.gc?.();
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 20);
    let received = 0;
    const slowSink: Sink<number> = {
      invoke: () => {
        received += 1;
        // The slow part: a timer every 5000 records (the sink is far slower than the source).
        return received % 5000 === 0 ? new Promise<void>((resolve) => setTimeout(resolve, 1)) : undefined;
      },
    };
    const counter = {
        count: undefined as ValueState<number> | undefined,
        open(context: KeyedRuntimeContext) {
          this.count = context.getState({ name: 'count', type: Types.number(), defaultValue: 0 });
        },
        processElement(_r: { key: number; payload: string }, _ctx: KeyedProcessContext<number>, out: Collector<number>) {
          const n = (this.count?.value() ?? 0) + 1;
          this.count?.update(n);
          out.collect(n);
        },
      };
    const env = StreamExecutionEnvironment.create({ parallelism: 2, channelCapacity: 1024 });
    env
      .addSource(new FastSource(RECORDS))
      .setParallelism(1)
      .keyBy((r) => r.key, Types.number())
      .process(counter)
      .uid('count')
      .rebalance()
      .addSink(slowSink)
      .setParallelism(1);
    await env.execute('backpressure');
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const growthMb = (peak - baseline) / MB;
    process.stdout.write(
      `back-pressure: ${RECORDS} records, RSS baseline ${(baseline / MB).toFixed(0)} MB, peak ${(peak / MB).toFixed(0)} MB (growth ${growthMb.toFixed(0)} MB)\n`,
    );
    expect(received).toBe(RECORDS);
    expect(growthMb).toBeLessThan(300);
  }, 600_000);
});
