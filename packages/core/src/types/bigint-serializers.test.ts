import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BigIntSerializer, Int64Serializer } from './bigint-serializers.js';
import { deserializeFromBytes, serializeToBytes } from './serialized-value.js';

const bigint = new BigIntSerializer();
const int64 = new Int64Serializer();
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
const fromHex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'));

describe('BigIntSerializer', () => {
  it('round-trips bigints of any size', () => {
    const huge = 2n ** 4000n;
    fc.assert(
      fc.property(fc.oneof(fc.bigInt(), fc.bigInt({ min: -huge, max: huge })), (v) => {
        expect(deserializeFromBytes(bigint, serializeToBytes(bigint, v))).toBe(v);
      }),
    );
  });

  it.each([
    [0n, '0100'],
    [-1n, '01ff'],
    [127n, '017f'],
    [128n, '020080'],
    [-128n, '0180'],
    [-129n, '02ff7f'],
    [2n ** 64n, '09010000000000000000'],
  ])("writes %d in minimal two's complement as %s", (value, bytes) => {
    expect(hex(serializeToBytes(bigint, value))).toBe(bytes);
    expect(deserializeFromBytes(bigint, fromHex(bytes))).toBe(value);
  });

  it.each([
    ['zero length', '00'],
    ['a redundant 00 byte', '02007f'],
    ['a redundant ff byte', '02ff80'],
    ['truncated bytes', '0301'],
  ])('rejects %s with STATE_CORRUPT', (_, bytes) => {
    expect(() => deserializeFromBytes(bigint, fromHex(bytes))).toThrow(
      expect.objectContaining({ code: 'STATE_CORRUPT' }),
    );
  });

  it('rejects numbers', () => {
    expect(() => serializeToBytes(bigint, 1 as unknown as bigint)).toThrow(TypeError);
  });
});

describe('Int64Serializer', () => {
  it('round-trips the signed 64-bit range in 8 bytes', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => {
        const bytes = serializeToBytes(int64, v);
        expect(bytes.length).toBe(8);
        expect(deserializeFromBytes(int64, bytes)).toBe(v);
      }),
    );
  });

  it.each([2n ** 63n, -(2n ** 63n) - 1n])('rejects %d with a RangeError', (value) => {
    expect(() => serializeToBytes(int64, value)).toThrow(RangeError);
  });
});
