// keyBy, keyed state, timers, side outputs and rescaling of keyed state, in one process.
import { describe, expect, it } from 'vitest';
import type { Collector } from '../src/api/functions.js';
import { OutputTag } from '../src/api/keyed-process-function.js';
import type { KeyedProcessContext, KeyedRuntimeContext } from '../src/api/keyed-process-function.js';
import type { AggregatingState, MapState, ReducingState, ValueState } from '../src/api/keyed-state.js';
import type { ListState } from '../src/api/state.js';
import { WatermarkStrategies } from '../src/api/watermark-strategy.js';
import { StreamExecutionEnvironment } from '../src/datastream/stream-execution-environment.js';
import { CoreErrorCode } from '../src/errors.js';
import { InMemoryCheckpointStorage } from '../src/runtime/in-memory-checkpoint-storage.js';
import {
  keyGroupForBytes,
  keyGroupRangeForSubtask,
  murmur3Bytes,
  serializeKey,
  subtaskForKeyGroup,
} from '../src/runtime/key-groups.js';
import { Types } from '../src/types/types.js';
import { EventSource, RunningSum, collectInto, eventAt } from './keyed-support.js';
import type { Event } from './keyed-support.js';

describe('key groups', () => {
  it('ranges are contiguous, cover every key group once and agree with subtaskForKeyGroup', () => {
    for (const maxParallelism of [1, 7, 128, 1000]) {
      for (const parallelism of [1, 2, 3, 5, 7].filter((p) => p <= maxParallelism)) {
        let next = 0;
        for (let i = 0; i < parallelism; i += 1) {
          const range = keyGroupRangeForSubtask(i, { parallelism, maxParallelism });
          expect(range.start).toBe(next);
          for (let kg = range.start; kg <= range.end; kg += 1) {
            expect(subtaskForKeyGroup(kg, { parallelism, maxParallelism })).toBe(i);
          }
          next = range.end + 1;
        }
        expect(next).toBe(maxParallelism);
      }
    }
  });

  it('Flink example: 128 key groups over 3 subtasks are [0,42], [43,85], [86,127]', () => {
    const ranges = [0, 1, 2].map((i) => keyGroupRangeForSubtask(i, { parallelism: 3, maxParallelism: 128 }));
    expect(ranges).toEqual([
      { start: 0, end: 42 },
      { start: 43, end: 85 },
      { start: 86, end: 127 },
    ]);
  });

  it('murmur3 matches reference vectors and key groups are stable', () => {
    expect(murmur3Bytes(new Uint8Array())).toBe(0);
    expect(murmur3Bytes(new TextEncoder().encode('hello')) >>> 0).toBe(0x248bfa47);
    const serializer = Types.json().createSerializer();
    const kg = keyGroupForBytes(serializeKey('user-1', serializer), 128);
    expect(kg).toBe(keyGroupForBytes(serializeKey('user-1', serializer), 128));
    expect(kg).toBeGreaterThanOrEqual(0);
    expect(kg).toBeLessThan(128);
    // Spread: 10 000 keys land in every one of 128 key groups.
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i += 1) seen.add(keyGroupForBytes(serializeKey(`key-${i}`, serializer), 128));
    expect(seen.size).toBe(128);
  });
});

function runningSumJob(options: {
  out: string[];
  limit: number;
  keys: number;
  parallelism: number;
  storage?: InMemoryCheckpointStorage;
  sourceParallelism?: number;
}): StreamExecutionEnvironment {
  const env = StreamExecutionEnvironment.create({ parallelism: options.parallelism, autoWatermarkInterval: 5 });
  if (options.storage !== undefined) {
    env.enableCheckpointing(60_000);
    env.getCheckpointConfig().setCheckpointStorage(options.storage);
  }
  env
    .addSource(new EventSource({ limit: options.limit, keys: options.keys }))
    .uid('events')
    .setParallelism(options.sourceParallelism ?? 1)
    .assignTimestampsAndWatermarks(WatermarkStrategies.forMonotonousTimestamps<Event>((e) => e.ts))
    .setParallelism(options.sourceParallelism ?? 1)
    .keyBy((e) => e.key, Types.string())
    .process(new RunningSum(100))
    .uid('running-sum')
    .addSink(collectInto(options.out));
  return env;
}

/** The expected output of the running-sum job over events [0, limit). */
function expectedRunningSum(limit: number, keys: number, window: number): string[] {
  const sums = new Map<string, number>();
  const counts = new Map<string, Map<number, number>>();
  const lines: string[] = [];
  for (let i = 0; i < limit; i += 1) {
    const e = eventAt(i, keys);
    const sum = (sums.get(e.key) ?? 0) + e.value;
    sums.set(e.key, sum);
    lines.push(`sum ${e.key} ${e.value} ${sum}`);
    const end = Math.floor(e.ts / window) * window + window - 1;
    const perKey = counts.get(e.key) ?? new Map<number, number>();
    perKey.set(end, (perKey.get(end) ?? 0) + 1);
    counts.set(e.key, perKey);
  }
  for (const [key, perKey] of counts) for (const [end, n] of perKey) lines.push(`window ${key} ${end} ${n}`);
  return lines.sort();
}

describe('keyBy and keyed state', () => {
  it('a running sum per key with event-time timers matches the expected output (parallelism 3)', async () => {
    const out: string[] = [];
    await runningSumJob({ out, limit: 5000, keys: 17, parallelism: 3 }).execute('keyed-sum');
    expect([...out].sort()).toEqual(expectedRunningSum(5000, 17, 100));
  });

  it('records of one key keep their order and all reach one subtask', async () => {
    const seen = new Map<string, Set<number>>();
    const order: string[] = [];
    const env = StreamExecutionEnvironment.create({ parallelism: 4 });
    env
      .addSource(new EventSource({ limit: 2000, keys: 9 }))
      .uid('events')
      .setParallelism(1)
      .keyBy((e) => e.key)
      .process({
        processElement(e: Event, _ctx: KeyedProcessContext<unknown>, out: Collector<string>) {
          out.collect(`${e.key} ${e.value}`);
        },
        open(context: KeyedRuntimeContext) {
          (this as { subtask?: number }).subtask = context.subtaskIndex;
        },
      })
      .uid('order')
      .map((line: string) => line)
      .addSink({
        invoke: (line: string) => {
          order.push(line);
        },
      });
    env.addSource(new EventSource({ limit: 0, keys: 1 })).uid('empty').addSink({ invoke: () => undefined });
    await env.execute('keyed-order');
    const byKey = new Map<string, number[]>();
    for (const line of order) {
      const [key, value] = line.split(' ') as [string, string];
      byKey.set(key, [...(byKey.get(key) ?? []), Number(value)]);
    }
    for (const values of byKey.values()) expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(order.length).toBe(2000);
    expect(seen.size).toBe(0);
  });

  it('the key selector runs once per record; the keyed function sees the key it returned', async () => {
    let calls = 0;
    const seen: string[] = [];
    const env = StreamExecutionEnvironment.create({ parallelism: 2 });
    env
      .addSource(new EventSource({ limit: 500, keys: 7 }))
      .uid('events')
      .keyBy((e) => {
        calls += 1;
        return `${e.key}/${e.value % 2}`;
      })
      .process({
        processElement(e: Event, ctx: KeyedProcessContext<unknown>, out: Collector<string>) {
          out.collect(`${String(ctx.getCurrentKey())} ${e.key}/${e.value % 2}`);
        },
      })
      .uid('keys')
      .addSink({ invoke: (line: string) => void seen.push(line) });
    await env.execute('keyed-selector-once');
    expect(calls).toBe(500);
    expect(seen).toHaveLength(500);
    for (const line of seen) {
      const [current, own] = line.split(' ');
      expect(current).toBe(own);
    }
  });

  it('a keyed function that is sometimes asynchronous keeps per-key order and state, with checkpoints running', async () => {
    const seen = new Map<string, number[]>();
    const env = StreamExecutionEnvironment.create({ parallelism: 2 });
    env.enableCheckpointing(5).getCheckpointConfig().setCheckpointStorage(new InMemoryCheckpointStorage());
    env
      .addSource(new EventSource({ limit: 3000, keys: 5 }))
      .uid('events')
      .setParallelism(1)
      .keyBy((e) => e.key)
      .process(
        new (class {
          private count: ValueState<number> | undefined;
          open(context: KeyedRuntimeContext): void {
            this.count = context.getState({ name: 'count', type: Types.number(), defaultValue: 0 });
          }
          async processElement(e: Event, _ctx: KeyedProcessContext<unknown>, out: Collector<string>): Promise<void> {
            const count = (this.count?.value() ?? 0) + 1;
            this.count?.update(count);
            if (e.value % 3 === 0) await new Promise((resolve) => setTimeout(resolve, e.value % 2));
            out.collect(`${e.key} ${e.value} ${count}`);
          }
        })(),
      )
      .uid('counting')
      .addSink({
        invoke: (line: string) => {
          const [key, value, count] = line.split(' ') as [string, string, string];
          const values = seen.get(key) ?? [];
          values.push(Number(value));
          seen.set(key, values);
          expect(Number(count)).toBe(values.length);
        },
      });
    await env.execute('keyed-async');
    const all = [...seen.values()].flat();
    expect(all).toHaveLength(3000);
    expect(new Set(all).size).toBe(3000);
    for (const values of seen.values()) expect(values).toEqual([...values].sort((a, b) => a - b));
  });

  it('list, map, reducing and aggregating state per key', async () => {
    const statesFunction = {
        list: undefined as ListState<number> | undefined,
        map: undefined as MapState<string, number> | undefined,
        max: undefined as ReducingState<number> | undefined,
        avg: undefined as AggregatingState<number, number> | undefined,
        open(context: KeyedRuntimeContext) {
          this.list = context.getListState({ name: 'list', type: Types.number() });
          this.map = context.getMapState({ name: 'map', keyType: Types.string(), valueType: Types.number() });
          this.max = context.getReducingState({ name: 'max', type: Types.number(), reduce: (a, b) => Math.max(a, b) });
          this.avg = context.getAggregatingState({
            name: 'avg',
            accumulatorType: Types.tuple(Types.number(), Types.number()),
            aggregate: {
              createAccumulator: () => [0, 0] as const,
              add: (v: number, [s, n]: readonly [number, number]) => [s + v, n + 1] as const,
              getResult: ([s, n]: readonly [number, number]) => s / n,
            },
          });
        },
        processElement(e: Event, ctx: KeyedProcessContext<string>, o: Collector<string>) {
          this.list?.add(e.value);
          this.map?.put(e.value % 4 === 0 ? 'four' : 'other', (this.map.get(e.value % 4 === 0 ? 'four' : 'other') ?? 0) + 1);
          this.max?.add(e.value);
          this.avg?.add(e.value);
          if (e.value >= 38) {
            o.collect(
              `${ctx.getCurrentKey()} list=${this.list?.get().length} map=${JSON.stringify(this.map?.entries().sort())} max=${this.max?.get()} avg=${this.avg?.get()}`,
            );
          }
        },
      };
    const out: string[] = [];
    const env = StreamExecutionEnvironment.create({ parallelism: 2 });
    env
      .addSource(new EventSource({ limit: 40, keys: 2 }))
      .uid('events')
      .setParallelism(1)
      .keyBy((e) => e.key, Types.string())
      .process(statesFunction)
      .uid('states')
      .addSink(collectInto(out));
    await env.execute('keyed-states');
    expect(out.sort()).toEqual([
      'k0 list=20 map=[["four",10],["other",10]] max=38 avg=19',
      'k1 list=20 map=[["other",20]] max=39 avg=20',
    ]);
  });

  it('side outputs carry tagged records; the main output does not see them', async () => {
    const main: string[] = [];
    const side: number[] = [];
    const odd = new OutputTag<number>('odd');
    const env = StreamExecutionEnvironment.create({ parallelism: 2 });
    const processed = env
      .addSource(new EventSource({ limit: 100, keys: 3 }))
      .uid('events')
      .setParallelism(1)
      .keyBy((e) => e.key)
      .process({
        processElement(e: Event, ctx: KeyedProcessContext<unknown>, o: Collector<string>) {
          if (e.value % 2 === 1) ctx.output(odd, e.value);
          else o.collect(`even ${e.value}`);
        },
      })
      .uid('split');
    processed.addSink(collectInto(main));
    processed.getSideOutput(odd).addSink(collectInto(side));
    await env.execute('side-outputs');
    expect(main.length).toBe(50);
    expect(side.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => 2 * i + 1));
  });

  it('a keyed operator without uid is OPERATOR_UID_MISSING', async () => {
    const env = StreamExecutionEnvironment.create();
    env
      .addSource(new EventSource({ limit: 1, keys: 1 }))
      .uid('s')
      .keyBy((e) => e.key)
      .process({ processElement: () => undefined })
      .addSink({ invoke: () => undefined });
    await expect(env.execute('no-uid')).rejects.toMatchObject({ code: CoreErrorCode.OPERATOR_UID_MISSING });
  });
});

describe('rescaling keyed state', () => {
  for (const target of [3, 1]) {
    it(`a checkpoint taken at parallelism 2 restores at ${target} with identical per-key results`, async () => {
      const storage = new InMemoryCheckpointStorage();
      const out: string[] = [];
      await runningSumJob({ out, limit: 3000, keys: 23, parallelism: 2, storage }).execute('rescale');
      const restored: string[] = [];
      const result = await runningSumJob({ out: restored, limit: 6000, keys: 23, parallelism: target, storage }).execute('rescale');
      expect(result.restoredCheckpointId).toBeDefined();
      const all = [...out, ...restored];
      // Running sums continue from the restored state; window counts of windows cut by the
      // stop are split in two lines (the final watermark of run 1 fired them): merge them.
      const sums = all.filter((l) => l.startsWith('sum ')).sort();
      const expected = expectedRunningSum(6000, 23, 100);
      expect(sums).toEqual(expected.filter((l) => l.startsWith('sum ')));
      const windows = new Map<string, number>();
      for (const line of all.filter((l) => l.startsWith('window '))) {
        const [, key, end, n] = line.split(' ') as [string, string, string, string];
        windows.set(`${key} ${end}`, (windows.get(`${key} ${end}`) ?? 0) + Number(n));
      }
      const expectedWindows = new Map(
        expected
          .filter((l) => l.startsWith('window '))
          .map((l) => {
            const [, key, end, n] = l.split(' ') as [string, string, string, string];
            return [`${key} ${end}`, Number(n)];
          }),
      );
      expect(windows).toEqual(expectedWindows);
    });
  }
});
