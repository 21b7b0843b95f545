/**
 * A small base for this package's checkpoint-state codecs (STYLE.md §6): every element is written
 * as `varuint version` + `varuint length` + payload. Readers exist for every version ever
 * written; an unknown version throws `STATE_UNKNOWN_VERSION` naming both versions, and a payload
 * not read to its end is `STATE_CORRUPT`.
 */
import { CoreErrorCode, DataInput, DataOutput, StateError } from '@sluice/core';
import type { SerializerSnapshot, TypeInformation, TypeSerializer } from '@sluice/core';

/** How one format version is written and read. */
export interface VersionedFormat<TValue> {
  /** Type id, stable forever. */
  readonly typeId: string;
  /** Human-readable type name. */
  readonly name: string;
  /** The version {@link VersionedFormat.write} writes. */
  readonly version: number;
  /** Writes the payload of the current version. */
  write(value: TValue, out: DataOutput): void;
  /** Payload readers, by version (1..current). */
  readonly readers: Readonly<Record<number, (input: DataInput) => TValue>>;
}

function unknownVersion(format: VersionedFormat<unknown>, found: number): StateError {
  return new StateError(
    `State was written by "${format.typeId}" format version ${found}, but this release reads versions up to ${format.version}. ` +
      `Run a release of @sluice/kafka that knows version ${found}, or restore from a checkpoint written by this release or an older one.`,
    { code: CoreErrorCode.STATE_UNKNOWN_VERSION },
  );
}

class VersionedSerializer<TValue> implements TypeSerializer<TValue> {
  readonly typeId: string;
  readonly version: number;

  constructor(private readonly format: VersionedFormat<TValue>) {
    this.typeId = format.typeId;
    this.version = format.version;
  }

  serialize(value: TValue, out: DataOutput): void {
    const body = new DataOutput();
    this.format.write(value, body);
    out.writeVarUint(this.format.version);
    out.writeBytes(body.toBytes());
  }

  deserialize(input: DataInput): TValue {
    const version = input.readVarUint();
    const read = this.format.readers[version];
    if (read === undefined) throw unknownVersion(this.format, version);
    const body = new DataInput(input.readBytes());
    const value = read(body);
    body.assertEnd();
    return value;
  }

  snapshot(): SerializerSnapshot {
    return { typeId: this.typeId, version: this.version };
  }

  readerFor(snapshot: SerializerSnapshot): (input: DataInput) => TValue {
    if (snapshot.typeId !== this.typeId) {
      throw new StateError(
        `State was written by serializer "${snapshot.typeId}" version ${snapshot.version}, which "${this.typeId}" cannot read. ` +
          'Restore the operator with the uid its state was written under.',
        { code: CoreErrorCode.STATE_INCOMPATIBLE },
      );
    }
    if (this.format.readers[snapshot.version] === undefined) throw unknownVersion(this.format, snapshot.version);
    return (input) => this.deserialize(input);
  }
}

/** A `TypeInformation` whose serializer follows {@link VersionedFormat}. */
export function versionedType<TValue>(format: VersionedFormat<TValue>): TypeInformation<TValue> {
  return { name: format.name, createSerializer: () => new VersionedSerializer(format) };
}

/** Encodes one value to bytes (tests, fixtures). */
export function encodeValue<TValue>(type: TypeInformation<TValue>, value: TValue): Uint8Array {
  const out = new DataOutput();
  type.createSerializer().serialize(value, out);
  return out.toBytes();
}

/** Decodes bytes holding exactly one value; trailing bytes are `STATE_CORRUPT`. */
export function decodeValue<TValue>(type: TypeInformation<TValue>, bytes: Uint8Array): TValue {
  const input = new DataInput(bytes);
  const value = type.createSerializer().deserialize(input);
  input.assertEnd();
  return value;
}

/** Writes a safe integer as int64. */
export function writeInt64(out: DataOutput, value: number): void {
  if (!Number.isSafeInteger(value)) throw new RangeError(`expected a safe integer, got ${value}`);
  out.writeBigInt64(BigInt(value));
}

/** Reads an int64 that must be a safe integer. */
export function readInt64(input: DataInput): number {
  const value = input.readBigInt64();
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new StateError(`State bytes are corrupt: int64 ${value} is outside the safe integer range.`, {
      code: CoreErrorCode.STATE_CORRUPT,
    });
  }
  return Number(value);
}
