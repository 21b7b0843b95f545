import { describe, expect, it } from 'vitest';
import { DataInput, DataOutput, isSluiceError, SerdeError } from '@sluice/core';
import { JsonErrorCode, JsonSerdeError } from '../errors.js';
import { JsonDeserializationSchema } from './json-deserialization-schema.js';
import { JsonSerializationSchema } from './json-serialization-schema.js';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('JsonDeserializationSchema', () => {
  it('reads a JSON object', () => {
    const schema = JsonDeserializationSchema.create();
    expect(schema.deserialize(utf8('{"a":1,"b":[true,null,"x"]}'))).toEqual({ a: 1, b: [true, null, 'x'] });
    expect(schema.isEndOfStream()).toBe(false);
  });

  it('drops a leading BOM and accepts surrounding whitespace', () => {
    const schema = JsonDeserializationSchema.create();
    expect(schema.deserialize(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(' {"a":"é"}\n')]))).toEqual({ a: 'é' });
  });

  it('rejects a non-object unless acceptAnyValue', () => {
    const strict = JsonDeserializationSchema.create();
    const error = (() => {
      try {
        strict.deserialize(utf8('[1,2]'));
      } catch (e) {
        return e as JsonSerdeError;
      }
      throw new Error('no error');
    })();
    expect(error.code).toBe(JsonErrorCode.SERDE_FIELD_TYPE);
    expect(error.message).toContain('found array (length 2)');
    expect(JsonDeserializationSchema.create<unknown>({ acceptAnyValue: true }).deserialize(utf8('"s"'))).toBe('s');
  });

  it('validates against a JSON Schema', () => {
    const schema = JsonDeserializationSchema.create({
      jsonSchema: { type: 'object', required: ['id'], properties: { id: { type: 'integer' } } },
    });
    expect(schema.deserialize(utf8('{"id":3}'))).toEqual({ id: 3 });
    expect(() => schema.deserialize(utf8('{"id":"x"}'))).toThrow(/\$\.id must be integer/);
  });

  it('stores produced records in state losslessly', () => {
    const schema = JsonDeserializationSchema.create();
    const serializer = schema.producedType.createSerializer();
    const out = new DataOutput();
    serializer.serialize({ a: [1, { b: 'c' }] }, out);
    expect(serializer.deserialize(new DataInput(out.toBytes()))).toEqual({ a: [1, { b: 'c' }] });
    expect(serializer.readerFor(serializer.snapshot())).toBeTypeOf('function');
    expect(() => serializer.readerFor({ typeId: 'other', version: 1 })).toThrow(/cannot read/);
  });
});

describe('JsonSerializationSchema', () => {
  it('writes compact UTF-8 JSON', () => {
    const schema = JsonSerializationSchema.create();
    expect(new TextDecoder().decode(schema.serialize({ a: 'é', b: [1] }))).toBe('{"a":"é","b":[1]}');
  });

  it('fails with SERDE_SERIALIZE_FAILED for cycles and bigint', () => {
    const schema = JsonSerializationSchema.create();
    const cycle: Record<string, unknown> = {};
    cycle['self'] = cycle;
    expect(() => schema.serialize(cycle)).toThrow(expect.objectContaining({ code: 'SERDE_SERIALIZE_FAILED' }));
    expect(() => schema.serialize({ n: 1n })).toThrow(/BigInt/);
    expect(() => schema.serialize(undefined)).toThrow(/found undefined/);
  });
});

describe('JsonSerdeError', () => {
  it('is a SerdeError with a stable code and name', () => {
    const error = new JsonSerdeError('m', { code: JsonErrorCode.SERDE_INVALID_JSON, field: '$.a' });
    expect(error).toBeInstanceOf(SerdeError);
    expect(isSluiceError(error)).toBe(true);
    expect(error.name).toBe('JsonSerdeError');
    expect(error.retriable).toBe(false);
    expect(error.field).toBe('$.a');
  });

  it('has one code per key in the table', () => {
    for (const [key, value] of Object.entries(JsonErrorCode)) expect(key).toBe(value);
  });
});
