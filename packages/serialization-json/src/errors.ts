/**
 * Errors of `@sluice/serialization-json`: one class, {@link JsonSerdeError}, a `SerdeError` from
 * `@sluice/core`, with a code from {@link JsonErrorCode}. Messages say what was expected and what
 * was found; payload excerpts are capped, so a huge record never lands in a log line.
 */
import { SerdeError } from '@sluice/core';
import type { ErrorPlace } from '@sluice/core';

/**
 * Every code this package throws. Codes are stable: renaming or removing one is a breaking change.
 */
export const JsonErrorCode = {
  /** The bytes are not valid UTF-8 (JSON text must be UTF-8). */
  SERDE_INVALID_UTF8: 'SERDE_INVALID_UTF8',
  /** The text is not valid JSON. */
  SERDE_INVALID_JSON: 'SERDE_INVALID_JSON',
  /** A declared row field is absent and `failOnMissingField` is on (or a row to write lacks it). */
  SERDE_MISSING_FIELD: 'SERDE_MISSING_FIELD',
  /** A value has another JSON type (or format) than the one declared for it. */
  SERDE_FIELD_TYPE: 'SERDE_FIELD_TYPE',
  /** A row to write holds a field its row type does not declare. */
  SERDE_UNKNOWN_FIELD: 'SERDE_UNKNOWN_FIELD',
  /** The record does not satisfy the configured JSON Schema. */
  SERDE_SCHEMA_VIOLATION: 'SERDE_SCHEMA_VIOLATION',
  /** A value cannot be written as JSON (cycle, bigint outside a declared field, ...). */
  SERDE_SERIALIZE_FAILED: 'SERDE_SERIALIZE_FAILED',
} as const;

/** A code from {@link JsonErrorCode}. */
export type JsonErrorCode = (typeof JsonErrorCode)[keyof typeof JsonErrorCode];

/** Options of {@link JsonSerdeError}. */
export interface JsonSerdeErrorOptions extends ErrorPlace {
  /** The stable code. */
  readonly code: JsonErrorCode;
  /**
   * Where in the record, as a JSONPath such as `$.user.tags[2]`.
   * @defaultValue undefined (the whole record)
   */
  readonly field?: string;
  /**
   * What was expected there, e.g. `string` or `timestamp "yyyy-MM-ddTHH:mm:ss[.SSS]Z"`.
   * @defaultValue undefined
   */
  readonly expected?: string;
  /**
   * What was found there (a type name or a capped excerpt).
   * @defaultValue undefined
   */
  readonly found?: string;
  /**
   * The error this one wraps.
   * @defaultValue undefined
   */
  readonly cause?: unknown;
}

/**
 * A record that could not be read or written as JSON. Never retriable: the same bytes fail the
 * same way. Connectors add topic/partition/offset or path and apply their fail/skip/dead-letter policy.
 */
export class JsonSerdeError extends SerdeError {
  /** Where in the record (JSONPath), when known. */
  readonly field?: string;
  /** What was expected, when known. */
  readonly expected?: string;
  /** What was found, when known (capped excerpt). */
  readonly found?: string;
  declare readonly code: JsonErrorCode;

  constructor(message: string, options: JsonSerdeErrorOptions) {
    const { field, expected, found, ...rest } = options;
    super(message, { ...rest, retriable: false });
    if (field !== undefined) this.field = field;
    if (expected !== undefined) this.expected = expected;
    if (found !== undefined) this.found = found;
  }
}
