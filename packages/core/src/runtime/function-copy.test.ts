import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { copyFunction } from './function-copy.js';

class Counter {
  count = 0;
  items: number[] = [];
  byKey = new Map<string, { n: number }>();
  readonly shared: () => number;
  constructor(shared: () => number) {
    this.shared = shared;
  }
  inc(): number {
    this.count += 1;
    return this.count;
  }
}

describe('copyFunction', () => {
  it('deep-copies own fields and keeps the prototype and shared closures', () => {
    const closure = () => 42;
    const original = new Counter(closure);
    original.items.push(1);
    original.byKey.set('a', { n: 1 });
    const copy = copyFunction(original);
    expect(copy).toBeInstanceOf(Counter);
    expect(copy.inc()).toBe(1);
    copy.items.push(2);
    copy.byKey.get('a')!.n = 5;
    expect(original.count).toBe(0);
    expect(original.items).toEqual([1]);
    expect(original.byKey.get('a')!.n).toBe(1);
    expect(copy.shared).toBe(closure);
  });

  it('keeps cycles and shares native objects and promises', () => {
    const signal = new AbortController();
    const original: { self?: unknown; controller: AbortController; ready: Promise<void> } = {
      controller: signal,
      ready: Promise.resolve(),
    };
    original.self = original;
    const copy = copyFunction(original);
    expect(copy.self).toBe(copy);
    expect(copy.controller).toBe(signal);
    expect(copy.ready).toBe(original.ready);
  });

  it('shares event emitters (sockets, streams, clients) instead of copying them', () => {
    const emitter = new EventEmitter();
    const copy = copyFunction({ client: emitter, config: { retries: 3 } });
    expect(copy.client).toBe(emitter);
  });

  it('always copies the function object itself, even an emitter', () => {
    class EmittingSource extends EventEmitter {
      offset = 0;
    }
    const original = new EmittingSource();
    const copy = copyFunction(original);
    expect(copy).not.toBe(original);
    copy.offset = 5;
    expect(original.offset).toBe(0);
  });
});
