import avro from 'avsc';
import type { Type } from 'avsc';

const MIN = -(2n ** 63n);
const MAX = 2n ** 63n - 1n;

/** An avsc long type whose values are `bigint` (the full signed 64-bit range). */
export const BIGINT_LONG: Type = avro.types.LongType.__with({
  fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
  toBuffer: (n: bigint) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(n);
    return buf;
  },
  fromJSON: (value: unknown) => BigInt(value as string | number),
  toJSON: (n: bigint) => (Number.isSafeInteger(Number(n)) ? Number(n) : n.toString()),
  isValid: (n: unknown) => typeof n === 'bigint' && n >= MIN && n <= MAX,
  compare: (a: bigint, b: bigint) => (a === b ? 0 : a < b ? -1 : 1),
});
