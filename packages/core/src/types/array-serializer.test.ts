import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArraySerializer } from './array-serializer.js';
import { DataInput } from './data-view.js';
import { Float64Serializer } from './float64-serializer.js';
import { NullableSerializer } from './nullable-serializer.js';
import { restoreReader } from './restore-serializer.js';
import { RowSerializer } from './row-serializer.js';
import { deserializeFromBytes, serializeToBytes } from './serialized-value.js';

const numbers = new ArraySerializer(new Float64Serializer());

describe('ArraySerializer', () => {
  it('round-trips arrays', () => {
    fc.assert(
      fc.property(fc.array(fc.double()), (value) => {
        expect(deserializeFromBytes(numbers, serializeToBytes(numbers, value))).toEqual(value);
      }),
    );
  });

  it('names the element at fault', () => {
    expect(() => serializeToBytes(numbers, [1, 'x' as unknown as number])).toThrow(
      /^\[1\]: sluice.float64 expects a number, got a string$/,
    );
    expect(() => serializeToBytes(numbers, 'x' as unknown as number[])).toThrow(TypeError);
  });

  it('rejects a count that cannot fit the bytes, except for elements that take no bytes', () => {
    expect(() => deserializeFromBytes(numbers, Uint8Array.of(0xff, 0xff, 0x7f))).toThrow(
      expect.objectContaining({ code: 'STATE_CORRUPT' }),
    );
    const empties = new ArraySerializer(new RowSerializer<object>([], restoreReader));
    expect(deserializeFromBytes(empties, serializeToBytes(empties, [{}, {}, {}]))).toEqual([
      {},
      {},
      {},
    ]);
  });

  it('reads element state through the element serializer (T[] written, (T | null)[] read)', () => {
    const nullable = new ArraySerializer(new NullableSerializer(new Float64Serializer()));
    const read = nullable.readerFor(numbers.snapshot());
    expect(read(new DataInput(serializeToBytes(numbers, [1, 2])))).toEqual([1, 2]);
    expect(() => numbers.readerFor(nullable.snapshot())).toThrow(
      expect.objectContaining({
        code: 'STATE_INCOMPATIBLE',
        message: expect.stringMatching(/^In the elements of an array/),
      }),
    );
  });
});
