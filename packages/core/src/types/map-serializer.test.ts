import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DataInput } from './data-view.js';
import { BigIntSerializer } from './bigint-serializers.js';
import { MapSerializer } from './map-serializer.js';
import { NullableSerializer } from './nullable-serializer.js';
import { deserializeFromBytes, serializeToBytes } from './serialized-value.js';
import { StringSerializer } from './string-serializer.js';

const serializer = new MapSerializer(new StringSerializer(), new BigIntSerializer());

describe('MapSerializer', () => {
  it('round-trips maps and keeps insertion order', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string(), fc.bigInt())), (entries) => {
        const map = new Map(entries);
        const read = deserializeFromBytes(serializer, serializeToBytes(serializer, map));
        expect([...read]).toEqual([...map]);
      }),
    );
  });

  it('names the entry at fault and rejects non-maps', () => {
    expect(() => serializeToBytes(serializer, new Map([['a', 1 as unknown as bigint]]))).toThrow(
      /^value #0: sluice.bigint expects a bigint/,
    );
    expect(() => serializeToBytes(serializer, {} as Map<string, bigint>)).toThrow(/expects a Map/);
  });

  it('reads through the key and value serializers', () => {
    const wider = new MapSerializer(
      new StringSerializer(),
      new NullableSerializer(new BigIntSerializer()),
    );
    const read = wider.readerFor(serializer.snapshot());
    expect(read(new DataInput(serializeToBytes(serializer, new Map([['k', 5n]]))))).toEqual(
      new Map([['k', 5n]]),
    );
    expect(() => serializer.readerFor(wider.snapshot())).toThrow(
      expect.objectContaining({
        code: 'STATE_INCOMPATIBLE',
        message: expect.stringMatching(/^In the values of a map/),
      }),
    );
  });
});
