/**
 * Shared rules of `readerFor` (STYLE.md §6): which reader reads bytes written under a snapshot,
 * and the errors thrown when none can. Internal to the types module.
 */
import { CoreErrorCode, StateError } from '../errors.js';
import type { DataInput } from './data-view.js';
import type { SerializerSnapshot, TypeSerializer } from './type-serializer.js';

/** Reads one value. */
export type ValueReader<T> = (input: DataInput) => T;

/** A `STATE_INCOMPATIBLE` error naming both serializers. */
export function incompatible(
  current: string,
  snapshot: SerializerSnapshot,
  detail?: string,
): StateError {
  const why = detail === undefined ? '' : ` (${detail})`;
  return new StateError(
    `State was written by serializer "${snapshot.typeId}" version ${snapshot.version}, which ` +
      `"${current}" cannot read${why}. Restore with the type the state was written with, or ` +
      'migrate the state by reading it with the old type and writing it with the new one.',
    { code: CoreErrorCode.STATE_INCOMPATIBLE },
  );
}

/** A `STATE_UNKNOWN_VERSION` error naming both versions. */
export function unknownVersion(
  serializer: Pick<TypeSerializer<unknown>, 'typeId' | 'version'>,
  snapshotVersion: number,
): StateError {
  return new StateError(
    `State was written by "${serializer.typeId}" format version ${snapshotVersion}, but this ` +
      `release reads "${serializer.typeId}" versions up to ${serializer.version} and knows no ` +
      `version ${snapshotVersion}. ` +
      (snapshotVersion > serializer.version
        ? `Run a Sluice release that knows version ${snapshotVersion}, or restore from a ` +
          'checkpoint written by this release or an older one.'
        : 'No Sluice release wrote that version; the snapshot stored with the state is damaged.'),
    { code: CoreErrorCode.STATE_UNKNOWN_VERSION },
  );
}

/** A `STATE_CORRUPT` error. */
export function corrupt(detail: string): StateError {
  return new StateError(`State bytes are corrupt: ${detail}.`, {
    code: CoreErrorCode.STATE_CORRUPT,
  });
}

/**
 * Checks the snapshot's type id and picks the reader of its version from `readers`
 * (index = version). Throws `STATE_INCOMPATIBLE` for another type id and
 * `STATE_UNKNOWN_VERSION` for a version with no reader.
 */
export function readerOfVersion<TReader>(
  serializer: Pick<TypeSerializer<unknown>, 'typeId' | 'version'>,
  snapshot: SerializerSnapshot,
  readers: Readonly<Record<number, () => TReader>>,
): TReader {
  if (snapshot.typeId !== serializer.typeId) throw incompatible(serializer.typeId, snapshot);
  const make = Number.isInteger(snapshot.version) ? readers[snapshot.version] : undefined;
  if (make === undefined) throw unknownVersion(serializer, snapshot.version);
  return make();
}

/** `readerFor` of a serializer that has one format version and no nested serializers. */
export function leafReaderFor<T>(
  serializer: TypeSerializer<T>,
  snapshot: SerializerSnapshot,
): ValueReader<T> {
  return readerOfVersion(serializer, snapshot, {
    [serializer.version]: () => (input: DataInput) => serializer.deserialize(input),
  });
}

/** The nested snapshots of `snapshot`, checking their count. */
export function nestedOf(
  snapshot: SerializerSnapshot,
  count: number | undefined,
): readonly SerializerSnapshot[] {
  const nested = snapshot.nested ?? [];
  if (count !== undefined && nested.length !== count) {
    throw corrupt(
      `the snapshot of "${snapshot.typeId}" has ${nested.length} nested snapshots, expected ${count}`,
    );
  }
  return nested;
}

/** Runs `build`, prefixing a `StateError`'s message with where in a nested type it happened. */
export function inNested<T>(where: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof StateError) {
      throw new StateError(`In ${where}: ${error.message}`, { code: error.code, cause: error });
    }
    throw error;
  }
}

/** Prefixes a `TypeError`/`RangeError` message with where in a value it happened. */
export function atPath(where: string, error: unknown): unknown {
  if (error instanceof TypeError)
    return new TypeError(`${where}: ${error.message}`, { cause: error });
  if (error instanceof RangeError) {
    return new RangeError(`${where}: ${error.message}`, { cause: error });
  }
  return error;
}

/** Whether two snapshots describe the same format (deep equality). */
export function snapshotsEqual(a: SerializerSnapshot, b: SerializerSnapshot): boolean {
  if (a.typeId !== b.typeId || a.version !== b.version) return false;
  if (!jsonEqual(a.params ?? {}, b.params ?? {})) return false;
  const na = a.nested ?? [];
  const nb = b.nested ?? [];
  return (
    na.length === nb.length && na.every((n, i) => snapshotsEqual(n, nb[i] as SerializerSnapshot))
  );
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) =>
      Object.prototype.hasOwnProperty.call(b, k) &&
      jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  );
}

/**
 * How many bytes a sequence of values takes at least: `nonzero` (one byte or more),
 * `maybe-zero` (built-in rows and tuples with no fields that take bytes) or `unknown` (a type
 * not built in). Used to bound element counts read from untrusted bytes.
 */
export type EncodedWidth = 'nonzero' | 'maybe-zero' | 'unknown';

/** The {@link EncodedWidth} of values written one after another under `snapshots`. */
export function encodedWidth(snapshots: readonly SerializerSnapshot[]): EncodedWidth {
  let width: EncodedWidth = 'maybe-zero';
  for (const snapshot of snapshots) {
    const one =
      snapshot.typeId === 'sluice.row' || snapshot.typeId === 'sluice.tuple'
        ? encodedWidth(snapshot.nested ?? [])
        : snapshot.typeId.startsWith('sluice.')
          ? 'nonzero'
          : 'unknown';
    if (one === 'nonzero') return one;
    if (one === 'unknown') width = one;
  }
  return width;
}

/** The most elements of zero width (e.g. empty rows) an array or map may hold when read. */
export const MAX_ZERO_WIDTH_COUNT = 1 << 20;

/**
 * Reads an element count and rejects one the bytes cannot hold: more elements than bytes left
 * when each takes a byte or more, or more than {@link MAX_ZERO_WIDTH_COUNT} zero-width ones.
 */
export function readCount(input: DataInput, width: EncodedWidth): number {
  const count = input.readVarUint();
  if (width === 'nonzero' && count > input.remaining) {
    throw corrupt(`a count of ${count} elements exceeds the ${input.remaining} bytes left`);
  }
  if (width === 'maybe-zero' && count > MAX_ZERO_WIDTH_COUNT) {
    throw corrupt(
      `a count of ${count} elements that take no bytes exceeds the limit of ${MAX_ZERO_WIDTH_COUNT}`,
    );
  }
  return count;
}

/** A short description of a value's type for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'a Uint8Array';
  if (value instanceof Map) return 'a Map';
  const type = typeof value;
  if (type === 'object') return 'an object';
  if (type === 'undefined') return 'undefined';
  return `a ${type}`;
}
