// Byte-level interop with Apache Avro's Java library (1.12): Java reads what Sluice writes and
// Sluice reads what Java writes — raw binary and container files, logical types, schema evolution.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AvroDeserializationSchema,
  AvroSerializationSchema,
  readAvroContainer,
  writeAvroContainer,
} from '../src/index.js';
import { FULL_RECORD, FULL_RECORD_JAVA, FULL_SCHEMA, PERSON_V1, PERSON_V2 } from './fixtures/schemas.js';
import { compileInterop, runInterop } from './support/java-interop.js';

let dir: string;
let javaOut: string[];

const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-avro-interop-'));
  mkdirSync(join(dir, 'schemas'));
  mkdirSync(join(dir, 'ts'));
  writeFileSync(join(dir, 'schemas', 'full.avsc'), JSON.stringify(FULL_SCHEMA));
  writeFileSync(join(dir, 'schemas', 'person-v1.avsc'), JSON.stringify(PERSON_V1));
  writeFileSync(join(dir, 'schemas', 'person-v2.avsc'), JSON.stringify(PERSON_V2));
  writeFileSync(join(dir, 'ts', 'full.bin'), AvroSerializationSchema.forGeneric(FULL_SCHEMA).serialize(FULL_RECORD));
  writeFileSync(join(dir, 'ts', 'person-v1.bin'), AvroSerializationSchema.forGeneric(PERSON_V1).serialize({ id: 9, name: 'zed', age: 3 }));
  writeFileSync(join(dir, 'ts', 'full-null.avro'), writeAvroContainer(FULL_SCHEMA, [FULL_RECORD, FULL_RECORD]));
  writeFileSync(join(dir, 'ts', 'full-deflate.avro'), writeAvroContainer(FULL_SCHEMA, [FULL_RECORD], { codec: 'deflate', blockRecords: 1 }));
  writeFileSync(
    join(dir, 'ts', 'person-v1.avro'),
    writeAvroContainer(PERSON_V1, [{ id: 1, name: 'a', age: 1 }, { id: 2, name: 'b', age: 2 }, { id: 3, name: 'c', age: 3 }], { blockRecords: 2 }),
  );
  const classpath = await compileInterop();
  javaOut = await runInterop(classpath, dir);
}, 600_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('Java reads what Sluice writes', () => {
  it('raw binary with every logical type', () => {
    expect(javaOut).toContain(`full.bin: ${FULL_RECORD_JAVA}`);
  });

  it('container files (null and deflate codecs)', () => {
    expect(javaOut).toContain(`full-null.avro#0: ${FULL_RECORD_JAVA}`);
    expect(javaOut).toContain(`full-null.avro#1: ${FULL_RECORD_JAVA}`);
    expect(javaOut).toContain('full-null.avro codec=null');
    expect(javaOut).toContain(`full-deflate.avro#0: ${FULL_RECORD_JAVA}`);
    expect(javaOut).toContain('full-deflate.avro codec=deflate');
  });

  it('schema evolution: v1 bytes read with the v2 reader (removed field skipped, added field defaulted)', () => {
    expect(javaOut).toContain('person-v1.bin as v2: {id=9, name=zed, email=none}');
    expect(javaOut.filter((l) => l.startsWith('person-v1.avro#'))).toEqual([
      'person-v1.avro#0: {id=1, name=a, email=none}',
      'person-v1.avro#1: {id=2, name=b, email=none}',
      'person-v1.avro#2: {id=3, name=c, email=none}',
    ]);
  });
});

describe('Sluice reads what Java writes', () => {
  it('writes the same bytes as Java for the same record', () => {
    const java = readFileSync(join(dir, 'java', 'full.bin'));
    expect(Buffer.from(AvroSerializationSchema.forGeneric(FULL_SCHEMA).serialize(FULL_RECORD)).equals(java)).toBe(true);
  });

  it('raw binary with every logical type', () => {
    const record = AvroDeserializationSchema.forGeneric(FULL_SCHEMA).deserialize(readFileSync(join(dir, 'java', 'full.bin')));
    expect(plain(record)).toEqual(plain(FULL_RECORD));
    expect(record['tsu']).toBe(FULL_RECORD.tsu);
    expect(record['day']).toEqual(FULL_RECORD.day);
  });

  it('container files (deflate and null codecs)', () => {
    const deflate = readAvroContainer(readFileSync(join(dir, 'java', 'full-deflate.avro')));
    expect(deflate.codec).toBe('deflate');
    expect(deflate.records.map(plain)).toEqual([plain(FULL_RECORD), plain(FULL_RECORD)]);
    expect(JSON.parse(deflate.writerSchema)).toMatchObject({ name: 'Full', namespace: 'dev.sluice.interop' });
    const none = readAvroContainer(readFileSync(join(dir, 'java', 'full-null.avro')));
    expect(none.records.map(plain)).toEqual([plain(FULL_RECORD)]);
  });

  it('schema evolution: Java v1 data read with the v2 reader', () => {
    const raw = AvroDeserializationSchema.forGeneric(PERSON_V2, { writerSchema: PERSON_V1 }).deserialize(
      readFileSync(join(dir, 'java', 'person-v1.bin')),
    );
    expect({ ...raw }).toEqual({ id: 7, name: 'ann', email: 'none' });
    const file = readAvroContainer(readFileSync(join(dir, 'java', 'person-v1.avro')), { readerSchema: PERSON_V2 });
    expect(file.records.map((r) => ({ ...r }))).toEqual([
      { id: 1, name: 'a', email: 'none' },
      { id: 2, name: 'b', email: 'none' },
    ]);
  });
});
