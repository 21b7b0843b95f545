import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../stream-event.js';
import { RingReader, RingWriter, allocateRing } from './shared-ring.js';

const batch = (values: number[]): StreamEvent<unknown> => ({ kind: 'records', values, timestamps: undefined, keys: undefined, keyValues: undefined });

describe('the shared ring of a channel between task threads', () => {
  it('rounds the slot count up to a power of two and refuses a write only when every slot is taken', () => {
    const writer = new RingWriter(allocateRing({ events: 3, slotRecords: 2 }));
    for (let i = 0; i < 4; i += 1) {
      expect(writer.hasRoom).toBe(true);
      expect(writer.write({ kind: 'watermark', watermark: i })).toBe(true);
    }
    expect(writer.hasRoom).toBe(false);
  });

  it('leaves a batch that is too large or not all numbers to the port', () => {
    const writer = new RingWriter(allocateRing({ events: 2, slotRecords: 2 }));
    expect(writer.write(batch([1, 2, 3]))).toBe(false);
    expect(writer.write({ kind: 'records', values: ['a'], timestamps: undefined, keys: undefined, keyValues: undefined })).toBe(false);
    expect(writer.write({ kind: 'records', values: [1], timestamps: [undefined], keys: undefined, keyValues: undefined })).toBe(false);
    expect(writer.portRecordsInFlight).toBe(0);
  });

  it('keeps order and counts across the wrap of its 32-bit counters', () => {
    const buffer = allocateRing({ events: 4, slotRecords: 4 });
    // Counters just below 2^31: WRITE, READ, CONSUMED and CONSUMED_PORT_RECORDS wrap within a few events.
    const control = new Int32Array(buffer, 0, 8);
    for (const index of [0, 1, 4, 7]) control[index] = 2 ** 31 - 3;
    const writer = new RingWriter(buffer);
    const reader = new RingReader(buffer);
    for (let i = 0; i < 20; i += 1) {
      expect(writer.write(batch([i, -i, i / 2]))).toBe(true);
      writer.writePortMarker(3);
      expect(writer.portRecordsInFlight).toBe(3);
      expect(reader.read()).toEqual(batch([i, -i, i / 2]));
      expect(reader.read()).toBe('port');
      reader.consumedPortEvent(3);
      expect(writer.portRecordsInFlight).toBe(0);
      expect(writer.hasRoom).toBe(true);
    }
    expect(control[0]).toBeLessThan(0);
    expect(reader.read()).toBeUndefined();
  });

  it('wakes a sleeping consumer when a slot is published, and a sleeping producer when an event is taken', async () => {
    const buffer = allocateRing({ events: 2, slotRecords: 2 });
    const writer = new RingWriter(buffer);
    const reader = new RingReader(buffer);
    const published = reader.whenPublished();
    expect(published).toBeInstanceOf(Promise);
    writer.write(batch([1]));
    await published;
    expect(reader.whenPublished()).toBeUndefined();
    const consumed = writer.whenConsumed(writer.consumed);
    expect(consumed).toBeInstanceOf(Promise);
    expect(reader.read()).toEqual(batch([1]));
    await consumed;
  });
});
