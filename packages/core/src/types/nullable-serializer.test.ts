import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { NullableSerializer } from './nullable-serializer.js';
import { deserializeFromBytes, serializeToBytes } from './serialized-value.js';
import { StringSerializer } from './string-serializer.js';
import { Float64Serializer } from './float64-serializer.js';
import { DataInput } from './data-view.js';

const serializer = new NullableSerializer(new StringSerializer());

describe('NullableSerializer', () => {
  it('round-trips null and values', () => {
    fc.assert(
      fc.property(fc.option(fc.string(), { nil: null }), (value) => {
        expect(deserializeFromBytes(serializer, serializeToBytes(serializer, value))).toBe(value);
      }),
    );
  });

  it('writes a presence byte and reads undefined back as null', () => {
    expect(Array.from(serializeToBytes(serializer, null))).toEqual([0]);
    expect(Array.from(serializeToBytes(serializer, 'a'))).toEqual([1, 1, 0x61]);
    const bytes = serializeToBytes(serializer, undefined as unknown as null);
    expect(deserializeFromBytes(serializer, bytes)).toBeNull();
  });

  it('reads state written by the non-nullable inner type', () => {
    const plain = new StringSerializer();
    const read = serializer.readerFor(plain.snapshot());
    expect(read(new DataInput(serializeToBytes(plain, 'old')))).toBe('old');
  });

  it('rejects state of another inner type and bad presence bytes', () => {
    expect(() =>
      serializer.readerFor(new NullableSerializer(new Float64Serializer()).snapshot()),
    ).toThrow(
      expect.objectContaining({
        code: 'STATE_INCOMPATIBLE',
        message: expect.stringMatching(
          /^In the value of a nullable type: .*"sluice.float64".*"sluice.string"/,
        ),
      }),
    );
    expect(() => deserializeFromBytes(serializer, Uint8Array.of(2))).toThrow(
      expect.objectContaining({ code: 'STATE_CORRUPT' }),
    );
  });
});
