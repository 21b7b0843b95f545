import { JsonErrorCode, JsonSerdeError } from '../errors.js';
import { describeJson } from '../internal/excerpt.js';
import { RawNumber, toPlainJson } from '../internal/exact-json-parser.js';
import { fieldTypeName } from './json-field-types.js';
import type { JsonFieldType, JsonRowFields } from './json-field-types.js';
import { parseDate, parseTime, parseTimestamp } from './time-formats.js';

const INTEGER_TEXT = /^-?\d+$/;
const DECIMAL_TEXT = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** How a row is read. */
export interface RowReadOptions {
  readonly failOnMissingField: boolean;
}

function wrongType(path: string, type: JsonFieldType<unknown>, found: unknown): JsonSerdeError {
  const expected = fieldTypeName(type);
  const foundText = found instanceof RawNumber ? `number ${found.text.slice(0, 40)}` : describeJson(found);
  return new JsonSerdeError(`Field ${path} has the wrong type: expected ${expected}, found ${foundText}.`, {
    code: JsonErrorCode.SERDE_FIELD_TYPE,
    field: path,
    expected,
    found: foundText,
  });
}

function numberText(value: unknown): string | undefined {
  if (value instanceof RawNumber) return value.text;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function readScalar(value: unknown, type: JsonFieldType<unknown>, path: string): unknown {
  switch (type.kind) {
    case 'string':
      if (typeof value === 'string') return value;
      break;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      break;
    case 'double': {
      const n = value instanceof RawNumber ? Number(value.text) : value;
      if (typeof n === 'number') return n;
      break;
    }
    case 'int':
    case 'long': {
      const n = value instanceof RawNumber ? Number(value.text) : value;
      const inRange = type.kind === 'int' ? (x: number) => x >= INT32_MIN && x <= INT32_MAX : Number.isSafeInteger;
      if (typeof n === 'number' && Number.isInteger(n) && inRange(n)) return n;
      break;
    }
    case 'bigint': {
      const text = typeof value === 'string' ? value : numberText(value);
      if (text !== undefined && INTEGER_TEXT.test(text)) return BigInt(text);
      if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
      break;
    }
    case 'decimal': {
      const text = typeof value === 'string' ? value : numberText(value);
      if (text !== undefined && DECIMAL_TEXT.test(text)) return text;
      break;
    }
    case 'date': {
      const d = typeof value === 'string' ? parseDate(value) : undefined;
      if (d !== undefined) return d;
      break;
    }
    case 'time': {
      const t = typeof value === 'string' ? parseTime(value) : undefined;
      if (t !== undefined) return t;
      break;
    }
    case 'timestamp': {
      const t = typeof value === 'string' ? parseTimestamp(value) : undefined;
      if (t !== undefined) return t;
      break;
    }
    case 'bytes':
      if (typeof value === 'string' && BASE64.test(value)) return new Uint8Array(Buffer.from(value, 'base64'));
      break;
    case 'json':
      return toPlainJson(value);
    case 'array':
    case 'row':
      throw new Error('unreachable');
  }
  throw wrongType(path, type, value);
}

/** Reads one value of `type` at `path` (JSON null → null). */
export function readValue(value: unknown, type: JsonFieldType<unknown>, context: { path: string; options: RowReadOptions }): unknown {
  const { path, options } = context;
  if (value === null) return null;
  if (type.kind === 'array') {
    if (!Array.isArray(value)) throw wrongType(path, type, value);
    const element = type.element as JsonFieldType<unknown>;
    return value.map((item, i) => readValue(item, element, { path: `${path}[${i}]`, options }));
  }
  if (type.kind === 'row') {
    if (typeof value !== 'object' || Array.isArray(value) || value instanceof RawNumber) throw wrongType(path, type, value);
    return readRow(value as Record<string, unknown>, type.fields ?? {}, context);
  }
  return readScalar(value, type, path);
}

/** Reads the declared fields of a JSON object; unknown properties are ignored (as in Flink). */
export function readRow(
  object: Record<string, unknown>,
  fields: JsonRowFields,
  context: { path: string; options: RowReadOptions },
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(fields)) {
    const type = fields[name] as JsonFieldType<unknown>;
    const path = `${context.path}.${name}`;
    if (!Object.prototype.hasOwnProperty.call(object, name)) {
      if (context.options.failOnMissingField) {
        throw new JsonSerdeError(
          `Field ${path} is missing: expected ${fieldTypeName(type)} (failOnMissingField is on; turn it off to read a missing field as null).`,
          { code: JsonErrorCode.SERDE_MISSING_FIELD, field: path, expected: fieldTypeName(type), found: 'no such property' },
        );
      }
      out[name] = null;
      continue;
    }
    out[name] = readValue(object[name], type, { path, options: context.options });
  }
  return out;
}
