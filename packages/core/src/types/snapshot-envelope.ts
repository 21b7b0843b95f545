/**
 * Self-describing state: a serializer snapshot followed by a value, so that a later release can
 * pick the right reader (the state backend stores state this way).
 *
 * Envelope format, version 1:
 * ```
 * byte 0      magic 0xF5 (never the first byte of UTF-8 text)
 * byte 1      envelope version (1)
 * snapshot    typeId (varint length + UTF-8), version (varint),
 *             params flag (0 = none, 1 = a `sluice.json` value follows, always an object),
 *             nested count (varint), nested snapshots (same layout, at most 64 levels deep)
 * value       the value as written by the serializer (only in writeWithSnapshot)
 * ```
 * A wrong magic byte or bad bytes are `STATE_CORRUPT`; an envelope version this release does not
 * know is `STATE_UNKNOWN_VERSION`.
 */
import { CoreErrorCode, StateError } from '../errors.js';
import { DataOutput, type DataInput } from './data-view.js';
import { readJsonValue, writeJsonValue } from './json-value-serializer.js';
import { corrupt } from './serializer-compat.js';
import { readAll } from './serialized-value.js';
import type { SerializerSnapshot, TypeSerializer } from './type-serializer.js';

/** First byte of every snapshot envelope. */
export const SNAPSHOT_ENVELOPE_MAGIC = 0xf5;
/** The envelope format version this release writes (and the newest it reads). */
export const SNAPSHOT_ENVELOPE_VERSION = 1;
const MAX_NESTING = 64;

/** Encodes a snapshot alone (magic, envelope version, snapshot). */
export function encodeSnapshot(snapshot: SerializerSnapshot): Uint8Array {
  const out = new DataOutput(64);
  writeHeader(out, snapshot);
  return out.toBytes();
}

/** Decodes what {@link encodeSnapshot} wrote; trailing bytes are `STATE_CORRUPT`. */
export function decodeSnapshot(bytes: Uint8Array): SerializerSnapshot {
  return readAll(bytes, readHeader);
}

/** Encodes `serializer`'s snapshot followed by `value` in the serializer's current format. */
export function writeWithSnapshot<T>(serializer: TypeSerializer<T>, value: T): Uint8Array {
  const out = new DataOutput();
  writeHeader(out, serializer.snapshot());
  serializer.serialize(value, out);
  return out.toBytes();
}

/**
 * Reads a value written by {@link writeWithSnapshot} by this or an earlier release, using
 * `serializer.readerFor(snapshot)`. Throws `StateError`: `STATE_CORRUPT` for bad bytes,
 * `STATE_UNKNOWN_VERSION` for a newer envelope or serializer version, `STATE_INCOMPATIBLE` when
 * the state was written by another type.
 */
export function readWithSnapshot<T>(serializer: TypeSerializer<T>, bytes: Uint8Array): T {
  return readAll(bytes, (input) => serializer.readerFor(readHeader(input))(input));
}

function writeHeader(out: DataOutput, snapshot: SerializerSnapshot): void {
  out.writeUint8(SNAPSHOT_ENVELOPE_MAGIC);
  out.writeUint8(SNAPSHOT_ENVELOPE_VERSION);
  writeSnapshot(out, snapshot);
}

function readHeader(input: DataInput): SerializerSnapshot {
  if (input.remaining === 0) throw corrupt('the state envelope is empty');
  const magic = input.readUint8();
  if (magic !== SNAPSHOT_ENVELOPE_MAGIC) {
    throw corrupt(
      `the first byte is 0x${magic.toString(16).padStart(2, '0')}, not the state envelope magic ` +
        `0x${SNAPSHOT_ENVELOPE_MAGIC.toString(16)}; these bytes were not written by writeWithSnapshot`,
    );
  }
  const version = input.readUint8();
  if (version !== SNAPSHOT_ENVELOPE_VERSION) {
    throw new StateError(
      `State envelope format version ${version} is unknown: this release reads version ` +
        `${SNAPSHOT_ENVELOPE_VERSION}. Run the Sluice release that wrote the state or a newer one.`,
      { code: CoreErrorCode.STATE_UNKNOWN_VERSION },
    );
  }
  return readSnapshot(input, 0);
}

function writeSnapshot(out: DataOutput, snapshot: SerializerSnapshot): void {
  if (!Number.isSafeInteger(snapshot.version) || snapshot.version < 0) {
    throw new RangeError(
      `snapshot version must be a non-negative integer, got ${snapshot.version}`,
    );
  }
  out.writeString(snapshot.typeId);
  out.writeVarUint(snapshot.version);
  if (snapshot.params === undefined) out.writeUint8(0);
  else {
    out.writeUint8(1);
    writeJsonValue(out, snapshot.params);
  }
  const nested = snapshot.nested ?? [];
  out.writeVarUint(nested.length);
  for (const child of nested) writeSnapshot(out, child);
}

function readSnapshot(input: DataInput, depth: number): SerializerSnapshot {
  if (depth > MAX_NESTING) throw corrupt(`snapshots nest deeper than ${MAX_NESTING} levels`);
  const typeId = input.readString();
  if (typeId === '') throw corrupt('a snapshot has an empty type id');
  const version = input.readVarUint();
  const flag = input.readUint8();
  let params: Record<string, unknown> | undefined;
  if (flag === 1) {
    const value = readJsonValue(input);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw corrupt(`the params of snapshot "${typeId}" are not an object`);
    }
    params = value;
  } else if (flag !== 0) throw corrupt(`snapshot params flag is ${flag}, expected 0 or 1`);
  const count = input.readVarUint();
  if (count > input.remaining) throw corrupt(`a snapshot claims ${count} nested snapshots`);
  const nested: SerializerSnapshot[] = [];
  for (let i = 0; i < count; i++) nested.push(readSnapshot(input, depth + 1));
  return {
    typeId,
    version,
    ...(params === undefined ? {} : { params }),
    ...(count === 0 ? {} : { nested }),
  };
}
