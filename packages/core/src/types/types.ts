/**
 * `Types`: factories of the built-in type descriptors (Flink's `Types` class). Each descriptor's
 * serializer is compact, versioned and reads state written by earlier releases.
 */
import { ConfigError } from '../errors.js';
import { ArraySerializer } from './array-serializer.js';
import { BigIntSerializer, Int64Serializer } from './bigint-serializers.js';
import { BooleanSerializer } from './boolean-serializer.js';
import { BytesSerializer } from './bytes-serializer.js';
import { Float64Serializer } from './float64-serializer.js';
import { Int32Serializer, SafeIntegerSerializer } from './integer-serializers.js';
import { JsonValueSerializer, type JsonValue } from './json-value-serializer.js';
import { MapSerializer } from './map-serializer.js';
import { NullableSerializer } from './nullable-serializer.js';
import { restoreReader } from './restore-serializer.js';
import { RowSerializer } from './row-serializer.js';
import { StringSerializer } from './string-serializer.js';
import { TupleSerializer } from './tuple-serializer.js';
import type { TypeInformation } from './type-information.js';
import type { TypeSerializer } from './type-serializer.js';

/** The value type a {@link TypeInformation} describes: `InferType<typeof info>`. */
export type InferType<TInfo> = TInfo extends TypeInformation<infer T> ? T : never;

/** The object type of a row with the given field descriptors. */
export type RowOf<TFields extends Readonly<Record<string, TypeInformation<unknown>>>> = {
  -readonly [K in keyof TFields]: InferType<TFields[K]>;
};

/** The tuple type with the given element descriptors. */
export type TupleOf<TElements extends readonly TypeInformation<unknown>[]> = {
  -readonly [I in keyof TElements]: InferType<TElements[I]>;
};

class BuiltInTypeInformation<T> implements TypeInformation<T> {
  constructor(
    readonly name: string,
    private readonly serializer: TypeSerializer<T>,
  ) {}

  createSerializer(): TypeSerializer<T> {
    return this.serializer;
  }

  toString(): string {
    return this.name;
  }
}

const STRING = new BuiltInTypeInformation('string', new StringSerializer());
const NUMBER = new BuiltInTypeInformation('number', new Float64Serializer());
const INT32 = new BuiltInTypeInformation('int32', new Int32Serializer());
const SAFE_INTEGER = new BuiltInTypeInformation('safe-integer', new SafeIntegerSerializer());
const BIGINT = new BuiltInTypeInformation('bigint', new BigIntSerializer());
const INT64 = new BuiltInTypeInformation('int64', new Int64Serializer());
const BOOLEAN = new BuiltInTypeInformation('boolean', new BooleanSerializer());
const BYTES = new BuiltInTypeInformation('bytes', new BytesSerializer());
const JSON_VALUE = new BuiltInTypeInformation<JsonValue>('json', new JsonValueSerializer());

function checkTypeInformation(value: unknown, option: string): TypeInformation<unknown> {
  const info = value as Partial<TypeInformation<unknown>> | null | undefined;
  if (typeof info?.createSerializer !== 'function' || typeof info.name !== 'string') {
    throw new ConfigError(
      `${option} must be a TypeInformation (e.g. Types.string()), got ${String(value)}.`,
      { option },
    );
  }
  return info as TypeInformation<unknown>;
}

/**
 * Factories of the built-in type descriptors, for records and state:
 *
 * ```ts
 * const User = Types.row({ id: Types.number(), name: Types.nullable(Types.string()) });
 * type User = InferType<typeof User>; // { id: number; name: string | null }
 * ```
 */
export const Types = {
  /** `string`, written as WTF-8 so that every JavaScript string round-trips (`sluice.string` v1). */
  string: (): TypeInformation<string> => STRING,
  /** `number` as a float64; `-0`, `NaN` and infinities round-trip (`sluice.float64` v1). */
  number: (): TypeInformation<number> => NUMBER,
  /** 32-bit signed integers in a `number`, 1 to 5 bytes (`sluice.int32` v1). */
  int32: (): TypeInformation<number> => INT32,
  /**
   * Integers in a `number` up to ±(2^53 - 1) (int64 values that fit a number), 1 to 9 bytes
   * (`sluice.safe-integer` v1).
   */
  safeInteger: (): TypeInformation<number> => SAFE_INTEGER,
  /** `bigint` of any size: length-prefixed minimal two's complement (`sluice.bigint` v1). */
  bigint: (): TypeInformation<bigint> => BIGINT,
  /** `bigint` in the signed 64-bit range, 8 bytes; other values are rejected (`sluice.int64` v1). */
  int64: (): TypeInformation<bigint> => INT64,
  /** `boolean`, one byte (`sluice.boolean` v1). */
  boolean: (): TypeInformation<boolean> => BOOLEAN,
  /** `Uint8Array` (a `Buffer` is accepted), length-prefixed (`sluice.bytes` v1). */
  bytes: (): TypeInformation<Uint8Array> => BYTES,
  /**
   * JSON-compatible values in a compact tagged binary form, not JSON text (`sluice.json` v1).
   * Properties whose value is `undefined` are left out, as `JSON.stringify` does. Bytes follow
   * the objects' key order, so equal objects built in another order write other bytes: prefer
   * `Types.row` for keys that are hashed (e.g. `keyBy`).
   */
  json: (): TypeInformation<JsonValue> => JSON_VALUE,

  /**
   * `T | null`: a presence flag, then the value (`sluice.nullable` v1). `undefined` is written as
   * null. State written by the plain type reads fine after a type is made nullable.
   */
  nullable<T>(type: TypeInformation<T>): TypeInformation<T | null> {
    const inner = checkTypeInformation(type, 'Types.nullable(type)') as TypeInformation<T>;
    return new BuiltInTypeInformation(
      `${inner.name}?`,
      new NullableSerializer(inner.createSerializer()),
    );
  },

  /** `T[]`: a count, then the elements (`sluice.array` v1). */
  array<T>(element: TypeInformation<T>): TypeInformation<T[]> {
    const info = checkTypeInformation(element, 'Types.array(element)') as TypeInformation<T>;
    return new BuiltInTypeInformation(
      `array<${info.name}>`,
      new ArraySerializer(info.createSerializer()),
    );
  },

  /**
   * `Map<K, V>`: a count, then key/value pairs in insertion order (`sluice.map` v1). Bytes follow
   * insertion order, so they are not a canonical form for hashing.
   */
  map<K, V>(key: TypeInformation<K>, value: TypeInformation<V>): TypeInformation<Map<K, V>> {
    const k = checkTypeInformation(key, 'Types.map(key)') as TypeInformation<K>;
    const v = checkTypeInformation(value, 'Types.map(value)') as TypeInformation<V>;
    return new BuiltInTypeInformation(
      `map<${k.name}, ${v.name}>`,
      new MapSerializer(k.createSerializer(), v.createSerializer()),
    );
  },

  /**
   * A fixed-length tuple: `Types.tuple(Types.string(), Types.number())` describes
   * `[string, number]` (`sluice.tuple` v1).
   */
  tuple<const TElements extends readonly TypeInformation<unknown>[]>(
    ...elements: TElements
  ): TypeInformation<TupleOf<TElements>> {
    const infos = elements.map((e, i) => checkTypeInformation(e, `Types.tuple(element ${i})`));
    return new BuiltInTypeInformation(
      `tuple<${infos.map((info) => info.name).join(', ')}>`,
      new TupleSerializer<TupleOf<TElements>>(infos.map((info) => info.createSerializer())),
    );
  },

  /**
   * An object with declared fields, written in the order the fields are declared
   * (`sluice.row` v2, v1 readable). Nullable fields (`Types.nullable(...)`) cost one bit each.
   * Older state reads after adding nullable fields, removing fields or reordering them. Keys the
   * value has beyond the declared fields are not written.
   */
  row<const TFields extends Readonly<Record<string, TypeInformation<unknown>>>>(
    fields: TFields,
  ): TypeInformation<RowOf<TFields>> {
    if (typeof fields !== 'object' || fields === null) {
      throw new ConfigError(
        `Types.row(fields) takes an object of field types, got ${String(fields)}.`,
        {
          option: 'fields',
        },
      );
    }
    const entries = Object.keys(fields).map((name) => {
      if (name === '__proto__') {
        throw new ConfigError('Types.row(fields) cannot declare a field named "__proto__".', {
          option: 'fields',
        });
      }
      return { name, info: checkTypeInformation(fields[name], `Types.row field "${name}"`) };
    });
    return new BuiltInTypeInformation(
      `row<${entries.map(({ name, info }) => `${name}: ${info.name}`).join(', ')}>`,
      new RowSerializer<RowOf<TFields>>(
        entries.map(({ name, info }) => ({ name, serializer: info.createSerializer() })),
        restoreReader,
      ),
    );
  },
} as const;
