// Exchanges other than keyBy: broadcast and union, and a keyed stream behind a union.
import { describe, expect, it } from 'vitest';
import type { RuntimeContext, Sink } from '../src/api/functions.js';
import { StreamExecutionEnvironment } from '../src/datastream/stream-execution-environment.js';
import { Types } from '../src/types/types.js';
import { EventSource } from './keyed-support.js';
import type { Event } from './keyed-support.js';

/** Records `<subtask>:<value>` into a shared array (through a closure). */
function bySubtask(target: string[]): Sink<number> & { open(context: RuntimeContext): void } {
  class SubtaskSink {
    subtask = -1;
    open(context: RuntimeContext): void {
      this.subtask = context.subtaskIndex;
    }
    invoke(value: number): void {
      target.push(`${this.subtask}:${value}`);
    }
  }
  return new SubtaskSink();
}

describe('exchanges', () => {
  it('broadcast sends every record to every subtask of the next operator', async () => {
    const out: string[] = [];
    const env = StreamExecutionEnvironment.create({ parallelism: 3 });
    env
      .addSource(new EventSource({ limit: 10, keys: 1 }))
      .uid('events')
      .setParallelism(1)
      .broadcast()
      .map((e: Event) => e.value)
      .addSink(bySubtask(out));
    await env.execute('broadcast');
    expect(out.length).toBe(30);
    for (const subtask of [0, 1, 2]) {
      expect(out.filter((line) => line.startsWith(`${subtask}:`)).map((line) => Number(line.split(':')[1]))).toEqual(
        Array.from({ length: 10 }, (_, i) => i),
      );
    }
  });

  it('union merges streams; a keyed sum behind it sees every record of both once', async () => {
    const sums = new Map<string, number>();
    const env = StreamExecutionEnvironment.create({ parallelism: 2 });
    const a = env.addSource(new EventSource({ limit: 500, keys: 5 })).uid('a').setParallelism(1);
    const b = env.addSource(new EventSource({ limit: 300, keys: 5 })).uid('b').setParallelism(2);
    a.union(b)
      .keyBy((e) => e.key, Types.string())
      .reduce((x, y) => ({ key: x.key, value: x.value + y.value, ts: Math.max(x.ts, y.ts) }))
      .uid('sum')
      .addSink({ invoke: (e: Event) => void sums.set(e.key, e.value) });
    await env.execute('union');
    const expected = new Map<string, number>();
    for (const limit of [500, 300]) {
      for (let i = 0; i < limit; i += 1) expected.set(`k${i % 5}`, (expected.get(`k${i % 5}`) ?? 0) + i);
    }
    expect(sums).toEqual(expected);
  });
});
