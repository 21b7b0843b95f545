import { Types } from '@sluice/core';
import type { DeserializationSchema, TypeInformation } from '@sluice/core';
import { JsonErrorCode, JsonSerdeError } from '../errors.js';
import { describeJson } from '../internal/excerpt.js';
import type { JsonObject } from '../internal/json-value.js';
import { parseJsonBytes } from '../internal/parse-json.js';
import { compileJsonSchema } from '../validation/json-schema-validator.js';
import type { JsonSchemaDocument, RecordValidator } from '../validation/json-schema-validator.js';

/** Options of {@link JsonDeserializationSchema.create}. */
export interface JsonDeserializationOptions {
  /**
   * Accept any JSON value at the top level (array, string, number, ...). When false, a record that
   * is not a JSON object fails with `SERDE_FIELD_TYPE`, as Flink's `JSONDeserializationSchema` does.
   * @defaultValue false
   */
  readonly acceptAnyValue?: boolean;
  /**
   * A JSON Schema (draft-07) every record must satisfy (checked with Ajv); a record that does not
   * fails with `SERDE_SCHEMA_VIOLATION`.
   * @defaultValue undefined (no validation)
   */
  readonly jsonSchema?: JsonSchemaDocument;
}

/**
 * Reads each message as one UTF-8 JSON document (Flink's `JSONDeserializationSchema` /
 * `JsonNodeDeserializationSchema`). Produces plain objects as `JSON.parse` builds them.
 * Invalid UTF-8 → `SERDE_INVALID_UTF8`; invalid JSON → `SERDE_INVALID_JSON`.
 *
 * ```ts
 * const schema = JsonDeserializationSchema.create();
 * schema.deserialize(new TextEncoder().encode('{"id":1}')); // { id: 1 }
 * ```
 */
export class JsonDeserializationSchema<TRecord = JsonObject> implements DeserializationSchema<TRecord> {
  /** Type of the produced records: core's `Types.json()` (compact tagged binary in state). */
  readonly producedType: TypeInformation<TRecord>;
  private readonly acceptAnyValue: boolean;
  private readonly validate: RecordValidator | undefined;

  private constructor(options: JsonDeserializationOptions) {
    this.acceptAnyValue = options.acceptAnyValue ?? false;
    this.validate =
      options.jsonSchema === undefined ? undefined : compileJsonSchema(options.jsonSchema, 'jsonSchema');
    this.producedType = Types.json() as unknown as TypeInformation<TRecord>;
  }

  /**
   * A schema producing JSON objects (or any JSON value with `acceptAnyValue`). `TRecord` is what
   * you assert the records are; with `jsonSchema` set the assertion is checked at run time.
   */
  static create<TRecord = JsonObject>(options: JsonDeserializationOptions = {}): JsonDeserializationSchema<TRecord> {
    return new JsonDeserializationSchema<TRecord>(options);
  }

  /** Decodes one message; throws a {@link JsonSerdeError} for bad input. */
  deserialize(message: Uint8Array): TRecord {
    const value = parseJsonBytes(message);
    if (!this.acceptAnyValue && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      throw new JsonSerdeError(
        `Expected a JSON object at the top level, found ${describeJson(value)}. ` +
          'Set acceptAnyValue: true to accept any JSON value.',
        { code: JsonErrorCode.SERDE_FIELD_TYPE, field: '$', expected: 'object', found: describeJson(value) },
      );
    }
    this.validate?.(value);
    return value as TRecord;
  }

  /** Always false: a JSON stream has no end marker. */
  isEndOfStream(): boolean {
    return false;
  }
}
