import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BytesSerializer } from './bytes-serializer.js';
import { deserializeFromBytes, serializeToBytes } from './serialized-value.js';

const serializer = new BytesSerializer();

describe('BytesSerializer', () => {
  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array(), (value) => {
        expect(deserializeFromBytes(serializer, serializeToBytes(serializer, value))).toEqual(
          value,
        );
      }),
    );
  });

  it('accepts a Buffer and reads back a plain Uint8Array that owns its memory', () => {
    const written = Buffer.from(serializeToBytes(serializer, Buffer.from('abc')));
    const read = deserializeFromBytes(serializer, written);
    expect(Object.getPrototypeOf(read)).toBe(Uint8Array.prototype);
    written.fill(0);
    expect(Array.from(read)).toEqual([0x61, 0x62, 0x63]);
  });

  it('rejects other values', () => {
    expect(() => serializeToBytes(serializer, [1, 2] as unknown as Uint8Array)).toThrow(TypeError);
  });
});
