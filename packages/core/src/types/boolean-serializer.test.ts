import { describe, expect, it } from 'vitest';
import { BooleanSerializer } from './boolean-serializer.js';
import { deserializeFromBytes, serializeToBytes } from './serialized-value.js';

const serializer = new BooleanSerializer();

describe('BooleanSerializer', () => {
  it.each([
    [false, 0],
    [true, 1],
  ])('writes %s as byte %d', (value, byte) => {
    expect(serializeToBytes(serializer, value)).toEqual(Uint8Array.of(byte));
    expect(deserializeFromBytes(serializer, Uint8Array.of(byte))).toBe(value);
  });

  it('rejects other bytes and non-booleans', () => {
    expect(() => deserializeFromBytes(serializer, Uint8Array.of(2))).toThrow(
      expect.objectContaining({ code: 'STATE_CORRUPT' }),
    );
    expect(() => serializeToBytes(serializer, 1 as unknown as boolean)).toThrow(TypeError);
  });
});
