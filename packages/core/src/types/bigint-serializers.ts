/**
 * `bigint` values: arbitrary precision (`sluice.bigint`) or fixed 64-bit (`sluice.int64`).
 */
import type { DataInput, DataOutput } from './data-view.js';
import { corrupt, describeValue, leafReaderFor, type ValueReader } from './serializer-compat.js';
import type { SerializerSnapshot, TypeSerializer } from './type-serializer.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Serializer of `bigint` with arbitrary precision (`sluice.bigint`, version 1): a varint byte
 * length followed by the value in big-endian two's complement, using the fewest bytes that hold
 * the value and its sign (`0n` is one byte `00`, `-1n` is `ff`, `128n` is `00 80`).
 */
export class BigIntSerializer implements TypeSerializer<bigint> {
  readonly typeId = 'sluice.bigint';
  readonly version = 1;

  serialize(value: bigint, out: DataOutput): void {
    if (typeof value !== 'bigint') {
      throw new TypeError(`sluice.bigint expects a bigint, got ${describeValue(value)}`);
    }
    const magnitude = value < 0n ? -value - 1n : value;
    const hex = magnitude.toString(16);
    const topBits = 32 - Math.clz32(parseInt(hex[0] as string, 16));
    const bits = 4 * (hex.length - 1) + topBits + 1;
    const length = Math.ceil(bits / 8);
    const digits = BigInt.asUintN(length * 8, value)
      .toString(16)
      .padStart(length * 2, '0');
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i++) bytes[i] = parseInt(digits.slice(2 * i, 2 * i + 2), 16);
    out.writeBytes(bytes);
  }

  deserialize(input: DataInput): bigint {
    const bytes = input.readBytes();
    const length = bytes.length;
    if (length === 0) throw corrupt('a bigint has zero bytes');
    if (length > 1) {
      const first = bytes[0] as number;
      const second = bytes[1] as number;
      if ((first === 0 && second < 0x80) || (first === 0xff && second >= 0x80)) {
        throw corrupt('a bigint is not written in its shortest form');
      }
    }
    let hex = '0x';
    for (const byte of bytes) hex += HEX[byte] as string;
    return BigInt.asIntN(length * 8, BigInt(hex));
  }

  snapshot(): SerializerSnapshot {
    return { typeId: this.typeId, version: this.version };
  }

  readerFor(snapshot: SerializerSnapshot): ValueReader<bigint> {
    return leafReaderFor(this, snapshot);
  }
}

/**
 * Serializer of `bigint` values in the signed 64-bit range (`sluice.int64`, version 1): 8 bytes,
 * big-endian two's complement. Values outside the range are rejected with a `RangeError`.
 */
export class Int64Serializer implements TypeSerializer<bigint> {
  readonly typeId = 'sluice.int64';
  readonly version = 1;

  serialize(value: bigint, out: DataOutput): void {
    if (typeof value !== 'bigint') {
      throw new TypeError(`sluice.int64 expects a bigint, got ${describeValue(value)}`);
    }
    if (value < INT64_MIN || value > INT64_MAX) {
      throw new RangeError(
        `sluice.int64 expects a bigint in [-(2^63), 2^63 - 1], got ${value}; use Types.bigint()`,
      );
    }
    out.writeBigInt64(value);
  }

  deserialize(input: DataInput): bigint {
    return input.readBigInt64();
  }

  snapshot(): SerializerSnapshot {
    return { typeId: this.typeId, version: this.version };
  }

  readerFor(snapshot: SerializerSnapshot): ValueReader<bigint> {
    return leafReaderFor(this, snapshot);
  }
}
