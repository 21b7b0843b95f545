// The bad-input corpus of @sluice/serialization-avro: each case asserts the exact code and the key
// facts of the message. Registry cases use the real registry from test/global-setup.ts.
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import avro from 'avsc';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { isSluiceError } from '@sluice/core';
import type { SluiceError } from '@sluice/core';
import {
  AvroContainerWriter,
  AvroDeserializationSchema,
  AvroSerializationSchema,
  ConfluentRegistryAvroDeserializationSchema,
  ConfluentRegistryAvroSerializationSchema,
  readAvroContainer,
  SchemaRegistryClient,
  writeAvroContainer,
} from '../src/index.js';
import { FULL_RECORD, FULL_SCHEMA, PERSON_V1 } from './fixtures/schemas.js';

const url = inject('sluiceSchemaRegistryUrl');
const person = AvroSerializationSchema.forGeneric(PERSON_V1);
const personReader = AvroDeserializationSchema.forGeneric(PERSON_V1);
const full = AvroSerializationSchema.forGeneric(FULL_SCHEMA);
const personBytes = Buffer.from(person.serialize({ id: 1, name: 'abc', age: 2 }));
const registryReader = ConfluentRegistryAvroDeserializationSchema.forGeneric(PERSON_V1, url);

let personId = 0;
let closedPort = 0;

beforeAll(async () => {
  const serializer = ConfluentRegistryAvroSerializationSchema.forGeneric(PERSON_V1, url, { topic: 'corpus', autoRegister: true });
  await serializer.open();
  personId = serializer.id ?? 0;
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  closedPort = (server.address() as AddressInfo).port;
  await new Promise((done) => server.close(done));
});

const wire = (id: number, body: Uint8Array): Uint8Array => {
  const out = Buffer.alloc(5 + body.length);
  out.writeInt32BE(id, 1);
  out.set(body, 5);
  return out;
};

const HEADER = avro.Type.forSchema({
  type: 'record',
  name: 'org.apache.avro.file.Header',
  fields: [
    { name: 'magic', type: { type: 'fixed', name: 'Magic', size: 4 } },
    { name: 'meta', type: { type: 'map', values: 'bytes' } },
    { name: 'sync', type: { type: 'fixed', name: 'Sync', size: 16 } },
  ],
});

interface Case {
  name: string;
  run: () => unknown;
  code: string;
  message: RegExp[];
  check?: (error: SluiceError & Record<string, unknown>) => void;
}

const cases: Case[] = [
  // Confluent wire format
  { name: 'wrong magic byte', run: () => registryReader.deserialize(Buffer.from([1, 0, 0, 0, 1, 2])), code: 'SERDE_MAGIC_BYTE', message: [/expected .*magic byte 0x00/, /found 0x01 \(first bytes: 01 00 00 00 01 02\)/] },
  { name: 'JSON text instead of wire format', run: () => registryReader.deserialize(Buffer.from('{"id":1}')), code: 'SERDE_MAGIC_BYTE', message: [/found 0x7b/] },
  { name: 'empty message', run: () => registryReader.deserialize(new Uint8Array()), code: 'SERDE_MAGIC_BYTE', message: [/found an empty message/] },
  { name: 'header shorter than 5 bytes', run: () => registryReader.deserialize(Buffer.from([0, 0, 1])), code: 'SERDE_MAGIC_BYTE', message: [/found only 3 bytes \(00 00 01\)/] },
  { name: 'unknown schema id (registry 404 / 40403)', run: () => registryReader.deserialize(wire(424_242, personBytes)), code: 'SERDE_UNKNOWN_SCHEMA_ID', message: [/Schema id 424242 is unknown/, new RegExp(url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))], check: (e) => expect(e['schemaId']).toBe(424_242) },
  { name: 'negative schema id', run: () => registryReader.deserialize(Buffer.from([0, 0xff, 0xff, 0xff, 0xff, 0])), code: 'SERDE_UNKNOWN_SCHEMA_ID', message: [/Schema id -1 is unknown/] },
  { name: 'truncated body after a valid header', run: () => registryReader.deserialize(wire(personId, personBytes.subarray(0, 3))), code: 'SERDE_AVRO_CORRUPT', message: [/writer schema id \d+/, /truncated/] },
  { name: 'trailing bytes after the body', run: () => registryReader.deserialize(wire(personId, Buffer.concat([personBytes, Buffer.from([9, 9])]))), code: 'SERDE_AVRO_CORRUPT', message: [/expected 6 bytes for the value, found 8 \(2 trailing bytes\)/] },
  {
    name: 'registry unreachable (retried, then a clear error)',
    run: () =>
      ConfluentRegistryAvroDeserializationSchema.forGeneric(PERSON_V1, {
        url: `http://bob:hunter2@127.0.0.1:${closedPort}`,
        retry: { retries: 2, initialDelayMs: 5, maxDelayMs: 10 },
      }).deserialize(wire(1, personBytes)),
    code: 'SERDE_REGISTRY_UNAVAILABLE',
    message: [/failed 3 times/, /ECONNREFUSED/, /may be retried/],
    check: (e) => {
      expect(e.retriable).toBe(true);
      expect(e.message).not.toContain('hunter2');
    },
  },
  {
    name: 'writer schema that cannot be resolved to the reader',
    run: async () => {
      const writer = ConfluentRegistryAvroSerializationSchema.forGeneric({ type: 'record', name: 'Clash', fields: [{ name: 'n', type: 'string' }] }, url, { topic: 'corpus-clash', autoRegister: true });
      await writer.open();
      const reader = ConfluentRegistryAvroDeserializationSchema.forGeneric({ type: 'record', name: 'Clash', fields: [{ name: 'n', type: 'int' }] }, url);
      return reader.deserialize(writer.serialize({ n: 'x' }));
    },
    code: 'SERDE_SCHEMA_RESOLUTION',
    message: [/writer schema Clash \(id \d+\) cannot be resolved to the reader schema Clash/],
  },
  { name: 'sink schema not registered, auto-register off', run: () => ConfluentRegistryAvroSerializationSchema.forGeneric(PERSON_V1, url, { topic: 'corpus-unregistered' }).open(), code: 'SERDE_SCHEMA_NOT_REGISTERED', message: [/subject corpus-unregistered-value/, /autoRegister: true/] },
  { name: 'invalid schema text registered', run: () => SchemaRegistryClient.create({ url }).register('corpus-bad', '{"type":"nope"}'), code: 'SERDE_INVALID_SCHEMA', message: [/refused POST subjects\/corpus-bad\/versions/] },
  // Raw Avro binary
  { name: 'raw: truncated string', run: () => personReader.deserialize(personBytes.subarray(0, 3)), code: 'SERDE_AVRO_CORRUPT', message: [/as dev\.sluice\.interop\.Person: expected more bytes than the 3 present \(truncated body\)/] },
  { name: 'raw: empty message for a record', run: () => personReader.deserialize(new Uint8Array()), code: 'SERDE_AVRO_CORRUPT', message: [/truncated/] },
  { name: 'raw: trailing bytes', run: () => personReader.deserialize(Buffer.concat([personBytes, Buffer.from([0])])), code: 'SERDE_AVRO_CORRUPT', message: [/1 trailing bytes/] },
  { name: 'raw: union branch index out of range', run: () => AvroDeserializationSchema.forGeneric(['null', 'string']).deserialize(Buffer.from([10, 2, 0x61])), code: 'SERDE_AVRO_CORRUPT', message: [/invalid union index: 5/] },
  { name: 'raw: enum index out of range', run: () => AvroDeserializationSchema.forGeneric({ type: 'enum', name: 'E', symbols: ['A'] }).deserialize(Buffer.from([10])), code: 'SERDE_AVRO_CORRUPT', message: [/invalid E enum index: 5/] },
  { name: 'raw: long beyond 2^53 as number', run: () => AvroDeserializationSchema.forGeneric('long').deserialize(Buffer.from([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01])), code: 'SERDE_AVRO_CORRUPT', message: [/precision loss/, /longs: 'bigint'/] },
  { name: 'raw: unresolvable writer schema at create()', run: () => AvroDeserializationSchema.forGeneric(PERSON_V1, { writerSchema: { ...PERSON_V1, fields: [{ name: 'id', type: 'string' }] } }), code: 'SERDE_SCHEMA_RESOLUTION', message: [/cannot be resolved to the reader schema dev\.sluice\.interop\.Person/] },
  { name: 'raw: invalid reader schema at create()', run: () => AvroDeserializationSchema.forGeneric({ type: 'record', name: 'R', fields: [{ name: 'a', type: 'nope' }] }), code: 'CONFIG_INVALID', message: [/Option schema is not a valid Avro schema/] },
  // Writing
  { name: 'write: missing field', run: () => person.serialize({ id: 1, age: 2 } as never), code: 'SERDE_AVRO_INVALID_VALUE', message: [/\$\.name: expected string, found undefined/] },
  { name: 'write: wrong type', run: () => person.serialize({ id: '1', name: 'a', age: 2 }), code: 'SERDE_AVRO_INVALID_VALUE', message: [/\$\.id: expected long, found string "1"/] },
  { name: 'write: unsafe long as number', run: () => person.serialize({ id: 2 ** 60, name: 'a', age: 2 }), code: 'SERDE_AVRO_INVALID_VALUE', message: [/\$\.id: expected long, found number/] },
  { name: 'write: decimal with more digits than its scale', run: () => full.serialize({ ...FULL_RECORD, price: '1.234' }), code: 'SERDE_AVRO_INVALID_VALUE', message: [/\$\.price: expected logical:decimal, found string "1\.234"/] },
  { name: 'write: decimal beyond its precision', run: () => full.serialize({ ...FULL_RECORD, price: '12345678.00' }), code: 'SERDE_AVRO_INVALID_VALUE', message: [/\$\.price/] },
  { name: 'write: invalid uuid', run: () => full.serialize({ ...FULL_RECORD, uid: 'not-a-uuid' }), code: 'SERDE_AVRO_INVALID_VALUE', message: [/\$\.uid: expected logical:uuid, found string "not-a-uuid"/] },
  { name: 'write: time-millis beyond a day', run: () => full.serialize({ ...FULL_RECORD, tm: 86_400_000 }), code: 'SERDE_AVRO_INVALID_VALUE', message: [/\$\.tm: expected logical:time-millis, found number 86400000/] },
  { name: 'write: invalid Date', run: () => full.serialize({ ...FULL_RECORD, ts: new Date(Number.NaN) }), code: 'SERDE_AVRO_INVALID_VALUE', message: [/\$\.ts: expected logical:timestamp-millis, found Date Invalid Date/] },
  { name: 'write: nested field', run: () => full.serialize({ ...FULL_RECORD, inner: { x: 1.5 } }), code: 'SERDE_AVRO_INVALID_VALUE', message: [/\$\.inner\.x: expected int, found number 1\.5/] },
  // Container files
  { name: 'container: not a container file', run: () => readAvroContainer(Buffer.from('PAR1....')), code: 'SERDE_CONTAINER_FILE', message: [/expected the magic bytes 4f 62 6a 01/, /found 50 41 52 31/] },
  { name: 'container: empty file', run: () => readAvroContainer(new Uint8Array()), code: 'SERDE_CONTAINER_FILE', message: [/found an empty file/] },
  {
    name: 'container: corrupt sync marker',
    run: () => {
      const file = Buffer.from(writeAvroContainer(PERSON_V1, [{ id: 1, name: 'a', age: 1 }]));
      file[file.length - 1] = (file[file.length - 1] ?? 0) ^ 0xff;
      return readAvroContainer(file);
    },
    code: 'SERDE_CONTAINER_FILE',
    message: [/block 0 at byte \d+: expected the sync marker/],
  },
  { name: 'container: truncated block', run: () => readAvroContainer(Buffer.from(writeAvroContainer(PERSON_V1, [{ id: 1, name: 'a', age: 1 }])).subarray(0, -5)), code: 'SERDE_CONTAINER_FILE', message: [/\(truncated\)/] },
  {
    name: 'container: unsupported codec',
    run: () =>
      readAvroContainer(
        HEADER.toBuffer({
          magic: Buffer.from('Obj\x01', 'latin1'),
          meta: { 'avro.schema': Buffer.from('"int"'), 'avro.codec': Buffer.from('snappy') },
          sync: Buffer.alloc(16),
        }),
      ),
    code: 'SERDE_CONTAINER_FILE',
    message: [/codec snappy is not supported \(expected null or deflate\)/],
  },
  { name: 'container: bad sync marker option', run: () => AvroContainerWriter.create(PERSON_V1, { syncMarker: new Uint8Array(3) }), code: 'CONFIG_INVALID', message: [/syncMarker must be 16 bytes, got 3/] },
];

describe('bad-input corpus (Avro)', () => {
  it('has at least 25 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(25);
  });

  it.each(cases)('$name → $code', async ({ run, code, message, check }) => {
    let thrown: unknown;
    try {
      await run();
    } catch (error) {
      thrown = error;
    }
    expect(isSluiceError(thrown), `expected a SluiceError, got ${String(thrown)}`).toBe(true);
    const error = thrown as SluiceError & Record<string, unknown>;
    expect(error.code).toBe(code);
    for (const pattern of message) expect(error.message).toMatch(pattern);
    expect(error.message.length).toBeLessThan(800);
    check?.(error);
  });
});
