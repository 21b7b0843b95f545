/**
 * Optional JSON Schema validation of each record, with Ajv (draft-07 by default, the JSON Schema
 * dialect Ajv 8 compiles without extra setup).
 */
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import { ConfigError } from '@sluice/core';
import { JsonErrorCode, JsonSerdeError } from '../errors.js';

/** A JSON Schema document (draft-07), as a plain object. */
export type JsonSchemaDocument = Readonly<Record<string, unknown>> | boolean;

/** At most this many schema violations are listed in one error message. */
const MAX_LISTED = 3;

/** A compiled validator: throws `SERDE_SCHEMA_VIOLATION` for a value that breaks the schema. */
export type RecordValidator = (value: unknown) => void;

/** Compiles `schema` once (at build time); throws `CONFIG_INVALID` naming `option` for a bad schema. */
export function compileJsonSchema(schema: JsonSchemaDocument, option: string): RecordValidator {
  let validate: ValidateFunction;
  try {
    // No logger: src never writes to the console (Ajv would warn about formats it does not check).
    const ajv = new Ajv({ allErrors: false, strict: false, logger: false });
    validate = ajv.compile(schema);
  } catch (error) {
    throw new ConfigError(
      `Option ${option} is not a valid JSON Schema: ${error instanceof Error ? error.message : String(error)}.`,
      { option, cause: error },
    );
  }
  return (value) => {
    if (validate(value)) return;
    const errors = validate.errors ?? [];
    const listed = errors
      .slice(0, MAX_LISTED)
      .map((e) => `${e.instancePath === '' ? '$' : `$${e.instancePath.replaceAll('/', '.')}`} ${e.message ?? 'is invalid'}`)
      .join('; ');
    const first = errors[0];
    throw new JsonSerdeError(`The record does not match the JSON Schema: ${listed}.`, {
      code: JsonErrorCode.SERDE_SCHEMA_VIOLATION,
      expected: 'a record valid against the configured JSON Schema',
      found: listed,
      ...(first === undefined ? {} : { field: first.instancePath === '' ? '$' : `$${first.instancePath.replaceAll('/', '.')}` }),
    });
  };
}
