// The registry client and the Confluent wire-format schemas against a real schema registry
// (Apicurio Registry's Confluent-compatible API, started by test/global-setup.ts).
import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import {
  AvroErrorCode,
  AvroSerdeError,
  ConfluentRegistryAvroDeserializationSchema,
  ConfluentRegistryAvroSerializationSchema,
  SchemaRegistryClient,
} from '../src/index.js';
import { FULL_RECORD, FULL_SCHEMA, PERSON_V1, PERSON_V2 } from './fixtures/schemas.js';

const url = inject('sluiceSchemaRegistryUrl');
const unique = (prefix: string): string => `${prefix}-${randomBytes(5).toString('hex')}`;

async function thrown(promise: Promise<unknown> | (() => unknown)): Promise<AvroSerdeError> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    expect(error).toBeInstanceOf(AvroSerdeError);
    return error as AvroSerdeError;
  }
  throw new Error('expected an AvroSerdeError');
}

describe('SchemaRegistryClient against the real registry', () => {
  const client = SchemaRegistryClient.create({ url });

  it('registers, gets by id, looks up and checks compatibility', async () => {
    const subject = unique('people-value');
    const v1 = JSON.stringify(PERSON_V1);
    const id = await client.register(subject, v1);
    expect(await client.register(subject, v1)).toBe(id);
    expect(JSON.parse(await client.getSchemaById(id))).toEqual(PERSON_V1);
    expect(await client.lookup(subject, v1)).toEqual({ id, version: 1 });
    expect(await client.testCompatibility(subject, JSON.stringify(PERSON_V2))).toBe(true);
    const breaking = { ...PERSON_V1, fields: [{ name: 'id', type: 'string' }] };
    expect(await client.testCompatibility(subject, JSON.stringify(breaking))).toBe(false);
    const error = await thrown(client.register(subject, JSON.stringify(breaking)));
    expect(error.code).toBe(AvroErrorCode.SERDE_INCOMPATIBLE_SCHEMA);
    expect(error.message).toContain(`subject ${subject}`);
  });

  it('unknown schema id → SERDE_UNKNOWN_SCHEMA_ID naming the id and the URL', async () => {
    const error = await thrown(client.getSchemaById(987_654));
    expect(error.code).toBe(AvroErrorCode.SERDE_UNKNOWN_SCHEMA_ID);
    expect(error.schemaId).toBe(987_654);
    expect(error.message).toContain('Schema id 987654');
    expect(error.message).toContain(url);
    expect(error.retriable).toBe(false);
  });

  it('lookup of an unregistered schema → SERDE_SCHEMA_NOT_REGISTERED', async () => {
    const error = await thrown(client.lookup(unique('nobody-value'), JSON.stringify(PERSON_V1)));
    expect(error.code).toBe(AvroErrorCode.SERDE_SCHEMA_NOT_REGISTERED);
    expect(error.message).toMatch(/set autoRegister: true/);
  });

  it('credentials in the URL are used but never shown', async () => {
    const withCredentials = SchemaRegistryClient.create({ url: url.replace('http://', 'http://alice:s3cr3t@') });
    expect(withCredentials.url).toBe(url);
    const error = await thrown(withCredentials.getSchemaById(987_655));
    expect(error.code).toBe(AvroErrorCode.SERDE_UNKNOWN_SCHEMA_ID);
    expect(`${error.message} ${String(error.registryUrl)}`).not.toContain('s3cr3t');
  });
});

describe('Confluent wire format against the real registry', () => {
  it('serializer (auto-register) → deserializer with another reader schema (reference §9.36)', async () => {
    const topic = unique('people');
    const serializer = ConfluentRegistryAvroSerializationSchema.forGeneric(PERSON_V1, url, { topic, autoRegister: true });
    await serializer.open();
    const bytes = serializer.serialize({ id: 42, name: 'ann', age: 7 });
    expect(bytes[0]).toBe(0);
    const id = Buffer.from(bytes).readInt32BE(1);
    expect(id).toBe(serializer.id);
    expect(serializer.subject).toBe(`${topic}-value`);

    const deserializer = ConfluentRegistryAvroDeserializationSchema.forGeneric(PERSON_V2, url);
    expect({ ...(await deserializer.deserialize(bytes)) }).toEqual({ id: 42, name: 'ann', email: 'none' });
    // The writer schema is cached: the second record decodes without a registry round trip.
    const second = deserializer.deserialize(bytes);
    expect(second).not.toBeInstanceOf(Promise);
  });

  it('round-trips every logical type through the registry', async () => {
    const serializer = ConfluentRegistryAvroSerializationSchema.forGeneric(FULL_SCHEMA, url, { topic: unique('full'), autoRegister: true });
    await serializer.open();
    const deserializer = ConfluentRegistryAvroDeserializationSchema.forGeneric(FULL_SCHEMA, url);
    const record = await deserializer.deserialize(serializer.serialize(FULL_RECORD));
    expect(record['tsu']).toBe(FULL_RECORD.tsu);
    expect(record['big']).toBe(FULL_RECORD.big);
    expect(record['day']).toEqual(FULL_RECORD.day);
  });

  it('auto-register is off by default: open() fails when the subject lacks the schema', async () => {
    const serializer = ConfluentRegistryAvroSerializationSchema.forGeneric(PERSON_V1, url, { topic: unique('managed') });
    const error = await thrown(serializer.open());
    expect(error.code).toBe(AvroErrorCode.SERDE_SCHEMA_NOT_REGISTERED);
    expect(() => serializer.serialize({ id: 1, name: 'x', age: 1 })).toThrow(/await open\(\)/);
  });

  it('looks up a pre-registered schema when auto-register is off', async () => {
    const topic = unique('managed');
    const client = SchemaRegistryClient.create({ url });
    const serializer = ConfluentRegistryAvroSerializationSchema.forGeneric(PERSON_V1, client, { topic });
    const id = await client.register(`${topic}-value`, JSON.stringify(PERSON_V1));
    await serializer.open();
    expect(serializer.id).toBe(id);
  });

  it('names subjects with the record and topic-record strategies', async () => {
    const topic = unique('strategies');
    const namespaceName = 'dev.sluice.interop.Person';
    const record = ConfluentRegistryAvroSerializationSchema.forGeneric(PERSON_V1, url, { subjectNameStrategy: 'record', autoRegister: true });
    const topicRecord = ConfluentRegistryAvroSerializationSchema.forGeneric(PERSON_V1, url, {
      topic,
      subjectNameStrategy: 'topic-record',
      autoRegister: true,
    });
    const key = ConfluentRegistryAvroSerializationSchema.forGeneric('"string"', url, { topic, isKey: true, autoRegister: true });
    await Promise.all([record.open(), topicRecord.open(), key.open()]);
    expect([record.subject, topicRecord.subject, key.subject]).toEqual([namespaceName, `${topic}-${namespaceName}`, `${topic}-key`]);
    const subjects = (await (await fetch(`${url}/subjects`)).json()) as string[];
    expect(subjects).toEqual(expect.arrayContaining([namespaceName, `${topic}-${namespaceName}`, `${topic}-key`]));
  });

  it('a writer schema that cannot be resolved to the reader → SERDE_SCHEMA_RESOLUTION', async () => {
    const writerSchema = { type: 'record', name: 'Person', namespace: 'dev.sluice.interop', fields: [{ name: 'id', type: 'string' }] };
    const serializer = ConfluentRegistryAvroSerializationSchema.forGeneric(writerSchema, url, { topic: unique('clash'), autoRegister: true });
    await serializer.open();
    const deserializer = ConfluentRegistryAvroDeserializationSchema.forGeneric(PERSON_V1, url);
    const error = await thrown(Promise.resolve().then(() => deserializer.deserialize(serializer.serialize({ id: 'x' }))));
    expect(error.code).toBe(AvroErrorCode.SERDE_SCHEMA_RESOLUTION);
    expect(error.schemaId).toBe(serializer.id);
    expect(error.message).toContain(`(id ${String(serializer.id)})`);
  });
});
