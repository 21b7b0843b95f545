import { JsonErrorCode, JsonSerdeError } from '../errors.js';
import { describeJson } from '../internal/excerpt.js';
import { fieldTypeName } from './json-field-types.js';
import type { JsonFieldType, JsonRowFields } from './json-field-types.js';
import { formatDate, formatTime, formatTimestamp, isTimeOfDay } from './time-formats.js';

const DECIMAL_TEXT = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function wrongType(path: string, type: JsonFieldType<unknown>, found: unknown): JsonSerdeError {
  const expected = fieldTypeName(type);
  return new JsonSerdeError(
    `Cannot write field ${path}: expected ${expected === 'decimal (number)' ? 'decimal (a string of decimal text)' : expected} value, found ${describeJson(found)}.`,
    { code: JsonErrorCode.SERDE_FIELD_TYPE, field: path, expected, found: describeJson(found) },
  );
}

function isValidDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

function writeScalar(value: unknown, type: JsonFieldType<unknown>, path: string): string {
  switch (type.kind) {
    case 'string':
      if (typeof value === 'string') return JSON.stringify(value);
      break;
    case 'boolean':
      if (typeof value === 'boolean') return value ? 'true' : 'false';
      break;
    case 'double':
      if (typeof value === 'number' && Number.isFinite(value)) return JSON.stringify(value);
      break;
    case 'int':
      if (typeof value === 'number' && Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) return String(value);
      break;
    case 'long':
      if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
      break;
    case 'bigint':
      if (typeof value === 'bigint') return value.toString();
      if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
      break;
    case 'decimal':
      if (typeof value === 'string' && DECIMAL_TEXT.test(value)) return value;
      if (typeof value === 'number' && Number.isFinite(value)) return JSON.stringify(value);
      break;
    case 'date':
      if (isValidDate(value) && value.getUTCFullYear() >= 0 && value.getUTCFullYear() <= 9999) {
        return JSON.stringify(formatDate(value));
      }
      break;
    case 'time':
      if (isTimeOfDay(value)) return JSON.stringify(formatTime(value));
      break;
    case 'timestamp':
      if (isValidDate(value) && value.getUTCFullYear() >= 0 && value.getUTCFullYear() <= 9999) {
        return JSON.stringify(formatTimestamp(value));
      }
      break;
    case 'bytes':
      if (value instanceof Uint8Array) return JSON.stringify(Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64'));
      break;
    case 'json': {
      let text: string | undefined;
      try {
        text = JSON.stringify(value);
      } catch {
        text = undefined;
      }
      if (text !== undefined) return text;
      break;
    }
    case 'array':
    case 'row':
      throw new Error('unreachable');
  }
  throw wrongType(path, type, value);
}

/** Writes one value of `type` as JSON text (null → `null`). */
export function writeValue(value: unknown, type: JsonFieldType<unknown>, path: string): string {
  if (value === null) return 'null';
  if (type.kind === 'array') {
    if (!Array.isArray(value)) throw wrongType(path, type, value);
    const element = type.element as JsonFieldType<unknown>;
    return `[${value.map((item: unknown, i) => writeValue(item ?? null, element, `${path}[${i}]`)).join(',')}]`;
  }
  if (type.kind === 'row') {
    if (typeof value !== 'object' || Array.isArray(value) || value instanceof Date || value instanceof Uint8Array) {
      throw wrongType(path, type, value);
    }
    return writeRow(value as Record<string, unknown>, type.fields ?? {}, path);
  }
  return writeScalar(value, type, path);
}

/**
 * Writes a row as a JSON object in declaration order. Every declared field must be present (`null`
 * is fine) and no other keys may be (Flink requires the row's arity to match the field count).
 */
export function writeRow(row: Record<string, unknown>, fields: JsonRowFields, path: string): string {
  for (const key of Object.keys(row)) {
    if (!Object.prototype.hasOwnProperty.call(fields, key)) {
      throw new JsonSerdeError(
        `Cannot write the row: ${path}.${key} is not a declared field (declared: ${Object.keys(fields).join(', ')}).`,
        { code: JsonErrorCode.SERDE_UNKNOWN_FIELD, field: `${path}.${key}`, expected: 'a declared field', found: key },
      );
    }
  }
  const parts: string[] = [];
  for (const name of Object.keys(fields)) {
    const type = fields[name] as JsonFieldType<unknown>;
    const value = row[name];
    if (value === undefined) {
      throw new JsonSerdeError(
        `Cannot write the row: field ${path}.${name} is missing (expected ${fieldTypeName(type)} or null).`,
        { code: JsonErrorCode.SERDE_MISSING_FIELD, field: `${path}.${name}`, expected: fieldTypeName(type), found: 'undefined' },
      );
    }
    parts.push(`${JSON.stringify(name)}:${writeValue(value, type, `${path}.${name}`)}`);
  }
  return `{${parts.join(',')}}`;
}
