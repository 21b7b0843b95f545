import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedChannel } from './bounded-channel.js';
import type { StreamEvent } from './stream-event.js';

const rec = (...values: number[]): StreamEvent<number> => ({ kind: 'records', values, timestamps: undefined, keys: undefined, keyValues: undefined });

describe('BoundedChannel', () => {
  it('keeps records, barriers, watermarks and end in order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.integer().map(rec),
            fc.nat().map((id): StreamEvent<number> => ({ kind: 'barrier', checkpointId: id, timestamp: 0 })),
            fc.integer().map((w): StreamEvent<number> => ({ kind: 'watermark', watermark: w })),
          ),
          { maxLength: 3000 },
        ),
        (events) => {
          const channel = new BoundedChannel<number>({ capacity: 1_000_000 });
          for (const event of events) void channel.push(event);
          void channel.push({ kind: 'end' });
          const out: StreamEvent<number>[] = [];
          for (let e = channel.poll(); e !== undefined; e = channel.poll()) out.push(e);
          expect(out).toEqual([...events, { kind: 'end' }]);
        },
      ),
    );
  });

  it('signals back-pressure at capacity and releases the producer when a record is taken', async () => {
    const channel = new BoundedChannel<number>({ capacity: 2 });
    expect(channel.push(rec(1))).toBeUndefined();
    const wait = channel.push(rec(2));
    expect(wait).toBeInstanceOf(Promise);
    let released = false;
    void (wait as Promise<void>).then(() => {
      released = true;
    });
    expect(channel.push({ kind: 'barrier', checkpointId: 1, timestamp: 0 })).toBe(wait);
    await Promise.resolve();
    expect(released).toBe(false);
    expect(channel.poll()).toEqual(rec(1));
    await wait;
    expect(released).toBe(true);
  });

  it('bounds memory: a producer that awaits never has more than capacity records queued', async () => {
    const channel = new BoundedChannel<number>({ capacity: 8 });
    let maxQueued = 0;
    const producer = (async () => {
      for (let i = 0; i < 500; i += 1) {
        const wait = channel.push(rec(i));
        maxQueued = Math.max(maxQueued, channel.recordCount);
        if (wait !== undefined) await wait;
      }
      await channel.push({ kind: 'end' });
    })();
    const received: number[] = [];
    for (;;) {
      await channel.whenAvailable();
      const event = channel.poll();
      if (event?.kind === 'end') break;
      if (event?.kind === 'records') received.push(...event.values);
    }
    await producer;
    expect(received).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(maxQueued).toBeLessThanOrEqual(8);
  });

  it('counts every record of a batch toward the capacity', () => {
    const channel = new BoundedChannel<number>({ capacity: 4 });
    expect(channel.push(rec(1, 2, 3))).toBeUndefined();
    expect(channel.recordCount).toBe(3);
    expect(channel.pressure()).toBeUndefined();
    const wait = channel.push(rec(4, 5));
    expect(wait).toBeInstanceOf(Promise);
    expect(channel.pressure()).toBe(wait);
    expect(channel.poll()).toEqual(rec(1, 2, 3));
    expect(channel.recordCount).toBe(2);
    expect(channel.pressure()).toBeUndefined();
  });

  it('wakes a waiting consumer on push', async () => {
    const channel = new BoundedChannel<number>();
    const available = channel.whenAvailable();
    void channel.push(rec(7));
    await available;
    expect(channel.poll()).toEqual(rec(7));
    expect(channel.poll()).toBeUndefined();
  });
});
