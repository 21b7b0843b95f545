// The standard metrics and the job status the runtime reports, on real (small) jobs.
import { describe, expect, it } from 'vitest';
import type { Source, SourceContext } from '../api/functions.js';
import type { JobHandle } from '../runtime/job-runner.js';
import { RestartStrategies } from '../api/restart-strategy.js';
import { StreamExecutionEnvironment } from '../datastream/stream-execution-environment.js';
import { InMemoryCheckpointStorage } from '../runtime/in-memory-checkpoint-storage.js';

/** Emits `count` numbers with event-time timestamps and a watermark after each, then ends. */
class NumbersSource implements Source<number> {
  constructor(private readonly count: number) {}
  async run(ctx: SourceContext<number>): Promise<void> {
    for (let i = 0; i < this.count; i += 1) {
      const wait = ctx.collectWithTimestamp(i, 1_000 + i);
      ctx.emitWatermark(1_000 + i);
      if (wait) await wait;
      if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
  }
  cancel(): void {}
}

describe('standard metrics', () => {
  it('reports records, rates, watermarks, back-pressure, checkpoints with alignment, and the job status', async () => {
    const env = StreamExecutionEnvironment.create({ parallelism: 2, channelCapacity: 4 });
    const running: { handle?: JobHandle } = {};
    const watermarks: number[] = [];
    env.enableCheckpointing(20);
    env.getCheckpointConfig().setCheckpointStorage(new InMemoryCheckpointStorage());
    env
      .addSource(new NumbersSource(400), { name: 'numbers' })
      .uid('numbers')
      .rebalance()
      .addSink({
        invoke: () => {
          const watermark = running.handle?.metrics()['standard.slow.0.currentInputWatermark'];
          if (typeof watermark === 'number') watermarks.push(watermark);
          return new Promise<void>((resolve) => setTimeout(resolve, 0));
        },
      })
      .name('slow')
      .uid('slow');
    const handle = await env.executeAsync('standard');
    running.handle = handle;
    const result = await handle.result;
    const m = result.metrics;
    expect(m['standard.numbers.0.numRecordsOut']).toBe(400);
    expect((m['standard.slow.0.numRecordsIn'] as number) + (m['standard.slow.1.numRecordsIn'] as number)).toBe(800);
    expect(typeof m['standard.numbers.0.numRecordsOutPerSecond']).toBe('number');
    // Event time advances while records flow (after the end it is +Infinity, reported as null).
    expect(watermarks.length).toBeGreaterThan(0);
    expect(watermarks.every((w, i) => w >= 1_000 && w <= 1_399 && (i === 0 || w >= (watermarks[i - 1] as number)))).toBe(true);
    expect(m['standard.numbers.0.accumulatedBackPressuredTimeMs']).toBeGreaterThan(0);
    expect(m['standard.numbers.0.backPressuredTimeMsPerSecond']).toBeGreaterThanOrEqual(0);
    expect(m['standard.uptime']).toBeGreaterThanOrEqual(0);
    expect(m['standard.numRestarts']).toBe(0);

    const status = handle.status();
    expect(status.state).toBe('finished');
    expect(status.jobName).toBe('standard');
    expect(status.graph.edges).toEqual([{ source: 'numbers', target: 'slow', partitioning: 'rebalance' }]);
    const completed = status.checkpoints.history.filter((c) => c.status === 'completed');
    expect(completed.length).toBe(status.checkpoints.completed);
    expect(completed[0]).toMatchObject({ final: true });
    for (const checkpoint of completed) {
      expect(checkpoint.sizeBytes).toBeGreaterThan(0);
      // Sink subtasks have two inputs each, so every checkpoint aligned barriers.
      expect(checkpoint.alignmentMs).toBeGreaterThanOrEqual(0);
    }
    expect(status.exceptions).toEqual([]);
  });

  it('records a task failure in the exceptions history and the failed state', async () => {
    const env = StreamExecutionEnvironment.create();
    env
      .addSource(new NumbersSource(10))
      .map((n: number) => {
        if (n === 5) throw new Error('five is right out');
        return n;
      })
      .uid('picky')
      .addSink({ invoke: () => undefined });
    const handle = await env.executeAsync('failing');
    await expect(handle.result).rejects.toThrow('five is right out');
    const status = handle.status();
    expect(status.state).toBe('failed');
    expect(status.exceptions[0]).toMatchObject({ code: 'JOB_TASK_FAILED', operator: 'picky', subtask: 0 });
  });

  it('counts in-process restarts, keeps every failure, and rates follow the new attempt', async () => {
    const env = StreamExecutionEnvironment.create({ onWarning: () => undefined });
    env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 1));
    let failures = 0;
    env
      .addSource(new NumbersSource(50))
      .map((n: number) => {
        if (n === 10 && failures < 2) {
          failures += 1;
          throw new Error(`failure ${failures}`);
        }
        return n;
      })
      .uid('flaky')
      .addSink({ invoke: () => undefined });
    const handle = await env.executeAsync('restarting');
    const result = await handle.result;
    expect(result.status).toBe('finished');
    const status = handle.status();
    expect(status.restarts).toBe(2);
    expect(result.metrics['restarting.numRestarts']).toBe(2);
    expect(status.exceptions.map((e) => e.message)).toEqual([
      expect.stringContaining('failure 2'),
      expect.stringContaining('failure 1'),
    ]);
    const rate = status.metrics.find((m) => m.id === 'restarting.flaky.0.numRecordsInPerSecond');
    expect(rate?.count).toBe(result.metrics['restarting.flaky.0.numRecordsIn']);
  });
});
