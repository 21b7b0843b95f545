import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedChannel } from './bounded-channel.js';
import { ChannelWriter, batchSizeFor } from './channel-writer.js';
import type { KeyRoute } from './key-groups.js';
import type { StreamEvent } from './stream-event.js';

/** What the consumer sees, one entry per record or control event. */
type Seen =
  | { record: number; timestamp: number | undefined; key: KeyRoute | undefined }
  | Exclude<StreamEvent<number>, { kind: 'records' }>;

function drain(channel: BoundedChannel<number>): Seen[] {
  const seen: Seen[] = [];
  for (let event = channel.poll(); event !== undefined; event = channel.poll()) {
    if (event.kind !== 'records') {
      seen.push(event);
      continue;
    }
    expect(event.values.length).toBeGreaterThan(0);
    event.values.forEach((record, i) => {
      seen.push({ record, timestamp: event.timestamps?.[i], key: event.keys?.[i] });
    });
  }
  return seen;
}

const key = (n: number): KeyRoute => (n % 2 === 0 ? n % 128 : { keyGroup: n % 128, keyBytes: String(n) });

type Step =
  | { write: number; timestamp: number | undefined }
  | { control: Exclude<StreamEvent<number>, { kind: 'records' }> }
  | { yield: true };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ write: fc.integer(), timestamp: fc.option(fc.nat(), { nil: undefined }) }) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.nat().map((id): Step => ({ control: { kind: 'barrier', checkpointId: id, timestamp: 0 } })),
      fc.integer().map((w): Step => ({ control: { kind: 'watermark', watermark: w } })),
      fc.boolean().map((idle): Step => ({ control: { kind: 'status', idle } })),
    ),
  },
  { weight: 1, arbitrary: fc.constant<Step>({ yield: true }) },
);

describe('ChannelWriter', () => {
  it('keeps records (with their timestamps and keys) and control events in order across batches', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 600 }), fc.integer({ min: 1, max: 64 }), async (steps, batchSize) => {
        const channel = new BoundedChannel<number>({ capacity: 1_000_000 });
        const writer = new ChannelWriter(channel, batchSize);
        const expected: Seen[] = [];
        for (const s of steps) {
          if ('write' in s) {
            void writer.write(s.write, s.timestamp, key(s.write));
            expected.push({ record: s.write, timestamp: s.timestamp, key: key(s.write) });
          } else if ('control' in s) {
            writer.control(s.control);
            expected.push(s.control);
          } else await Promise.resolve();
        }
        writer.control({ kind: 'end' });
        expected.push({ kind: 'end' });
        expect(drain(channel)).toEqual(expected);
      }),
    );
  });

  it('sends a batch when it is full and a partial batch once the producer stops emitting', async () => {
    const channel = new BoundedChannel<number>({ capacity: 1024 });
    const writer = new ChannelWriter(channel, 4);
    for (let i = 0; i < 6; i += 1) void writer.write(i, undefined);
    expect(channel.size).toBe(1); // the first four
    expect(writer.pending).toBe(2);
    await Promise.resolve();
    expect(writer.pending).toBe(0);
    expect(drain(channel).map((seen) => ('record' in seen ? seen.record : seen.kind))).toEqual([0, 1, 2, 3, 4, 5]);
    // Records without timestamps or keys carry none.
    void writer.write(9, undefined);
    await Promise.resolve();
    expect(channel.poll()).toEqual({ kind: 'records', values: [9], timestamps: undefined, keys: undefined, keyValues: undefined });
  });

  it('bounds memory: a producer that awaits never has more than capacity + 2 batches on the channel', async () => {
    const capacity = 64;
    const channel = new BoundedChannel<number>({ capacity });
    const writer = new ChannelWriter(channel);
    expect(writer.batchSize).toBe(batchSizeFor(capacity));
    let maxQueued = 0;
    const total = 5000;
    const producer = (async () => {
      for (let i = 0; i < total; i += 1) {
        const wait = writer.write(i, undefined);
        maxQueued = Math.max(maxQueued, channel.recordCount + writer.pending);
        if (wait !== undefined) await wait;
        // Emit in bursts of a few records, as a source polling an external system does.
        if (i % 7 === 0) await Promise.resolve();
      }
      writer.control({ kind: 'end' });
    })();
    const received: number[] = [];
    for (;;) {
      await channel.whenAvailable();
      const event = channel.poll();
      if (event?.kind === 'end') break;
      if (event?.kind === 'records') received.push(...event.values);
      // A slow consumer: one batch per macrotask.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await producer;
    expect(received).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(maxQueued).toBeLessThanOrEqual(capacity + 2 * writer.batchSize);
  });

  it('reuses the arrays of a full batch for a channel that copies batches, never those of a partial batch, and starts timestamps anew', () => {
    class CopyingChannel extends BoundedChannel<number> {
      readonly copies: StreamEvent<number>[] = [];
      readonly arrays: unknown[] = [];
      override get copiesBatches(): boolean {
        return true;
      }
      override push(event: StreamEvent<number>): void | Promise<void> {
        if (event.kind === 'records') {
          this.arrays.push(event.values);
          this.copies.push({ ...event, values: [...event.values], timestamps: event.timestamps && [...event.timestamps] });
        }
        return undefined;
      }
    }
    const channel = new CopyingChannel({ capacity: 8 });
    const writer = new ChannelWriter(channel);
    for (let i = 0; i < 4; i += 1) void writer.write(i, i === 0 ? 100 : undefined);
    void writer.write(4, undefined);
    void writer.flush();
    void writer.write(5, undefined);
    void writer.flush();
    expect(channel.copies).toEqual([
      { kind: 'records', values: [0, 1], timestamps: [100, undefined], keys: undefined, keyValues: undefined },
      { kind: 'records', values: [2, 3], timestamps: undefined, keys: undefined, keyValues: undefined },
      { kind: 'records', values: [4], timestamps: undefined, keys: undefined, keyValues: undefined },
      { kind: 'records', values: [5], timestamps: undefined, keys: undefined, keyValues: undefined },
    ]);
    const [first, second, third, fourth] = channel.arrays;
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(fourth).not.toBe(third);
  });

  it('batch size: a quarter of the capacity, between 1 and 256', () => {
    expect(batchSizeFor(1)).toBe(1);
    expect(batchSizeFor(8)).toBe(2);
    expect(batchSizeFor(1024)).toBe(256);
    expect(batchSizeFor(1_000_000)).toBe(256);
  });
});
