import avro from 'avsc';
import type { Type } from 'avsc';

const MIN = -(2n ** 63n);
const MAX = 2n ** 63n - 1n;

function toBuffer(n: bigint): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeBigInt64LE(n);
  return buf;
}

const compare = (a: number | bigint, b: number | bigint): number => (a === b ? 0 : a < b ? -1 : 1);

/** An avsc long type whose values are `bigint` (the full signed 64-bit range). */
export const BIGINT_LONG: Type = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer,
  fromJSON: (value: unknown) => BigInt(value as string | number),
  toJSON: (n: bigint) => (Number.isSafeInteger(Number(n)) ? Number(n) : n.toString()),
  isValid: (n: unknown) => typeof n === 'bigint' && n >= MIN && n <= MAX,
  compare,
});

/**
 * An avsc long type whose values are `number`s, exact over the whole safe range ±(2^53-1).
 * avsc's built-in long zigzag-encodes in float arithmetic, which corrupts values beyond ±2^52
 * silently; this type encodes through 64-bit integers instead and refuses unsafe values.
 */
export const SAFE_NUMBER_LONG: Type = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => {
    const n = buf.readBigInt64LE();
    const value = Number(n);
    if (!Number.isSafeInteger(value)) throw new Error(`potential precision loss: long ${n} is beyond ±(2^53-1)`);
    return value;
  },
  toBuffer: (n: number) => toBuffer(BigInt(n)),
  fromJSON: (value: unknown) => Number(value),
  toJSON: (n: number) => n,
  isValid: (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n),
  compare,
});
