import { describe, expect, it } from 'vitest';
import { DataInput, DataOutput } from '@sluice/core';
import { AvroDeserializationSchema } from './avro-deserialization-schema.js';
import { ConfluentRegistryAvroSerializationSchema } from '../confluent/confluent-registry-avro-serialization-schema.js';
import { AvroSerializationSchema } from './avro-serialization-schema.js';

const user = {
  type: 'record',
  name: 'User',
  namespace: 'example',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'name', type: 'string' },
    { name: 'email', type: ['null', 'string'], default: null },
  ],
};

const logical = {
  type: 'record',
  name: 'Logical',
  fields: [
    { name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2 } },
    { name: 'fixedPrice', type: { type: 'fixed', name: 'F8', size: 8, logicalType: 'decimal', precision: 18, scale: 4 } },
    { name: 'day', type: { type: 'int', logicalType: 'date' } },
    { name: 'tm', type: { type: 'int', logicalType: 'time-millis' } },
    { name: 'tu', type: { type: 'long', logicalType: 'time-micros' } },
    { name: 'ts', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'tsu', type: { type: 'long', logicalType: 'timestamp-micros' } },
    { name: 'id', type: { type: 'string', logicalType: 'uuid' } },
  ],
};

describe('AvroSerializationSchema / AvroDeserializationSchema', () => {
  it('round-trips generic records as raw binary', () => {
    const ser = AvroSerializationSchema.forGeneric(user);
    const de = AvroDeserializationSchema.forGeneric<{ id: number; name: string; email: string | null }>(JSON.stringify(user));
    const bytes = ser.serialize({ id: 1, name: 'ada', email: null });
    expect(Array.from(bytes)).toEqual([2, 6, 0x61, 0x64, 0x61, 0]);
    expect({ ...de.deserialize(bytes) }).toEqual({ id: 1, name: 'ada', email: null });
  });

  it('maps logical types', () => {
    const ser = AvroSerializationSchema.forGeneric(logical);
    const de = AvroDeserializationSchema.forGeneric(logical);
    const value = {
      price: '-12.34',
      fixedPrice: '99999999999999.9999',
      day: new Date(Date.UTC(2024, 1, 29)),
      tm: 3_723_004,
      tu: 3_723_004_005,
      ts: new Date(Date.UTC(2024, 1, 29, 1, 2, 3, 4)),
      tsu: 1_709_168_523_004_005n,
      id: '123e4567-e89b-12d3-a456-426614174000',
    };
    expect({ ...de.deserialize(ser.serialize(value)) }).toEqual(value);
    expect({ ...de.deserialize(ser.serialize({ ...value, price: '5' })) }).toMatchObject({ price: '5.00' });
  });

  it('resolves a writer schema to the reader schema (added field with default, removed field)', () => {
    const writer = { ...user, fields: [...user.fields, { name: 'age', type: 'int' }] };
    const reader = { ...user, fields: [user.fields[0], user.fields[1], { name: 'country', type: 'string', default: 'NL' }] };
    const bytes = AvroSerializationSchema.forGeneric(writer).serialize({ id: 5, name: 'x', email: 'e', age: 40 });
    const de = AvroDeserializationSchema.forGeneric(reader, { writerSchema: writer });
    expect({ ...de.deserialize(bytes) }).toEqual({ id: 5, name: 'x', country: 'NL' });
  });

  it('writes records of any size, small ones again after large ones (raw and wire format)', () => {
    const ser = AvroSerializationSchema.forGeneric(user);
    const de = AvroDeserializationSchema.forGeneric(user);
    const wire = ConfluentRegistryAvroSerializationSchema.forGeneric(user, 'http://127.0.0.1:9', { topic: 't', schemaId: 258 });
    for (const size of [3, 20_000, 5, 1_500_000, 7]) {
      const value = { id: size, name: 'x'.repeat(size), email: null };
      const bytes = ser.serialize(value);
      expect(de.deserialize(bytes).name === value.name).toBe(true);
      const framed = Buffer.concat([Buffer.from([0, 0, 0, 1, 2]), bytes]);
      expect(Buffer.from(wire.serialize(value)).equals(framed)).toBe(true);
    }
  });

  it('reads longs as bigint when asked', () => {
    const schema = { type: 'record', name: 'L', fields: [{ name: 'n', type: 'long' }, { name: 't', type: { type: 'long', logicalType: 'timestamp-millis' } }] };
    const ser = AvroSerializationSchema.forGeneric(schema, { longs: 'bigint' });
    const de = AvroDeserializationSchema.forGeneric(schema, { longs: 'bigint' });
    const value = { n: -(2n ** 63n), t: new Date(1) };
    expect({ ...de.deserialize(ser.serialize(value)) }).toEqual(value);
  });

  it('stores produced records in state', () => {
    const de = AvroDeserializationSchema.forGeneric(user);
    const serializer = de.producedType.createSerializer();
    const out = new DataOutput();
    serializer.serialize({ id: 2, name: 'b', email: 'c' }, out);
    expect({ ...serializer.deserialize(new DataInput(out.toBytes())) }).toEqual({ id: 2, name: 'b', email: 'c' });
    expect(de.producedType.name).toBe('avro<example.User>');
  });
});

describe('producedType state evolution', () => {
  it('reads state written under an older schema through schema resolution', () => {
    const v1 = { type: 'record', name: 'S', fields: [{ name: 'a', type: 'int' }, { name: 'gone', type: 'string' }] };
    const v2 = { type: 'record', name: 'S', fields: [{ name: 'a', type: 'long' }, { name: 'added', type: 'string', default: 'd' }] };
    const old = AvroDeserializationSchema.forGeneric(v1).producedType.createSerializer();
    const out = new DataOutput();
    old.serialize({ a: 1, gone: 'x' }, out);
    const current = AvroDeserializationSchema.forGeneric(v2).producedType.createSerializer();
    const read = current.readerFor(old.snapshot());
    expect({ ...(read(new DataInput(out.toBytes())) as object) }).toEqual({ a: 1, added: 'd' });
    const incompatible = AvroDeserializationSchema.forGeneric({ type: 'record', name: 'S', fields: [{ name: 'a', type: 'string' }] });
    expect(() => incompatible.producedType.createSerializer().readerFor(old.snapshot())).toThrow(
      expect.objectContaining({ code: 'STATE_INCOMPATIBLE' }),
    );
  });
});
