import { describe, expect, it } from 'vitest';
import { DataInput, DataOutput } from '@sluice/core';
import { JsonFields } from './json-field-types.js';
import { JsonRowDeserializationSchema } from './json-row-deserialization-schema.js';
import { JsonRowSerializationSchema } from './json-row-serialization-schema.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

const fields = {
  id: JsonFields.long(),
  name: JsonFields.string(),
  ok: JsonFields.boolean(),
  n: JsonFields.int(),
  big: JsonFields.bigint(),
  price: JsonFields.decimal(),
  ratio: JsonFields.double(),
  day: JsonFields.date(),
  at: JsonFields.time(),
  ts: JsonFields.timestamp(),
  raw: JsonFields.bytes(),
  tags: JsonFields.array(JsonFields.string()),
  inner: JsonFields.row({ x: JsonFields.int() }),
  any: JsonFields.json(),
};

describe('JsonRowDeserializationSchema', () => {
  it('reads every field type', () => {
    const schema = JsonRowDeserializationSchema.create(fields);
    const row = schema.deserialize(
      utf8(
        '{"id":9007199254740991,"name":"n","ok":true,"n":-5,"big":123456789012345678901234567890,' +
          '"price":12.50,"ratio":0.5,"day":"2024-02-29","at":"13:14:15Z","ts":"2024-01-02T03:04:05.123456Z",' +
          '"raw":"AQID","tags":["a",null],"inner":{"x":1,"extra":2},"any":{"k":[1.5]},"ignored":1}',
      ),
    );
    expect(row).toEqual({
      id: 9007199254740991,
      name: 'n',
      ok: true,
      n: -5,
      big: 123456789012345678901234567890n,
      price: '12.50',
      ratio: 0.5,
      day: new Date(Date.UTC(2024, 1, 29)),
      at: (13 * 3600 + 14 * 60 + 15) * 1000,
      ts: new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 123)),
      raw: new Uint8Array([1, 2, 3]),
      tags: ['a', null],
      inner: { x: 1 },
      any: { k: [1.5] },
    });
  });

  it('reads a missing field as null, or fails with failOnMissingField', () => {
    const f = { a: JsonFields.string(), b: JsonFields.int() };
    expect(JsonRowDeserializationSchema.create(f).deserialize(utf8('{"a":null}'))).toEqual({ a: null, b: null });
    expect(() => JsonRowDeserializationSchema.create(f, { failOnMissingField: true }).deserialize(utf8('{"a":"x"}'))).toThrow(
      expect.objectContaining({ code: 'SERDE_MISSING_FIELD', field: '$.b' }),
    );
  });

  it('requires the UTC Z on times and timestamps', () => {
    const schema = JsonRowDeserializationSchema.create({ t: JsonFields.time(), ts: JsonFields.timestamp() });
    expect(() => schema.deserialize(utf8('{"t":"10:00:00"}'))).toThrow(/\$\.t .*expected time "HH:mm:ss\[\.SSS\]Z", found string "10:00:00"/);
    expect(() => schema.deserialize(utf8('{"ts":"2024-01-01 10:00:00"}'))).toThrow(/SERDE_FIELD_TYPE|wrong type/);
    expect(schema.deserialize(utf8('{"t":"10:00:00.5Z"}')).t).toBe(36_000_500);
  });

  it('uses JSON.parse when no field needs exact numbers, the exact parser otherwise', () => {
    const plain = JsonRowDeserializationSchema.create({ a: JsonFields.double() });
    expect(plain.deserialize(utf8('{"a":1e3}'))).toEqual({ a: 1000 });
    const exact = JsonRowDeserializationSchema.create({ d: JsonFields.decimal(), o: JsonFields.json() });
    expect(exact.deserialize(utf8('{"d":-0.000000000000000000001,"o":{"n":[1,2e2]}}'))).toEqual({
      d: '-0.000000000000000000001',
      o: { n: [1, 200] },
    });
  });

  it('state serializer round-trips rows exactly', () => {
    const schema = JsonRowDeserializationSchema.create(fields);
    const serializer = schema.producedType.createSerializer();
    const row = schema.deserialize(utf8('{"big":"-98765432109876543210","ts":"1970-01-01T00:00:00Z","raw":""}'));
    const out = new DataOutput();
    serializer.serialize(row, out);
    expect(serializer.deserialize(new DataInput(out.toBytes()))).toEqual(row);
    expect(schema.producedType.name).toContain('row<id: long');
  });
});

describe('JsonRowSerializationSchema', () => {
  it('writes fields in declaration order with UTC time formats', () => {
    const schema = JsonRowSerializationSchema.create({
      day: JsonFields.date(),
      t: JsonFields.time(),
      t2: JsonFields.time(),
      ts: JsonFields.timestamp(),
      big: JsonFields.bigint(),
      dec: JsonFields.decimal(),
      raw: JsonFields.bytes(),
      none: JsonFields.string(),
    });
    expect(
      text(
        schema.serialize({
          day: new Date(Date.UTC(2020, 0, 31)),
          t: 3_600_000,
          t2: 3_600_007,
          ts: new Date(Date.UTC(2020, 0, 31, 23, 59, 59, 5)),
          big: 2n ** 70n,
          dec: '1.10',
          raw: new Uint8Array([255]),
          none: null,
        }),
      ),
    ).toBe(
      '{"day":"2020-01-31","t":"01:00:00Z","t2":"01:00:00.007Z","ts":"2020-01-31T23:59:59.005Z",' +
        '"big":1180591620717411303424,"dec":1.10,"raw":"/w==","none":null}',
    );
  });

  it('rejects missing and undeclared fields (arity must match)', () => {
    const schema = JsonRowSerializationSchema.create({ a: JsonFields.int() });
    expect(() => schema.serialize({} as never)).toThrow(expect.objectContaining({ code: 'SERDE_MISSING_FIELD' }));
    expect(() => schema.serialize({ a: 1, b: 2 } as never)).toThrow(expect.objectContaining({ code: 'SERDE_UNKNOWN_FIELD' }));
  });

  it('rejects bad field declarations at create()', () => {
    expect(() => JsonRowSerializationSchema.create({ a: 'string' } as never)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});

describe('JsonRowDeserializationSchema.fromJsonSchema', () => {
  const jsonSchema = {
    type: 'object',
    required: ['id'],
    properties: {
      id: { type: 'integer' },
      name: { type: ['string', 'null'] },
      day: { type: 'string', format: 'date' },
      at: { type: 'string', format: 'date-time' },
      blob: { type: 'string', contentEncoding: 'base64' },
      scores: { type: 'array', items: { type: 'number' } },
      inner: { type: 'object', properties: { ok: { type: 'boolean' } } },
      anything: {},
    },
  };

  it('derives the fields and validates each record', () => {
    const schema = JsonRowDeserializationSchema.fromJsonSchema(jsonSchema);
    expect(
      schema.deserialize(
        utf8('{"id":1,"name":null,"day":"2024-01-02","at":"2024-01-02T00:00:00Z","blob":"AQ==","scores":[1.5],"inner":{"ok":true},"anything":[1]}'),
      ),
    ).toEqual({
      id: 1,
      name: null,
      day: new Date(Date.UTC(2024, 0, 2)),
      at: new Date(Date.UTC(2024, 0, 2)),
      blob: new Uint8Array([1]),
      scores: [1.5],
      inner: { ok: true },
      anything: [1],
    });
    expect(() => schema.deserialize(utf8('{"name":"x"}'))).toThrow(expect.objectContaining({ code: 'SERDE_SCHEMA_VIOLATION' }));
  });

  it('rejects schemas that do not describe an object with properties', () => {
    expect(() => JsonRowDeserializationSchema.fromJsonSchema({ type: 'array' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => JsonRowDeserializationSchema.fromJsonSchema({ type: 'object' })).toThrow(/without "properties"/);
  });
});
