// The heap keyed state backend: TTL, timers, snapshots per key group, and the frozen
// format-2 state file (keyed section) next to format 1 (operator state only).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CoreErrorCode } from '../src/errors.js';
import { KeyGroupAssigner, keyGroupForBytes, serializeKey } from '../src/runtime/key-groups.js';
import { HeapKeyedStateBackend, TimerQueue } from '../src/runtime/keyed-state-backend.js';
import { OperatorStateBackend, decodeStateFile } from '../src/runtime/operator-state-backend.js';
import type { TypeInformation } from '../src/types/type-information.js';
import { Types } from '../src/types/types.js';

describe('TTL', () => {
  it('an entry expires ttl ms after its last write; expired entries are not returned nor snapshotted', () => {
    let now = 0;
    const backend = new HeapKeyedStateBackend({ keyType: Types.string(), maxParallelism: 128, clock: () => now });
    const state = backend.getState({ name: 'v', type: Types.number(), defaultValue: -1, ttl: { ttlMs: 100 } });
    backend.setCurrentKey('a');
    state.update(1);
    backend.setCurrentKey('b');
    state.update(2);
    now = 99;
    expect(state.value()).toBe(2);
    backend.setCurrentKey('a');
    state.update(3); // refreshes a
    now = 150;
    expect(state.value()).toBe(3);
    backend.setCurrentKey('b');
    expect(state.value()).toBe(-1); // expired → default
    now = 198;
    expect(backend.snapshot().groups.size).toBe(1); // only a
    now = 199;
    expect(backend.snapshot().groups.size).toBe(0);
  });

  it('TTL added to a state between runs counts from the restore; TTL removed keeps every entry', () => {
    let now = 1_000_000;
    const clock = (): number => now;
    const plain = new HeapKeyedStateBackend({ keyType: Types.string(), maxParallelism: 128, clock });
    plain.setCurrentKey('a');
    plain.getState({ name: 'v', type: Types.number() }).update(1);
    const withTtl = new HeapKeyedStateBackend({ keyType: Types.string(), maxParallelism: 128, clock, restored: plain.snapshot() });
    const ttlState = withTtl.getState({ name: 'v', type: Types.number(), ttl: { ttlMs: 100 } });
    withTtl.setCurrentKey('a');
    now += 99;
    expect(ttlState.value()).toBe(1);
    now += 1;
    expect(ttlState.value()).toBeUndefined();

    withTtl.setCurrentKey('b');
    ttlState.update(2);
    const taken = withTtl.snapshot(); // b alive
    now += 5_000;
    const again = new HeapKeyedStateBackend({ keyType: Types.string(), maxParallelism: 128, clock, restored: taken });
    const noTtl = again.getState({ name: 'v', type: Types.number() });
    again.setCurrentKey('b');
    expect(noTtl.value()).toBe(2); // without TTL it stays, however old
  });

  it('OnReadAndWrite refreshes on reads', () => {
    let now = 0;
    const backend = new HeapKeyedStateBackend({ keyType: Types.string(), maxParallelism: 8, clock: () => now });
    const state = backend.getListState({ name: 'l', type: Types.number(), ttl: { ttlMs: 10, updateType: 'OnReadAndWrite' } });
    backend.setCurrentKey('k');
    state.add(1);
    for (now = 5; now <= 50; now += 5) expect(state.get()).toEqual([1]);
    now += 10;
    expect(state.get()).toEqual([]);
  });
});

describe('timers', () => {
  it('poll in time order with ties by key, deduplicate, and honour deletes', () => {
    const queue = new TimerQueue();
    const t = (time: number, key: string) => ({ time, key, keyString: key, keyGroup: 0 });
    for (const [time, key] of [[30, 'b'], [10, 'z'], [30, 'a'], [10, 'z'], [20, 'c'], [5, 'd']] as const) queue.add(t(time, key));
    queue.delete(5, 'd');
    expect(queue.size).toBe(4);
    const order: string[] = [];
    for (let timer = queue.pollUpTo(100); timer !== undefined; timer = queue.pollUpTo(100)) order.push(`${timer.time}${timer.key}`);
    expect(order).toEqual(['10z', '20c', '30a', '30b']);
  });
});

describe('state file format 2 (keyed section)', () => {
  const fixture = new URL('./fixtures/runtime/keyed-state-v2.bin', import.meta.url);

  it('reads the frozen format-2 file: operator state, keyed state per key group and timers', () => {
    const decoded = decodeStateFile(new Uint8Array(readFileSync(fixture)));
    expect(decoded.operator.map((s) => [s.name, s.elements.length])).toEqual([['offset', 1]]);
    const keyed = decoded.keyed;
    expect(keyed).toBeDefined();
    const serializer = Types.string().createSerializer();
    const groups = ['alice', 'bob', 'carol'].map((k) => keyGroupForBytes(serializeKey(k, serializer), 128));
    expect([...(keyed?.groups.keys() ?? [])].sort((a, b) => a - b)).toEqual([...new Set(groups)].sort((a, b) => a - b));
    const backend = new HeapKeyedStateBackend({ keyType: Types.string(), maxParallelism: 128, restored: keyed });
    const sum = backend.getState({ name: 'sum', type: Types.number() });
    const seen = backend.getListState({ name: 'seen', type: Types.string() });
    const windows = backend.getMapState({ name: 'windows', keyType: Types.number(), valueType: Types.number() });
    for (const [key, n] of [['alice', 3], ['bob', 5], ['carol', 7]] as const) {
      backend.setCurrentKey(key);
      expect(sum.value()).toBe(n * 10);
      expect(seen.get()).toEqual([`${key}-1`, `${key}-2`]);
      expect(windows.entries()).toEqual([[99, n]]);
    }
    expect(backend.eventTimers.size).toBe(3);
    expect(backend.processingTimers.peekTime()).toBe(5003);
  });

  it('state not registered after a restore is carried into the next snapshot unchanged', () => {
    const decoded = decodeStateFile(new Uint8Array(readFileSync(fixture)));
    const backend = new HeapKeyedStateBackend({ keyType: Types.string(), maxParallelism: 128, restored: decoded.keyed });
    backend.getState({ name: 'sum', type: Types.number() });
    const op = new OperatorStateBackend(new Map(decoded.operator.map((s) => [s.name, s])));
    op.getListState({ name: 'offset', type: Types.number() });
    expect(Buffer.from(op.snapshot(backend.snapshot())).equals(readFileSync(fixture))).toBe(true);
  });

  it('format 1 files (operator state only) are still read and still written without keyed state', () => {
    const v1 = new Uint8Array(readFileSync(new URL('./fixtures/runtime/operator-state-v1.bin', import.meta.url)));
    const decoded = decodeStateFile(v1);
    expect(decoded.keyed).toBeUndefined();
    expect(decoded.operator.length).toBeGreaterThan(0);
    const op = new OperatorStateBackend();
    op.getListState({ name: 'x', type: Types.number() }).update([1]);
    expect(decodeStateFile(op.snapshot()).keyed).toBeUndefined();
  });

  it('a state restored under another kind is STATE_INCOMPATIBLE', () => {
    const decoded = decodeStateFile(new Uint8Array(readFileSync(fixture)));
    const backend = new HeapKeyedStateBackend({ keyType: Types.string(), maxParallelism: 128, restored: decoded.keyed });
    expect(() => backend.getListState({ name: 'sum', type: Types.number() })).toThrow(
      expect.objectContaining({ code: CoreErrorCode.STATE_INCOMPATIBLE }),
    );
  });

  it('keyed state outside a key is STATE_ACCESS_INVALID', () => {
    const backend = new HeapKeyedStateBackend({ keyType: Types.string(), maxParallelism: 128 });
    const state = backend.getState({ name: 'v', type: Types.number() });
    expect(() => state.value()).toThrow(expect.objectContaining({ code: CoreErrorCode.STATE_ACCESS_INVALID }));
  });
});

describe('current key from a keyBy exchange', () => {
  const run = <TKey>(type: TypeInformation<TKey>, keys: readonly TKey[], routed: boolean): Uint8Array => {
    const backend = new HeapKeyedStateBackend({ keyType: type as TypeInformation<unknown>, maxParallelism: 128 });
    const assigner = new KeyGroupAssigner(type.createSerializer(), { maxParallelism: 128 });
    const sum = backend.getState({ name: 'sum', type: Types.number(), defaultValue: 0 });
    keys.forEach((key, i) => {
      if (routed) backend.setCurrentKeyRouted(key, assigner.route(key));
      else backend.setCurrentKey(key);
      sum.update((sum.value() ?? 0) + i + 1);
      if (i % 3 === 0) backend.eventTimers.add(backend.timerFor(i));
    });
    return new OperatorStateBackend().snapshot(backend.snapshot());
  };

  it('a key routed by its key group alone (value keys) or with its bytes keeps the same state, timers and snapshot', () => {
    const numbers = [1, 2, 0, -0, NaN, 1, 2.5, -0, NaN, 0, Infinity, 1];
    const rows = [{ id: 1 }, { id: 2 }, { id: 1 }];
    for (const [type, keys] of [
      [Types.number(), numbers],
      [Types.int32(), [1, 2, 3, 1, 2]],
      [Types.string(), ['a', 'b', 'a', 'x'.repeat(300), 'x'.repeat(300)]],
      [Types.row({ id: Types.number() }), rows],
    ] as [TypeInformation<unknown>, unknown[]][]) {
      const routed = run(type, keys, true);
      expect(Buffer.from(routed).equals(Buffer.from(run(type, keys, false)))).toBe(true);
    }
    // -0 and 0, and NaN, each keep their own state, and restore so.
    const keyed = decodeStateFile(run(Types.number(), numbers, true)).keyed;
    const restored = new HeapKeyedStateBackend({ keyType: Types.number(), maxParallelism: 128, restored: keyed });
    const sum = restored.getState({ name: 'sum', type: Types.number(), defaultValue: 0 });
    const expected = new Map<string, number>();
    numbers.forEach((key, i) => {
      const id = Object.is(key, -0) ? '-0' : String(key);
      expected.set(id, (expected.get(id) ?? 0) + i + 1);
    });
    for (const key of [0, -0, NaN, 1, 2.5, Infinity]) {
      restored.setCurrentKeyRouted(key, new KeyGroupAssigner(Types.number().createSerializer(), { maxParallelism: 128 }).route(key));
      expect(sum.value()).toBe(expected.get(Object.is(key, -0) ? '-0' : String(key)));
    }
    expect(restored.eventTimers.size).toBe(4);
  });
});
