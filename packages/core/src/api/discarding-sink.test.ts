import { describe, expect, it } from 'vitest';
import type { Source, SourceContext } from './functions.js';
import { DiscardingSink } from './discarding-sink.js';
import { StreamExecutionEnvironment } from '../datastream/stream-execution-environment.js';

describe('DiscardingSink', () => {
  it('takes every record and keeps none; the sink counts them', async () => {
    const source: Source<number> = {
      run: async (ctx: SourceContext<number>) => {
        for (let i = 0; i < 100; i += 1) void ctx.collect(i);
      },
      cancel: () => {},
    };
    const env = StreamExecutionEnvironment.create({ parallelism: 2 });
    env.addSource(source).setParallelism(1).uid('numbers').rebalance().addSink(new DiscardingSink<number>()).uid('discard');
    const result = await env.execute('discarding');
    expect((result.metrics['discarding.discard.0.numRecordsIn'] as number) + (result.metrics['discarding.discard.1.numRecordsIn'] as number)).toBe(100);
    expect(new DiscardingSink<string>().invoke('x')).toBeUndefined();
  });
});
