/**
 * Rebuilds a built-in serializer from a snapshot alone (Flink's
 * `TypeSerializerSnapshot#restoreSerializer`). Rows use it to skip the bytes of fields that were
 * removed since a checkpoint was written.
 */
import { ArraySerializer } from './array-serializer.js';
import { BigIntSerializer, Int64Serializer } from './bigint-serializers.js';
import { BooleanSerializer } from './boolean-serializer.js';
import { BytesSerializer } from './bytes-serializer.js';
import { Float64Serializer } from './float64-serializer.js';
import { Int32Serializer, SafeIntegerSerializer } from './integer-serializers.js';
import { JsonValueSerializer } from './json-value-serializer.js';
import { MapSerializer } from './map-serializer.js';
import { NullableSerializer } from './nullable-serializer.js';
import { RowSerializer, rowFieldNames } from './row-serializer.js';
import { incompatible, nestedOf, type ValueReader } from './serializer-compat.js';
import { StringSerializer } from './string-serializer.js';
import { TupleSerializer } from './tuple-serializer.js';
import type { SerializerSnapshot, TypeSerializer } from './type-serializer.js';

type Restorer = (snapshot: SerializerSnapshot) => TypeSerializer<unknown>;

const LEAVES: readonly TypeSerializer<unknown>[] = [
  new StringSerializer(),
  new Float64Serializer(),
  new Int32Serializer(),
  new SafeIntegerSerializer(),
  new BigIntSerializer(),
  new Int64Serializer(),
  new BooleanSerializer(),
  new BytesSerializer(),
  new JsonValueSerializer(),
] as TypeSerializer<unknown>[];

const RESTORERS: ReadonlyMap<string, Restorer> = new Map<string, Restorer>([
  ...LEAVES.map((leaf): [string, Restorer] => [leaf.typeId, () => leaf]),
  [
    'sluice.nullable',
    (s) => new NullableSerializer(restoreSerializer(nestedOf(s, 1)[0] as SerializerSnapshot)),
  ],
  [
    'sluice.array',
    (s) => new ArraySerializer(restoreSerializer(nestedOf(s, 1)[0] as SerializerSnapshot)),
  ],
  [
    'sluice.map',
    (s) => {
      const [key, value] = nestedOf(s, 2) as [SerializerSnapshot, SerializerSnapshot];
      return new MapSerializer(restoreSerializer(key), restoreSerializer(value));
    },
  ],
  ['sluice.tuple', (s) => new TupleSerializer((s.nested ?? []).map(restoreSerializer))],
  [
    'sluice.row',
    (s) => {
      const names = rowFieldNames(s);
      const nested = nestedOf(s, names.length);
      const fields = names.map((name, i) => ({
        name,
        serializer: restoreSerializer(nested[i] as SerializerSnapshot),
      }));
      return new RowSerializer(fields, restoreReader);
    },
  ],
]);

/**
 * A serializer of the current release for the built-in type a snapshot names. Throws
 * `STATE_INCOMPATIBLE` for types that are not built in (plugin serializers).
 */
export function restoreSerializer(snapshot: SerializerSnapshot): TypeSerializer<unknown> {
  const restore = RESTORERS.get(snapshot.typeId);
  if (restore === undefined) {
    throw incompatible(
      'a serializer restored from the snapshot',
      snapshot,
      'it is not a built-in Sluice type, so its bytes cannot be read without its serializer',
    );
  }
  return restore(snapshot);
}

/** A reader for bytes written under `snapshot`, needing no serializer but the snapshot. */
export function restoreReader(snapshot: SerializerSnapshot): ValueReader<unknown> {
  return restoreSerializer(snapshot).readerFor(snapshot);
}
