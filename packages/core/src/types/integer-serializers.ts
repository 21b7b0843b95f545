/**
 * Integers held in a `number`, written as a compact sign-magnitude varint: the first byte holds a
 * continuation bit (0x80), the sign (0x40) and the low 6 bits of the magnitude; the rest of the
 * magnitude follows as an unsigned LEB128 varint. Small values take one byte, any safe integer at
 * most 9, and `-0` keeps its sign.
 */
import type { DataInput, DataOutput } from './data-view.js';
import { corrupt, describeValue, leafReaderFor, type ValueReader } from './serializer-compat.js';
import type { SerializerSnapshot, TypeSerializer } from './type-serializer.js';

const INT32_MIN = -0x8000_0000;
const INT32_MAX = 0x7fff_ffff;

/** Writes a safe integer (or `-0`) as a sign-magnitude varint. */
export function writeSignedVarint(out: DataOutput, value: number): void {
  const negative = value < 0 || Object.is(value, -0);
  const magnitude = Math.abs(value);
  const rest = Math.floor(magnitude / 64);
  out.writeUint8((magnitude % 64) | (negative ? 0x40 : 0) | (rest > 0 ? 0x80 : 0));
  if (rest > 0) out.writeVarUint(rest);
}

/** Reads what {@link writeSignedVarint} wrote; rejects magnitudes beyond safe integers. */
export function readSignedVarint(input: DataInput): number {
  const first = input.readUint8();
  let magnitude = first & 0x3f;
  if ((first & 0x80) !== 0) {
    const rest = input.readVarUint();
    if (rest === 0) throw corrupt('a signed varint has a continuation byte of zero');
    if (rest > (Number.MAX_SAFE_INTEGER - magnitude) / 64) {
      throw corrupt('a signed varint is larger than a safe integer');
    }
    magnitude += rest * 64;
  }
  return (first & 0x40) !== 0 ? -magnitude : magnitude;
}

/** Serializer of 32-bit signed integers (`sluice.int32`, version 1), 1 to 5 bytes. */
export class Int32Serializer implements TypeSerializer<number> {
  readonly typeId = 'sluice.int32';
  readonly version = 1;

  serialize(value: number, out: DataOutput): void {
    if (!Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX) {
      throw new RangeError(
        `sluice.int32 expects an integer in [${INT32_MIN}, ${INT32_MAX}], got ${describeNumber(value)}`,
      );
    }
    writeSignedVarint(out, value);
  }

  deserialize(input: DataInput): number {
    const value = readSignedVarint(input);
    if (value < INT32_MIN || value > INT32_MAX)
      throw corrupt(`int32 value ${value} is out of range`);
    return value;
  }

  snapshot(): SerializerSnapshot {
    return { typeId: this.typeId, version: this.version };
  }

  readerFor(snapshot: SerializerSnapshot): ValueReader<number> {
    return leafReaderFor(this, snapshot);
  }
}

/**
 * Serializer of safe integers, i.e. int64 values that fit a `number` without loss
 * (`sluice.safe-integer`, version 1), 1 to 9 bytes.
 */
export class SafeIntegerSerializer implements TypeSerializer<number> {
  readonly typeId = 'sluice.safe-integer';
  readonly version = 1;

  serialize(value: number, out: DataOutput): void {
    if (!Number.isSafeInteger(value)) {
      throw new RangeError(
        `sluice.safe-integer expects an integer in ±(2^53 - 1), got ${describeNumber(value)}; ` +
          'use Types.bigint() or Types.int64() for larger values',
      );
    }
    writeSignedVarint(out, value);
  }

  deserialize(input: DataInput): number {
    return readSignedVarint(input);
  }

  snapshot(): SerializerSnapshot {
    return { typeId: this.typeId, version: this.version };
  }

  readerFor(snapshot: SerializerSnapshot): ValueReader<number> {
    return leafReaderFor(this, snapshot);
  }
}

function describeNumber(value: unknown): string {
  return typeof value === 'number' ? String(value) : describeValue(value);
}
