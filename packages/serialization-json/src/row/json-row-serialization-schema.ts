import type { SerializationSchema } from '@sluice/core';
import { encodeUtf8 } from '../internal/parse-json.js';
import { checkRowFields } from './json-field-types.js';
import type { JsonRow, JsonRowFields } from './json-field-types.js';
import { writeRow } from './row-writer.js';

/**
 * Writes rows with declared fields as JSON objects (Flink's `JsonRowSerializationSchema`), fields in
 * declaration order. Every declared field must be present (`null` is written as JSON `null`) and no
 * undeclared key may be: `SERDE_MISSING_FIELD` / `SERDE_UNKNOWN_FIELD` / `SERDE_FIELD_TYPE` otherwise.
 * Times are written in UTC: `HH:mm:ss'Z'` (`HH:mm:ss.SSS'Z'` with milliseconds) and
 * `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'` (unlike Flink, which uses the JVM zone while writing `Z`).
 */
export class JsonRowSerializationSchema<TFields extends JsonRowFields> implements SerializationSchema<JsonRow<TFields>> {
  private constructor(private readonly fields: TFields) {}

  /** A row writer for the declared `fields` (built with {@link JsonFields}). */
  static create<const TFields extends JsonRowFields>(fields: TFields): JsonRowSerializationSchema<TFields> {
    checkRowFields(fields, 'fields');
    return new JsonRowSerializationSchema(fields);
  }

  /** Encodes one row. */
  serialize(element: JsonRow<TFields>): Uint8Array {
    return encodeUtf8(writeRow(element as Record<string, unknown>, this.fields, '$'));
  }
}
