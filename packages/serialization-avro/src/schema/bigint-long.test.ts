import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toAvscType } from './avro-schema.js';

/** The Avro long encoding (zigzag, then base-128 varint), computed exactly with bigints. */
function reference(n: bigint): number[] {
  let zigzag = BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
  const bytes: number[] = [];
  do {
    const low = Number(zigzag & 0x7fn);
    zigzag >>= 7n;
    bytes.push(zigzag === 0n ? low : low | 0x80);
  } while (zigzag !== 0n);
  return bytes;
}

// Around where avsc's float codec stops being exact (2^52), where the fast path hands over
// (7-byte varints end at 2^48), and the ends of each representation's range.
const edges = [0n, 1n, -1n, 63n, -64n, 64n, 2n ** 31n, -(2n ** 31n) - 1n, 2n ** 48n - 1n, 2n ** 48n, -(2n ** 48n), -(2n ** 48n) - 1n];
for (const e of [2n ** 52n, 2n ** 53n - 1n]) edges.push(e - 1n, e, -e, -e + 1n);
const safe = edges.filter((n) => n <= BigInt(Number.MAX_SAFE_INTEGER) && n >= BigInt(Number.MIN_SAFE_INTEGER));
const big = [...edges, 2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n)];

describe("longs: 'number'", () => {
  const type = toAvscType('long');

  it.each(safe)('writes and reads %s exactly', (n) => {
    const bytes = type.toBuffer(Number(n));
    expect(Array.from(bytes)).toEqual(reference(n));
    expect(type.fromBuffer(bytes)).toBe(Number(n));
  });

  it('matches the exact encoding over the whole safe range', () => {
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(Array.from(type.toBuffer(n))).toEqual(reference(BigInt(n)));
        expect(type.fromBuffer(Buffer.from(reference(BigInt(n))))).toBe(n);
      }),
    );
  });

  it('reads an over-long varint of a small value, and refuses values beyond ±(2^53-1)', () => {
    expect(type.fromBuffer(Buffer.from([0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]))).toBe(1);
    expect(() => type.fromBuffer(Buffer.from(reference(2n ** 53n)))).toThrow(/precision loss/);
    expect(() => type.toBuffer(2 ** 53)).toThrow();
    expect(() => type.toBuffer(1.5)).toThrow();
  });
});

describe("longs: 'bigint'", () => {
  const type = toAvscType('long', { longs: 'bigint' });

  it.each(big)('writes and reads %s exactly', (n) => {
    const bytes = type.toBuffer(n);
    expect(Array.from(bytes)).toEqual(reference(n));
    expect(type.fromBuffer(bytes)).toBe(n);
  });

  it('matches the exact encoding over the whole 64-bit range', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => {
        expect(Array.from(type.toBuffer(n))).toEqual(reference(n));
        expect(type.fromBuffer(Buffer.from(reference(n)))).toBe(n);
      }),
    );
  });

  it('widens ints written by an older schema', () => {
    const int = toAvscType('int');
    expect(type.fromBuffer(int.toBuffer(-5), type.createResolver(int))).toBe(-5n);
  });
});
