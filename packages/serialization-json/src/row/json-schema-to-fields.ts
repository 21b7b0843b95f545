/**
 * Derives row fields from a JSON Schema (Flink's `JsonRowDeserializationSchema(String jsonSchema)`
 * via `JsonRowSchemaConverter`): `string` (formats `date`, `time`, `date-time`; `contentEncoding:
 * base64` → bytes), `integer` → long, `number` → double, `boolean`, `array` (from `items`),
 * `object` (from `properties`) → nested row; anything else (unions, `{}`) → `json()`.
 */
import { ConfigError } from '@sluice/core';
import { JsonFields } from './json-field-types.js';
import type { JsonFieldType, JsonRowFields } from './json-field-types.js';

type Node = Readonly<Record<string, unknown>>;

/** The single non-null JSON type of a node (`["string","null"]` → `string`), if there is one. */
function typeOf(node: Node): string | undefined {
  const type = node['type'];
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) {
    const others = type.filter((t) => t !== 'null');
    return others.length === 1 && typeof others[0] === 'string' ? others[0] : undefined;
  }
  return undefined;
}

function fieldOf(node: unknown, path: string): JsonFieldType<unknown> {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return JsonFields.json();
  const n = node as Node;
  switch (typeOf(n)) {
    case 'string':
      if (n['format'] === 'date') return JsonFields.date();
      if (n['format'] === 'time') return JsonFields.time();
      if (n['format'] === 'date-time') return JsonFields.timestamp();
      if (n['contentEncoding'] === 'base64') return JsonFields.bytes();
      return JsonFields.string();
    case 'integer':
      return JsonFields.long();
    case 'number':
      return JsonFields.double();
    case 'boolean':
      return JsonFields.boolean();
    case 'array':
      return JsonFields.array(fieldOf(n['items'], `${path}[]`));
    case 'object':
      return JsonFields.row(fieldsOfObject(n, path));
    case undefined:
    default:
      return JsonFields.json();
  }
}

function fieldsOfObject(node: Node, path: string): JsonRowFields {
  const properties = node['properties'];
  if (typeof properties !== 'object' || properties === null || Array.isArray(properties)) {
    throw new ConfigError(`jsonSchema at ${path} is an object schema without "properties"; a row needs its fields named.`, {
      option: 'jsonSchema',
    });
  }
  const fields: Record<string, JsonFieldType<unknown>> = {};
  for (const [name, child] of Object.entries(properties as Node)) {
    if (name === '__proto__') throw new ConfigError('jsonSchema cannot declare a property named "__proto__".', { option: 'jsonSchema' });
    fields[name] = fieldOf(child, `${path}.${name}`);
  }
  return fields;
}

/** The row fields a top-level object JSON Schema describes; `CONFIG_INVALID` for anything else. */
export function fieldsFromJsonSchema(schema: unknown): JsonRowFields {
  if (typeof schema !== 'object' || schema === null || typeOf(schema as Node) !== 'object') {
    throw new ConfigError('jsonSchema must describe an object ({"type":"object","properties":{...}}) to derive a row type.', {
      option: 'jsonSchema',
    });
  }
  return fieldsOfObject(schema as Node, '$');
}
