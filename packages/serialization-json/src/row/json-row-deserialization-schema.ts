import type { DeserializationSchema, TypeInformation } from '@sluice/core';
import { JsonErrorCode, JsonSerdeError } from '../errors.js';
import { describeJson } from '../internal/excerpt.js';
import { parseExactJson } from '../internal/exact-json-parser.js';
import { decodeUtf8, parseJsonText } from '../internal/parse-json.js';
import { compileJsonSchema } from '../validation/json-schema-validator.js';
import type { JsonSchemaDocument, RecordValidator } from '../validation/json-schema-validator.js';
import { checkRowFields, fieldTypeName, needsExactNumbers } from './json-field-types.js';
import type { JsonRow, JsonRowFields } from './json-field-types.js';
import { fieldsFromJsonSchema } from './json-schema-to-fields.js';
import { readRow } from './row-reader.js';
import { rowTypeInfo } from './row-type-info.js';

/** Options of {@link JsonRowDeserializationSchema.create}. */
export interface JsonRowDeserializationOptions {
  /**
   * Fail with `SERDE_MISSING_FIELD` when a declared field is absent (Flink's `setFailOnMissingField`).
   * When off, an absent field reads as `null`.
   * @defaultValue false
   */
  readonly failOnMissingField?: boolean;
  /**
   * A JSON Schema (draft-07) each record must satisfy before it is read into a row.
   * @defaultValue undefined (no validation)
   */
  readonly jsonSchema?: JsonSchemaDocument;
}

/**
 * Reads each message as a JSON object into a row with declared fields (Flink's
 * `JsonRowDeserializationSchema`). Fields are matched by name; other properties are ignored; JSON
 * `null` reads as `null`. A value of the wrong type fails with `SERDE_FIELD_TYPE` naming the field,
 * the expected type and what was found. Times are UTC (see {@link JsonFields}).
 *
 * ```ts
 * const schema = JsonRowDeserializationSchema.create({ id: JsonFields.long(), at: JsonFields.timestamp() });
 * schema.deserialize(bytes); // { id: 7, at: Date }
 * ```
 */
export class JsonRowDeserializationSchema<TFields extends JsonRowFields> implements DeserializationSchema<JsonRow<TFields>> {
  /** Type of the produced rows. */
  readonly producedType: TypeInformation<JsonRow<TFields>>;
  private readonly failOnMissingField: boolean;
  private readonly exact: boolean;
  private readonly validate: RecordValidator | undefined;

  private constructor(
    private readonly fields: TFields,
    options: JsonRowDeserializationOptions,
  ) {
    this.failOnMissingField = options.failOnMissingField ?? false;
    this.exact = needsExactNumbers(fields);
    this.validate =
      options.jsonSchema === undefined ? undefined : compileJsonSchema(options.jsonSchema, 'jsonSchema');
    this.producedType = rowTypeInfo(fields);
  }

  /** A row schema for the declared `fields` (built with {@link JsonFields}). */
  static create<const TFields extends JsonRowFields>(
    fields: TFields,
    options: JsonRowDeserializationOptions = {},
  ): JsonRowDeserializationSchema<TFields> {
    checkRowFields(fields, 'fields');
    return new JsonRowDeserializationSchema(fields, options);
  }

  /**
   * A row schema whose fields are derived from a JSON Schema (Flink's
   * `JsonRowDeserializationSchema(String jsonSchema)`): `integer` → `long()`, `number` → `double()`,
   * `string` with `format` `date` / `time` / `date-time` → `date()` / `time()` / `timestamp()`,
   * `contentEncoding: "base64"` → `bytes()`, `array` and `object` nest, anything else → `json()`.
   * Each record is also validated against the schema (Ajv).
   */
  static fromJsonSchema(
    jsonSchema: Readonly<Record<string, unknown>>,
    options: Omit<JsonRowDeserializationOptions, 'jsonSchema'> = {},
  ): JsonRowDeserializationSchema<JsonRowFields> {
    return new JsonRowDeserializationSchema(fieldsFromJsonSchema(jsonSchema), { ...options, jsonSchema });
  }

  /** Decodes one message into a row; throws a `JsonSerdeError` for bad input. */
  deserialize(message: Uint8Array): JsonRow<TFields> {
    const text = decodeUtf8(message);
    const value = this.exact ? parseExactJson(text) : parseJsonText(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      const found = describeJson(value);
      throw new JsonSerdeError(`Expected a JSON object for ${fieldTypeName({ kind: 'row', fields: this.fields })}, found ${found}.`, {
        code: JsonErrorCode.SERDE_FIELD_TYPE,
        field: '$',
        expected: 'object',
        found,
      });
    }
    if (this.validate !== undefined) this.validate(this.exact ? JSON.parse(text) : value);
    return readRow(value as Record<string, unknown>, this.fields, {
      path: '$',
      options: { failOnMissingField: this.failOnMissingField },
    }) as JsonRow<TFields>;
  }

  /** Always false. */
  isEndOfStream(): boolean {
    return false;
  }
}
