import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BooleanSerializer } from './boolean-serializer.js';
import { deserializeFromBytes, serializeToBytes } from './serialized-value.js';
import { StringSerializer } from './string-serializer.js';
import { TupleSerializer } from './tuple-serializer.js';

const serializer = new TupleSerializer<[string, boolean]>([
  new StringSerializer(),
  new BooleanSerializer(),
]);

describe('TupleSerializer', () => {
  it('round-trips tuples with no count or names', () => {
    fc.assert(
      fc.property(fc.tuple(fc.string(), fc.boolean()), (value) => {
        expect(deserializeFromBytes(serializer, serializeToBytes(serializer, value))).toEqual(
          value,
        );
      }),
    );
    expect(Array.from(serializeToBytes(serializer, ['a', true]))).toEqual([1, 0x61, 1]);
  });

  it('rejects values of another arity or kind', () => {
    expect(() => serializeToBytes(serializer, ['a'] as unknown as [string, boolean])).toThrow(
      /expects 2 elements, got an array of 1/,
    );
    expect(() => serializeToBytes(serializer, ['a', 1] as unknown as [string, boolean])).toThrow(
      /^\[1\]: sluice.boolean expects a boolean/,
    );
  });

  it('rejects state written with another arity', () => {
    const longer = new TupleSerializer([
      new StringSerializer(),
      new BooleanSerializer(),
      new BooleanSerializer(),
    ]);
    expect(() => serializer.readerFor(longer.snapshot())).toThrow(
      expect.objectContaining({
        code: 'STATE_INCOMPATIBLE',
        message: expect.stringMatching(/3 elements, this tuple has 2/),
      }),
    );
  });
});
