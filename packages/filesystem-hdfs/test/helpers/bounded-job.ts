// Runs a bounded job source → rebalance → sink (parallelism 2) with only the final checkpoint.
import { InMemoryCheckpointStorage, StreamExecutionEnvironment } from '@sluice/core';
import type { Sink, Source } from '@sluice/core';
import { expect } from 'vitest';

/** Emits `make(i)` for i < `count`, then ends. */
export function boundedSource<T>(count: number, make: (i: number) => T): Source<T> {
  return {
    async run(ctx) {
      for (let i = 0; i < count; i += 1) await ctx.collect(make(i));
    },
    cancel() {},
  };
}

/** Runs the job to its end and checks it finished with one (the final) checkpoint. */
export async function runBoundedJob<T>(source: Source<T>, sink: Sink<T>): Promise<void> {
  const env = StreamExecutionEnvironment.create();
  env.enableCheckpointing(3_600_000).getCheckpointConfig().setCheckpointStorage(new InMemoryCheckpointStorage());
  env.addSource(source).setParallelism(1).rebalance().addSink(sink).uid('files').setParallelism(2);
  const result = await env.execute('bounded-files');
  expect(result.status).toBe('finished');
  expect(result.lastCheckpointId).toBe(1); // only the final checkpoint
}
