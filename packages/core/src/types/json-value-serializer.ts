/**
 * JSON-compatible values in a compact tagged binary form (not JSON text). One tag byte, then:
 * `0` null · `1` false · `2` true · `3` integer (sign-magnitude varint, safe integers) ·
 * `4` other number (float64: fractions, `-0`, `NaN`, infinities) · `5` string (WTF-8) ·
 * `6` array (varint count, elements) · `7` object (varint count, then key string + value pairs,
 * in the object's key order).
 *
 * Accepted values: `null`, booleans, numbers, strings, arrays and plain objects (prototype
 * `Object.prototype` or `null`). As with `JSON.stringify`, object properties whose value is
 * `undefined` are left out; `undefined` anywhere else, functions, symbols, bigints, class instances
 * (`Date`, `Map`, ...) and nesting deeper than {@link MAX_JSON_DEPTH} levels (e.g. a cycle) are
 * rejected with a `TypeError`. Unlike JSON text, `NaN`, infinities and `-0` round-trip.
 */
import type { DataInput, DataOutput } from './data-view.js';
import { writeSignedVarint, readSignedVarint } from './integer-serializers.js';
import {
  atPath,
  corrupt,
  describeValue,
  leafReaderFor,
  readCount,
  type ValueReader,
} from './serializer-compat.js';
import { readWtf8, writeWtf8 } from './string-serializer.js';
import type { SerializerSnapshot, TypeSerializer } from './type-serializer.js';

/** A JSON-compatible value. */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** How deeply arrays and objects may nest in a {@link JsonValue}. */
export const MAX_JSON_DEPTH = 256;

const TAG_NULL = 0;
const TAG_FALSE = 1;
const TAG_TRUE = 2;
const TAG_INT = 3;
const TAG_FLOAT = 4;
const TAG_STRING = 5;
const TAG_ARRAY = 6;
const TAG_OBJECT = 7;

/** Writes a JSON-compatible value in the tagged form. */
export function writeJsonValue(out: DataOutput, value: unknown): void {
  writeValue(out, value, 0);
}

/** Reads what {@link writeJsonValue} wrote. */
export function readJsonValue(input: DataInput): JsonValue {
  return readValue(input, 0);
}

function writeValue(out: DataOutput, value: unknown, depth: number): void {
  switch (typeof value) {
    case 'string':
      out.writeUint8(TAG_STRING);
      writeWtf8(out, value);
      return;
    case 'number':
      if (Number.isSafeInteger(value) && !Object.is(value, -0)) {
        out.writeUint8(TAG_INT);
        writeSignedVarint(out, value);
      } else {
        out.writeUint8(TAG_FLOAT);
        out.writeFloat64(value);
      }
      return;
    case 'boolean':
      out.writeUint8(value ? TAG_TRUE : TAG_FALSE);
      return;
    case 'object':
      if (value === null) {
        out.writeUint8(TAG_NULL);
        return;
      }
      if (depth >= MAX_JSON_DEPTH) {
        throw new TypeError(
          `sluice.json values nest at most ${MAX_JSON_DEPTH} levels deep (is there a cycle?)`,
        );
      }
      if (Array.isArray(value)) writeArray(out, value, depth);
      else writeObject(out, value, depth);
      return;
    case 'bigint':
    case 'function':
    case 'symbol':
    case 'undefined':
      throw new TypeError(
        `sluice.json expects a JSON-compatible value, got ${describeValue(value)}`,
      );
  }
}

function writeArray(out: DataOutput, value: readonly unknown[], depth: number): void {
  out.writeUint8(TAG_ARRAY);
  out.writeVarUint(value.length);
  for (let i = 0; i < value.length; i++) {
    try {
      writeValue(out, value[i], depth + 1);
    } catch (error) {
      throw atPath(`[${i}]`, error);
    }
  }
}

function writeObject(out: DataOutput, value: object, depth: number): void {
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    const name = (value.constructor as { name?: unknown } | undefined)?.name;
    throw new TypeError(
      `sluice.json expects plain objects, got an instance of ${typeof name === 'string' ? name : 'a class'}`,
    );
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  out.writeUint8(TAG_OBJECT);
  out.writeVarUint(entries.length);
  for (const [key, v] of entries) {
    writeWtf8(out, key);
    try {
      writeValue(out, v, depth + 1);
    } catch (error) {
      throw atPath(`.${key}`, error);
    }
  }
}

function readValue(input: DataInput, depth: number): JsonValue {
  const tag = input.readUint8();
  switch (tag) {
    case TAG_NULL:
      return null;
    case TAG_FALSE:
      return false;
    case TAG_TRUE:
      return true;
    case TAG_INT:
      return readSignedVarint(input);
    case TAG_FLOAT:
      return input.readFloat64();
    case TAG_STRING:
      return readWtf8(input);
    case TAG_ARRAY: {
      if (depth >= MAX_JSON_DEPTH)
        throw corrupt(`a JSON value nests deeper than ${MAX_JSON_DEPTH}`);
      const count = readCount(input, 'nonzero');
      const array: JsonValue[] = [];
      for (let i = 0; i < count; i++) array.push(readValue(input, depth + 1));
      return array;
    }
    case TAG_OBJECT: {
      if (depth >= MAX_JSON_DEPTH)
        throw corrupt(`a JSON value nests deeper than ${MAX_JSON_DEPTH}`);
      const count = readCount(input, 'nonzero');
      const object: Record<string, JsonValue> = {};
      for (let i = 0; i < count; i++) {
        const key = readWtf8(input);
        const value = readValue(input, depth + 1);
        if (key === '__proto__') {
          Object.defineProperty(object, key, {
            value,
            enumerable: true,
            writable: true,
            configurable: true,
          });
        } else object[key] = value;
      }
      return object;
    }
    default:
      throw corrupt(`unknown JSON value tag ${tag}`);
  }
}

/** Serializer of {@link JsonValue} (`sluice.json`, version 1), in the tagged binary form. */
export class JsonValueSerializer implements TypeSerializer<JsonValue> {
  readonly typeId = 'sluice.json';
  readonly version = 1;

  serialize(value: JsonValue, out: DataOutput): void {
    writeJsonValue(out, value);
  }

  deserialize(input: DataInput): JsonValue {
    return readJsonValue(input);
  }

  snapshot(): SerializerSnapshot {
    return { typeId: this.typeId, version: this.version };
  }

  readerFor(snapshot: SerializerSnapshot): ValueReader<JsonValue> {
    return leafReaderFor(this, snapshot);
  }
}
