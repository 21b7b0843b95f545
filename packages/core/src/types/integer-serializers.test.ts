import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Int32Serializer, SafeIntegerSerializer } from './integer-serializers.js';
import { deserializeFromBytes, serializeToBytes } from './serialized-value.js';

const int32 = new Int32Serializer();
const safe = new SafeIntegerSerializer();
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const fromHex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'));

describe('Int32Serializer and SafeIntegerSerializer', () => {
  it('round-trip every value of their range, -0 included', () => {
    fc.assert(
      fc.property(fc.integer(), (v) =>
        Object.is(deserializeFromBytes(int32, serializeToBytes(int32, v)), v),
      ),
    );
    fc.assert(
      fc.property(fc.oneof(fc.maxSafeInteger(), fc.constant(-0)), (v) =>
        Object.is(deserializeFromBytes(safe, serializeToBytes(safe, v)), v),
      ),
    );
  });

  it.each([
    [0, '00'],
    [-0, '40'],
    [1, '01'],
    [-1, '41'],
    [63, '3f'],
    [64, '8001'],
    [-64, 'c001'],
    [Number.MAX_SAFE_INTEGER, 'bfffffffffffff1f'],
    [Number.MIN_SAFE_INTEGER, 'ffffffffffffff1f'],
  ])('writes %d compactly as %s', (value, bytes) => {
    expect(hex(serializeToBytes(safe, value))).toBe(bytes);
    expect(Object.is(deserializeFromBytes(safe, fromHex(bytes)), value)).toBe(true);
  });

  it.each([2 ** 31, -(2 ** 31) - 1, 1.5, NaN, Infinity])('int32 rejects %d', (value) => {
    expect(() => serializeToBytes(int32, value)).toThrow(RangeError);
  });

  it.each([2 ** 53, 0.5, NaN, -Infinity])('safe-integer rejects %d', (value) => {
    expect(() => serializeToBytes(safe, value)).toThrow(/Types\.bigint\(\)/);
  });

  it.each([
    ['int32 out of range', int32, '8080808010'],
    ['a safe integer too large', safe, 'bfffffffffffffff7f'],
    ['a zero continuation', safe, '8100'],
    ['truncated bytes', safe, '80'],
  ])('rejects %s with STATE_CORRUPT', (_, serializer, bytes) => {
    expect(() => deserializeFromBytes(serializer, fromHex(bytes))).toThrow(
      expect.objectContaining({ code: 'STATE_CORRUPT' }),
    );
  });
});
