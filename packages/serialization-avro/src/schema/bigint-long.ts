import avro from 'avsc';
import type { Type } from 'avsc';

const MIN = -(2n ** 63n);
const MAX = 2n ** 63n - 1n;

/**
 * avsc's own varint long codec (`Tap#readLong`/`writeLong`) works in float arithmetic: it is exact
 * while the zigzag value stays below 2^53, i.e. for |n| < 2^52, and for a varint of at most 7
 * bytes (49 bits). Beyond that it corrupts values, so the exact 64-bit path takes over.
 */
const FAST_LIMIT = 2 ** 52;
const FAST_LIMIT_BIG = 2n ** 52n;
const FAST_MAX_VARINT_BYTES = 7;

/** The part of avsc's (undocumented) `Tap` the fast path uses. */
interface Tap {
  pos: number;
  readLong(): number;
  writeLong(n: number): void;
}

/** avsc's internal read/write methods of a type, which its generated record codecs call. */
interface TypeCodec {
  _read(tap: Tap): unknown;
  _write(tap: Tap, value: unknown): void;
}

/** How a long representation maps to and from the small numbers avsc's codec handles exactly. */
interface FastPath {
  /** The value as a number when |value| < 2^52 (avsc writes it exactly), else undefined. */
  readonly small: (value: unknown) => number | undefined;
  /** The representation of a number read exactly by avsc. */
  readonly fromSmall: (n: number) => unknown;
}

/**
 * `exact` (an avsc custom long type, exact over 64 bits but allocating an 8-byte buffer per value)
 * with avsc's allocation-free varint codec used for the values it handles exactly; every other
 * value (and every check) still goes through `exact`.
 */
function withFastPath(exact: Type, fast: FastPath): Type {
  const slow = exact as unknown as TypeCodec;
  const type = Object.create(exact) as TypeCodec;
  type._read = (tap) => {
    const start = tap.pos;
    const n = tap.readLong();
    if (tap.pos - start <= FAST_MAX_VARINT_BYTES) return fast.fromSmall(n);
    tap.pos = start;
    return slow._read(tap);
  };
  type._write = (tap, value) => {
    const n = fast.small(value);
    if (n === undefined) slow._write(tap, value);
    else tap.writeLong(n);
  };
  return Object.freeze(type) as unknown as Type;
}

function toBuffer(n: bigint): Buffer {
  const buf = Buffer.alloc(8);
  buf.writeBigInt64LE(n);
  return buf;
}

const compare = (a: number | bigint, b: number | bigint): number => (a === b ? 0 : a < b ? -1 : 1);

/** An avsc long type whose values are `bigint` (the full signed 64-bit range). */
export const BIGINT_LONG: Type = withFastPath(
  avro.types.LongType.__with({
    fromBuffer: (buf: Buffer) => buf.readBigInt64LE(),
    toBuffer,
    fromJSON: (value: unknown) => BigInt(value as string | number),
    toJSON: (n: bigint) => (Number.isSafeInteger(Number(n)) ? Number(n) : n.toString()),
    isValid: (n: unknown) => typeof n === 'bigint' && n >= MIN && n <= MAX,
    compare,
  }),
  {
    small: (value) =>
      typeof value === 'bigint' && value > -FAST_LIMIT_BIG && value < FAST_LIMIT_BIG ? Number(value) : undefined,
    fromSmall: (n) => BigInt(n),
  },
);

/**
 * An avsc long type whose values are `number`s, exact over the whole safe range ±(2^53-1).
 * avsc 5.7's built-in long zigzag-decodes and -encodes in float arithmetic: values beyond ±2^52
 * are silently corrupted both ways (the bytes Java writes for -(2^52)-1 read back as +2^52). This
 * type uses avsc's codec only where it is exact (|n| < 2^52) and otherwise goes through the exact
 * 64-bit two's complement form (as two int32 halves, ~2x faster than a BigInt); it refuses values
 * beyond the safe range.
 */
export const SAFE_NUMBER_LONG: Type = withFastPath(
  avro.types.LongType.__with({
    fromBuffer: (buf: Buffer) => {
      const value = buf.readInt32LE(4) * 4294967296 + buf.readUInt32LE(0);
      if (!Number.isSafeInteger(value)) {
        throw new Error(`potential precision loss: long ${buf.readBigInt64LE()} is beyond ±(2^53-1)`);
      }
      return value;
    },
    toBuffer: (n: number) => {
      const buf = Buffer.allocUnsafe(8);
      const high = Math.floor(n / 4294967296);
      buf.writeUInt32LE(n - high * 4294967296, 0);
      buf.writeInt32LE(high, 4);
      return buf;
    },
    fromJSON: (value: unknown) => Number(value),
    toJSON: (n: number) => n,
    isValid: (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n),
    compare,
  }),
  {
    small: (value) =>
      typeof value === 'number' && value > -FAST_LIMIT && value < FAST_LIMIT && Number.isInteger(value) ? value : undefined,
    fromSmall: (n) => n,
  },
);
