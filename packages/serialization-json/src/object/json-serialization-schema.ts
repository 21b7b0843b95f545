import type { SerializationSchema } from '@sluice/core';
import { JsonErrorCode, JsonSerdeError } from '../errors.js';
import { describeJson } from '../internal/excerpt.js';
import { encodeUtf8 } from '../internal/parse-json.js';
import { compileJsonSchema } from '../validation/json-schema-validator.js';
import type { JsonSchemaDocument, RecordValidator } from '../validation/json-schema-validator.js';

/** Options of {@link JsonSerializationSchema.create}. */
export interface JsonSerializationOptions {
  /**
   * A JSON Schema (draft-07) every record must satisfy before it is written; one that does not
   * fails with `SERDE_SCHEMA_VIOLATION`.
   * @defaultValue undefined (no validation)
   */
  readonly jsonSchema?: JsonSchemaDocument;
}

/**
 * Writes each record as compact UTF-8 JSON text (`JSON.stringify`). A value `JSON.stringify` cannot
 * write (a cycle, a bigint, `undefined` or a function at the top level) fails with
 * `SERDE_SERIALIZE_FAILED`.
 */
export class JsonSerializationSchema<TRecord = unknown> implements SerializationSchema<TRecord> {
  private readonly validate: RecordValidator | undefined;

  private constructor(options: JsonSerializationOptions) {
    this.validate =
      options.jsonSchema === undefined ? undefined : compileJsonSchema(options.jsonSchema, 'jsonSchema');
  }

  /** A schema writing records as JSON text. */
  static create<TRecord = unknown>(options: JsonSerializationOptions = {}): JsonSerializationSchema<TRecord> {
    return new JsonSerializationSchema<TRecord>(options);
  }

  /** Encodes one record. */
  serialize(element: TRecord): Uint8Array {
    this.validate?.(element);
    let text: string | undefined;
    try {
      text = JSON.stringify(element);
    } catch (error) {
      throw new JsonSerdeError(
        `Cannot write the record as JSON: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}. ` +
          'Expected JSON-compatible values (no cycles, no bigint; use JsonRowSerializationSchema for bigint fields).',
        { code: JsonErrorCode.SERDE_SERIALIZE_FAILED, expected: 'a JSON-compatible value', cause: error },
      );
    }
    if (text === undefined) {
      throw new JsonSerdeError(
        `Cannot write the record as JSON: expected a JSON-compatible value, found ${describeJson(element)}.`,
        { code: JsonErrorCode.SERDE_SERIALIZE_FAILED, expected: 'a JSON-compatible value', found: describeJson(element) },
      );
    }
    return encodeUtf8(text);
  }
}
