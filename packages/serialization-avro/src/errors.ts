/**
 * Errors of `@sluice/serialization-avro`: one class, {@link AvroSerdeError}, a `SerdeError` from
 * `@sluice/core`, with a code from {@link AvroErrorCode}. Messages say what was expected and what
 * was found. Registry URLs in messages never carry credentials.
 */
import { SerdeError } from '@sluice/core';
import type { ErrorPlace } from '@sluice/core';

/**
 * Every code this package throws. Codes are stable: renaming or removing one is a breaking change.
 */
export const AvroErrorCode = {
  /** Confluent wire format: byte 0 is not the magic byte 0x00 (or the message is shorter than 5 bytes). */
  SERDE_MAGIC_BYTE: 'SERDE_MAGIC_BYTE',
  /** The registry does not know the schema id in the message (HTTP 404, error code 40403). */
  SERDE_UNKNOWN_SCHEMA_ID: 'SERDE_UNKNOWN_SCHEMA_ID',
  /** The Avro body is truncated, has trailing bytes, or holds values the schema does not allow. */
  SERDE_AVRO_CORRUPT: 'SERDE_AVRO_CORRUPT',
  /** The writer schema cannot be resolved to the reader schema (Avro schema resolution rules). */
  SERDE_SCHEMA_RESOLUTION: 'SERDE_SCHEMA_RESOLUTION',
  /** A value to write does not match the schema (the message names the field path). */
  SERDE_AVRO_INVALID_VALUE: 'SERDE_AVRO_INVALID_VALUE',
  /** A schema (given or fetched from the registry) is not valid Avro. */
  SERDE_INVALID_SCHEMA: 'SERDE_INVALID_SCHEMA',
  /** The registry could not be reached or kept failing (5xx, 429, network) after the retries. Retriable. */
  SERDE_REGISTRY_UNAVAILABLE: 'SERDE_REGISTRY_UNAVAILABLE',
  /** The registry answered with an error that retrying will not fix (401, 403, 422, ...). */
  SERDE_REGISTRY_ERROR: 'SERDE_REGISTRY_ERROR',
  /** The subject has no such schema and auto-registration is off (40401 / 40403 on lookup). */
  SERDE_SCHEMA_NOT_REGISTERED: 'SERDE_SCHEMA_NOT_REGISTERED',
  /** The registry rejected the schema as incompatible with the subject's earlier versions (409). */
  SERDE_INCOMPATIBLE_SCHEMA: 'SERDE_INCOMPATIBLE_SCHEMA',
  /** An Avro object container file is malformed (magic, header, sync marker, codec). */
  SERDE_CONTAINER_FILE: 'SERDE_CONTAINER_FILE',
} as const;

/** A code from {@link AvroErrorCode}. */
export type AvroErrorCode = (typeof AvroErrorCode)[keyof typeof AvroErrorCode];

/** Options of {@link AvroSerdeError}. */
export interface AvroSerdeErrorOptions extends ErrorPlace {
  /** The stable code. */
  readonly code: AvroErrorCode;
  /**
   * Whether the same operation may succeed if tried again.
   * @defaultValue false (true only for `SERDE_REGISTRY_UNAVAILABLE`)
   */
  readonly retriable?: boolean;
  /**
   * The Confluent schema id involved.
   * @defaultValue undefined
   */
  readonly schemaId?: number;
  /**
   * The registry URL involved, without credentials.
   * @defaultValue undefined
   */
  readonly registryUrl?: string;
  /**
   * The registry subject involved.
   * @defaultValue undefined
   */
  readonly subject?: string;
  /**
   * The error this one wraps.
   * @defaultValue undefined
   */
  readonly cause?: unknown;
}

/** A record, schema or registry call that failed; connectors add topic/partition/offset or path. */
export class AvroSerdeError extends SerdeError {
  declare readonly code: AvroErrorCode;
  /** The Confluent schema id involved, if any. */
  readonly schemaId?: number;
  /** The registry URL involved (no credentials), if any. */
  readonly registryUrl?: string;
  /** The registry subject involved, if any. */
  readonly subject?: string;

  constructor(message: string, options: AvroSerdeErrorOptions) {
    const { schemaId, registryUrl, subject, ...rest } = options;
    super(message, { ...rest, retriable: options.retriable ?? false });
    if (schemaId !== undefined) this.schemaId = schemaId;
    if (registryUrl !== undefined) this.registryUrl = registryUrl;
    if (subject !== undefined) this.subject = subject;
  }
}
