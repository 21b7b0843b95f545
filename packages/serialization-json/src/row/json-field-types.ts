/**
 * Field types of a JSON row (Flink's `RowTypeInfo` field types, as JSON maps them). Every field is
 * nullable: a JSON `null` (or, unless `failOnMissingField`, a missing field) reads as `null`.
 */
import { ConfigError } from '@sluice/core';

/** The kinds of row fields. */
export type JsonFieldKind =
  | 'string'
  | 'boolean'
  | 'int'
  | 'long'
  | 'bigint'
  | 'double'
  | 'decimal'
  | 'date'
  | 'time'
  | 'timestamp'
  | 'bytes'
  | 'json'
  | 'array'
  | 'row';

/** A row field type; `TValue` is the JavaScript type it reads as (without `null`). */
export interface JsonFieldType<TValue> {
  /** What the field holds. */
  readonly kind: JsonFieldKind;
  /** Element type, for `array`. */
  readonly element?: JsonFieldType<unknown>;
  /** Nested fields, for `row`. */
  readonly fields?: JsonRowFields;
  /** Phantom: the JavaScript type of the values (type-level only). */
  readonly __value?: TValue;
}

/** The declared fields of a row: name → type. */
export type JsonRowFields = Readonly<Record<string, JsonFieldType<unknown>>>;

/** The JavaScript type of one field's values, `null` included. */
export type JsonFieldValue<TField> = TField extends JsonFieldType<infer TValue> ? TValue | null : never;

/** The object type of a row with the given fields: every declared field is present, maybe `null`. */
export type JsonRow<TFields extends JsonRowFields> = {
  -readonly [K in keyof TFields]: JsonFieldValue<TFields[K]>;
};

const leaf = <TValue>(kind: JsonFieldKind): JsonFieldType<TValue> => Object.freeze({ kind });

/**
 * Factories of row field types. JSON ↔ JavaScript mapping (all times in UTC, see the README):
 *
 * | factory | JSON | JavaScript |
 * |---|---|---|
 * | `string()` | string | `string` |
 * | `boolean()` | `true`/`false` | `boolean` |
 * | `int()` | integer in int32 range | `number` |
 * | `long()` | integer up to ±(2^53-1) | `number` |
 * | `bigint()` | integer of any size (or a string of digits) | `bigint` |
 * | `double()` | number | `number` |
 * | `decimal()` | number, read exactly (or a decimal string) | `string` (the exact decimal text) |
 * | `date()` | `"yyyy-MM-dd"` | `Date` at 00:00 UTC |
 * | `time()` | `"HH:mm:ss[.SSS]Z"` | `number`: milliseconds since midnight UTC |
 * | `timestamp()` | `"yyyy-MM-ddTHH:mm:ss[.fraction]Z"` | `Date` |
 * | `bytes()` | base64 string | `Uint8Array` |
 * | `json()` | any JSON value | the parsed value |
 * | `array(t)` | array | `Array` |
 * | `row({...})` | object | object |
 */
export const JsonFields = {
  /** A JSON string. */
  string: (): JsonFieldType<string> => leaf('string'),
  /** `true` or `false`. */
  boolean: (): JsonFieldType<boolean> => leaf('boolean'),
  /** An integer in the signed 32-bit range (Flink INT). */
  int: (): JsonFieldType<number> => leaf('int'),
  /** An integer up to ±(2^53-1) as a `number` (Flink LONG, within JavaScript's exact range). */
  long: (): JsonFieldType<number> => leaf('long'),
  /** An integer of any size as a `bigint` (Flink BIG_INT); written as a JSON number. */
  bigint: (): JsonFieldType<bigint> => leaf('bigint'),
  /** Any JSON number as a float64 (Flink DOUBLE/FLOAT). */
  double: (): JsonFieldType<number> => leaf('double'),
  /** A decimal kept exact as its text, e.g. `"12.50"` (Flink BIG_DEC); written as a JSON number. */
  decimal: (): JsonFieldType<string> => leaf('decimal'),
  /** A calendar date `yyyy-MM-dd`, read as a `Date` at 00:00 UTC (Flink SQL_DATE). */
  date: (): JsonFieldType<Date> => leaf('date'),
  /** A time of day `HH:mm:ss[.SSS]Z` in UTC, read as milliseconds since midnight (Flink SQL_TIME). */
  time: (): JsonFieldType<number> => leaf('time'),
  /** An instant `yyyy-MM-ddTHH:mm:ss[.fraction]Z` (UTC), read as a `Date` (Flink SQL_TIMESTAMP). */
  timestamp: (): JsonFieldType<Date> => leaf('timestamp'),
  /** Bytes as a standard base64 string (Flink `byte[]`). */
  bytes: (): JsonFieldType<Uint8Array> => leaf('bytes'),
  /** Any JSON value, unchecked. */
  json: (): JsonFieldType<unknown> => leaf('json'),
  /** An array whose elements have type `element` (elements may be `null`). */
  array<TValue>(element: JsonFieldType<TValue>): JsonFieldType<(TValue | null)[]> {
    checkFieldType(element, 'JsonFields.array(element)');
    return Object.freeze({ kind: 'array', element });
  },
  /** A nested row (a JSON object) with the given fields. */
  row<const TFields extends JsonRowFields>(fields: TFields): JsonFieldType<JsonRow<TFields>> {
    checkRowFields(fields, 'JsonFields.row(fields)');
    return Object.freeze({ kind: 'row', fields });
  },
} as const;

const KINDS: ReadonlySet<string> = new Set<JsonFieldKind>([
  'string', 'boolean', 'int', 'long', 'bigint', 'double', 'decimal', 'date', 'time', 'timestamp', 'bytes', 'json', 'array', 'row',
]);

function checkFieldType(type: unknown, option: string): void {
  const kind = (type as { kind?: unknown } | null | undefined)?.kind;
  if (typeof kind !== 'string' || !KINDS.has(kind)) {
    throw new ConfigError(`${option} must be a field type from JsonFields (e.g. JsonFields.string()), got ${String(type)}.`, {
      option,
    });
  }
}

/** Checks a row's field declarations; throws `CONFIG_INVALID` naming the bad field. */
export function checkRowFields(fields: unknown, option: string): void {
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new ConfigError(`${option} must be an object of field types, got ${String(fields)}.`, { option });
  }
  for (const [name, type] of Object.entries(fields)) {
    if (name === '__proto__') throw new ConfigError(`${option} cannot declare a field named "__proto__".`, { option });
    checkFieldType(type, `${option} field "${name}"`);
  }
}

/** A readable type name for messages, e.g. `array<string>` or `row<id: long>`. */
export function fieldTypeName(type: JsonFieldType<unknown>): string {
  switch (type.kind) {
    case 'array':
      return `array<${fieldTypeName(type.element as JsonFieldType<unknown>)}>`;
    case 'row':
      return `row<${Object.entries(type.fields ?? {})
        .map(([n, t]) => `${n}: ${fieldTypeName(t)}`)
        .join(', ')}>`;
    case 'date':
      return 'date "yyyy-MM-dd"';
    case 'time':
      return 'time "HH:mm:ss[.SSS]Z"';
    case 'timestamp':
      return 'timestamp "yyyy-MM-ddTHH:mm:ss[.fraction]Z"';
    case 'int':
      return 'int (32-bit integer)';
    case 'long':
      return 'long (integer within ±(2^53-1))';
    case 'bigint':
      return 'bigint (integer)';
    case 'decimal':
      return 'decimal (number)';
    case 'bytes':
      return 'bytes (base64 string)';
    case 'string':
    case 'boolean':
    case 'double':
    case 'json':
      return type.kind;
  }
}

/** True when reading the row needs exact number text (bigint or decimal fields anywhere). */
export function needsExactNumbers(fields: JsonRowFields): boolean {
  const visit = (type: JsonFieldType<unknown>): boolean =>
    type.kind === 'bigint' ||
    type.kind === 'decimal' ||
    (type.kind === 'array' && visit(type.element as JsonFieldType<unknown>)) ||
    (type.kind === 'row' && needsExactNumbers(type.fields ?? {}));
  return Object.values(fields).some(visit);
}
