/**
 * Avro schemas as users give them (JSON text or the parsed JSON), turned into avsc types with
 * Sluice's logical types. avsc stays behind this seam: its `Type` is not our main option type.
 */
import avro from 'avsc';
import type { Type } from 'avsc';
import { ConfigError } from '@sluice/core';
import { BIGINT_LONG, SAFE_NUMBER_LONG } from './bigint-long.js';
import { LOGICAL_TYPES } from './logical-types.js';

/** An Avro schema: its JSON text (`'{"type":"record",...}'`, `'"string"'`), a primitive name, or the parsed JSON. */
export type AvroSchema = string | Readonly<Record<string, unknown>> | readonly unknown[];

/** How Avro values map to JavaScript (shared by every schema factory). */
export interface AvroTypeOptions {
  /**
   * How Avro `long` values are represented: `'number'` (exact up to ±(2^53-1); a larger value fails
   * to decode with `SERDE_AVRO_CORRUPT`) or `'bigint'` (the full 64-bit range).
   * @defaultValue 'number'
   */
  readonly longs?: 'number' | 'bigint';
  /**
   * Extra options passed through to avsc's `Type.forSchema` (e.g. `{ wrapUnions: 'always' }`), for
   * the few cases the options above do not cover. Pass-through: see avsc's documentation.
   * `logicalTypes`, `registry`, `typeHook` and `omitRecordMethods` are set by Sluice and cannot be replaced here.
   * @defaultValue {}
   */
  readonly avscOptions?: Readonly<Record<string, unknown>>;
}

/** Parses JSON text if the schema is text that looks like JSON; primitive names stay strings. */
export function schemaJson(schema: AvroSchema): unknown {
  if (typeof schema !== 'string') return schema;
  const trimmed = schema.trim();
  return /^[[{"]/.test(trimmed) ? (JSON.parse(trimmed) as unknown) : trimmed;
}

/** Builds the avsc type; throws the raw error (callers wrap it). */
export function toAvscType(schema: AvroSchema, options: AvroTypeOptions = {}): Type {
  const long = options.longs === 'bigint' ? BIGINT_LONG : SAFE_NUMBER_LONG;
  return avro.Type.forSchema(schemaJson(schema) as never, {
    ...(options.avscOptions ?? {}),
    omitRecordMethods: true,
    logicalTypes: LOGICAL_TYPES as never,
    registry: { long },
    typeHook: longHook(long),
  } as never);
}

/**
 * `{"type":"long"}` objects bypass avsc's registry: map them to our long type too. A long with one
 * of our logical types is seen twice (once for the logical type, then for its underlying type):
 * the first time avsc builds the logical type, the second time we supply the long.
 */
function longHook(long: Type): (schema: unknown) => Type | undefined {
  const seen = new WeakSet<object>();
  return (schema) => {
    if (typeof schema !== 'object' || schema === null || (schema as { type?: unknown }).type !== 'long') return undefined;
    const logical = (schema as { logicalType?: unknown }).logicalType;
    if (typeof logical !== 'string' || !Object.hasOwn(LOGICAL_TYPES, logical)) return long;
    if (seen.has(schema)) return long;
    seen.add(schema);
    return undefined;
  };
}

/** Builds the avsc type for a user-given schema; a bad schema is `CONFIG_INVALID` naming `option`. */
export function parseUserSchema(schema: AvroSchema, option: string, options?: AvroTypeOptions): Type {
  try {
    return toAvscType(schema, options);
  } catch (error) {
    throw new ConfigError(
      `Option ${option} is not a valid Avro schema: ${error instanceof Error ? error.message : String(error)}.`,
      { option, cause: error },
    );
  }
}

/** The schema's JSON text with logical type attributes, as sent to a registry. */
export function schemaText(type: Type): string {
  return JSON.stringify(type.schema({ exportAttrs: true }));
}
