// The bad-input corpus of @sluice/serialization-json: each case asserts the exact code and the key
// facts of the message (what was expected, what was found, where).
import { describe, expect, it } from 'vitest';
import {
  JsonDeserializationSchema,
  JsonFields,
  JsonKeyValueDeserializationSchema,
  JsonRowDeserializationSchema,
  JsonRowSerializationSchema,
  JsonSerdeError,
  JsonSerializationSchema,
} from '../src/index.js';
import type { JsonErrorCode } from '../src/index.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

const objects = JsonDeserializationSchema.create();
const rows = JsonRowDeserializationSchema.create(
  {
    id: JsonFields.long(),
    n: JsonFields.int(),
    name: JsonFields.string(),
    ok: JsonFields.boolean(),
    big: JsonFields.bigint(),
    price: JsonFields.decimal(),
    day: JsonFields.date(),
    at: JsonFields.time(),
    ts: JsonFields.timestamp(),
    raw: JsonFields.bytes(),
    tags: JsonFields.array(JsonFields.int()),
    inner: JsonFields.row({ x: JsonFields.string() }),
  },
  { failOnMissingField: false },
);
const strictRows = JsonRowDeserializationSchema.create({ a: JsonFields.string(), b: JsonFields.row({ c: JsonFields.int() }) }, { failOnMissingField: true });
const validated = JsonDeserializationSchema.create({
  jsonSchema: { type: 'object', required: ['id'], properties: { id: { type: 'integer', minimum: 1 } } },
});
const rowWriter = JsonRowSerializationSchema.create({ n: JsonFields.int(), ts: JsonFields.timestamp(), t: JsonFields.time() });
const kv = JsonKeyValueDeserializationSchema.create({ includeMetadata: true });

interface Case {
  name: string;
  run: () => unknown;
  code: JsonErrorCode;
  message: RegExp[];
  field?: string;
}

const huge = `{"a":"${'x'.repeat(100_000)}"`;

const cases: Case[] = [
  { name: 'lone continuation byte', run: () => objects.deserialize(new Uint8Array([0x7b, 0x80, 0x7d])), code: 'SERDE_INVALID_UTF8', message: [/\[80 7d\] at byte 1 of 3/, /expected UTF-8/] },
  { name: 'truncated 2-byte sequence', run: () => objects.deserialize(new Uint8Array([0x22, 0xc3])), code: 'SERDE_INVALID_UTF8', message: [/\[c3\] at byte 1 of 2/] },
  { name: 'overlong encoding of "/"', run: () => objects.deserialize(new Uint8Array([0xc0, 0xaf])), code: 'SERDE_INVALID_UTF8', message: [/at byte 0/] },
  { name: 'UTF-16 surrogate encoded in UTF-8', run: () => objects.deserialize(new Uint8Array([0x22, 0xed, 0xa0, 0x80, 0x22])), code: 'SERDE_INVALID_UTF8', message: [/\[ed a0 80 22\] at byte 1/] },
  { name: 'byte 0xff', run: () => objects.deserialize(new Uint8Array([0xff])), code: 'SERDE_INVALID_UTF8', message: [/\[ff\] at byte 0 of 1/] },
  { name: 'empty message', run: () => objects.deserialize(new Uint8Array()), code: 'SERDE_INVALID_JSON', message: [/expected one JSON document/, /the text is empty/] },
  { name: 'unclosed object', run: () => objects.deserialize(utf8('{"a":1')), code: 'SERDE_INVALID_JSON', message: [/found "\{\\"a\\":1"/] },
  { name: 'trailing comma', run: () => objects.deserialize(utf8('{"a":1,}')), code: 'SERDE_INVALID_JSON', message: [/expected one JSON document/] },
  { name: 'single quotes', run: () => objects.deserialize(utf8("{'a':1}")), code: 'SERDE_INVALID_JSON', message: [/position 1/] },
  { name: 'two documents', run: () => objects.deserialize(utf8('{} {}')), code: 'SERDE_INVALID_JSON', message: [/expected one JSON document/] },
  { name: 'huge invalid payload is capped', run: () => objects.deserialize(utf8(huge)), code: 'SERDE_INVALID_JSON', message: [/… \(100007 chars\)/] },
  { name: 'top-level array for an object schema', run: () => objects.deserialize(utf8('[]')), code: 'SERDE_FIELD_TYPE', field: '$', message: [/Expected a JSON object/, /found array/] },
  { name: 'JSON Schema violation', run: () => validated.deserialize(utf8('{"id":0}')), code: 'SERDE_SCHEMA_VIOLATION', field: '$.id', message: [/\$\.id must be >= 1/] },
  { name: 'JSON Schema missing required', run: () => validated.deserialize(utf8('{}')), code: 'SERDE_SCHEMA_VIOLATION', message: [/must have required property 'id'/] },
  { name: 'row: string for long', run: () => rows.deserialize(utf8('{"id":"7"}')), code: 'SERDE_FIELD_TYPE', field: '$.id', message: [/Field \$\.id/, /expected long/, /found string "7"/] },
  { name: 'row: fraction for int', run: () => rows.deserialize(utf8('{"n":1.5}')), code: 'SERDE_FIELD_TYPE', field: '$.n', message: [/expected int \(32-bit integer\), found number 1\.5/] },
  { name: 'row: int out of range', run: () => rows.deserialize(utf8('{"n":2147483648}')), code: 'SERDE_FIELD_TYPE', field: '$.n', message: [/found number 2147483648/] },
  { name: 'row: long beyond 2^53', run: () => rows.deserialize(utf8('{"id":9007199254740993}')), code: 'SERDE_FIELD_TYPE', field: '$.id', message: [/found number 9007199254740993/] },
  { name: 'row: number for string', run: () => rows.deserialize(utf8('{"name":5}')), code: 'SERDE_FIELD_TYPE', field: '$.name', message: [/expected string, found number 5/] },
  { name: 'row: "true" for boolean', run: () => rows.deserialize(utf8('{"ok":"true"}')), code: 'SERDE_FIELD_TYPE', field: '$.ok', message: [/expected boolean, found string "true"/] },
  { name: 'row: fraction for bigint', run: () => rows.deserialize(utf8('{"big":1.5}')), code: 'SERDE_FIELD_TYPE', field: '$.big', message: [/expected bigint \(integer\), found number 1\.5/] },
  { name: 'row: word for decimal', run: () => rows.deserialize(utf8('{"price":"ten"}')), code: 'SERDE_FIELD_TYPE', field: '$.price', message: [/expected decimal/, /found string "ten"/] },
  { name: 'row: 30 February', run: () => rows.deserialize(utf8('{"day":"2023-02-30"}')), code: 'SERDE_FIELD_TYPE', field: '$.day', message: [/expected date "yyyy-MM-dd", found string "2023-02-30"/] },
  { name: 'row: time without Z', run: () => rows.deserialize(utf8('{"at":"12:00:00"}')), code: 'SERDE_FIELD_TYPE', field: '$.at', message: [/expected time "HH:mm:ss\[\.SSS\]Z"/] },
  { name: 'row: timestamp with offset instead of Z', run: () => rows.deserialize(utf8('{"ts":"2024-01-01T00:00:00+01:00"}')), code: 'SERDE_FIELD_TYPE', field: '$.ts', message: [/expected timestamp "yyyy-MM-ddTHH:mm:ss\[\.fraction\]Z"/] },
  { name: 'row: invalid base64', run: () => rows.deserialize(utf8('{"raw":"@@"}')), code: 'SERDE_FIELD_TYPE', field: '$.raw', message: [/expected bytes \(base64 string\)/] },
  { name: 'row: bad array element', run: () => rows.deserialize(utf8('{"tags":[1,"2"]}')), code: 'SERDE_FIELD_TYPE', field: '$.tags[1]', message: [/Field \$\.tags\[1\]/] },
  { name: 'row: object expected for nested row', run: () => rows.deserialize(utf8('{"inner":[1]}')), code: 'SERDE_FIELD_TYPE', field: '$.inner', message: [/expected row<x: string>, found array/] },
  { name: 'row: top-level string', run: () => rows.deserialize(utf8('"row"')), code: 'SERDE_FIELD_TYPE', field: '$', message: [/Expected a JSON object/] },
  { name: 'row: missing field with failOnMissingField', run: () => strictRows.deserialize(utf8('{"b":{"c":1}}')), code: 'SERDE_MISSING_FIELD', field: '$.a', message: [/Field \$\.a is missing: expected string/, /failOnMissingField/] },
  { name: 'row: missing nested field with failOnMissingField', run: () => strictRows.deserialize(utf8('{"a":"x","b":{}}')), code: 'SERDE_MISSING_FIELD', field: '$.b.c', message: [/\$\.b\.c is missing/] },
  { name: 'row (exact parser): invalid JSON position', run: () => rows.deserialize(utf8('{"big":12,}')), code: 'SERDE_INVALID_JSON', message: [/expected a property name in double quotes at position 10/] },
  { name: 'row (exact parser): leading zero', run: () => rows.deserialize(utf8('{"big":012}')), code: 'SERDE_INVALID_JSON', message: [/at position 8/] },
  { name: 'row writer: string for int', run: () => rowWriter.serialize({ n: '1' as never, ts: null, t: null }), code: 'SERDE_FIELD_TYPE', field: '$.n', message: [/Cannot write field \$\.n: expected int/, /found string "1"/] },
  { name: 'row writer: invalid Date', run: () => rowWriter.serialize({ n: 1, ts: new Date(Number.NaN), t: null }), code: 'SERDE_FIELD_TYPE', field: '$.ts', message: [/found Date Invalid Date/] },
  { name: 'row writer: time beyond a day', run: () => rowWriter.serialize({ n: 1, ts: null, t: 86_400_000 }), code: 'SERDE_FIELD_TYPE', field: '$.t', message: [/found number 86400000/] },
  { name: 'object writer: bigint', run: () => JsonSerializationSchema.create().serialize({ a: 1n }), code: 'SERDE_SERIALIZE_FAILED', message: [/JsonRowSerializationSchema for bigint/] },
  { name: 'key/value: invalid key JSON carries the place', run: () => kv.deserialize({ key: utf8('nope'), value: null, topic: 'tp', partition: 2, offset: 99 }), code: 'SERDE_INVALID_JSON', message: [/in the key/, /topic tp, partition 2, offset 99/] },
];

describe('bad-input corpus (JSON)', () => {
  it('has at least 25 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it.each(cases)('$name → $code', ({ run, code, message, field }) => {
    let thrown: unknown;
    try {
      run();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(JsonSerdeError);
    const error = thrown as JsonSerdeError;
    expect(error.code).toBe(code);
    for (const pattern of message) expect(error.message).toMatch(pattern);
    if (field !== undefined) expect(error.field).toBe(field);
    expect(error.message.length).toBeLessThan(600);
  });
});
