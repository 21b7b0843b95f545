import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Float64Serializer } from './float64-serializer.js';
import { deserializeFromBytes, serializeToBytes } from './serialized-value.js';

const serializer = new Float64Serializer();

describe('Float64Serializer', () => {
  it('round-trips every double, -0 and NaN included', () => {
    fc.assert(
      fc.property(fc.double(), (value) =>
        Object.is(deserializeFromBytes(serializer, serializeToBytes(serializer, value)), value),
      ),
    );
    for (const value of [-0, NaN, Infinity, -Infinity, Number.MIN_VALUE]) {
      expect(deserializeFromBytes(serializer, serializeToBytes(serializer, value))).toBe(value);
    }
  });

  it('writes 8 big-endian bytes', () => {
    expect(Buffer.from(serializeToBytes(serializer, 1)).toString('hex')).toBe('3ff0000000000000');
  });

  it('rejects non-numbers and truncated bytes', () => {
    expect(() => serializeToBytes(serializer, '1' as unknown as number)).toThrow(TypeError);
    expect(() => deserializeFromBytes(serializer, new Uint8Array(7))).toThrow(
      expect.objectContaining({ code: 'STATE_CORRUPT' }),
    );
  });
});
