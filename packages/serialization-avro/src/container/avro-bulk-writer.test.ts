import { describe, expect, it } from 'vitest';
import { readAvroContainer } from './avro-container-file.js';
import { AvroWriters } from './avro-bulk-writer.js';

const SCHEMA = { type: 'record', name: 'Event', fields: [{ name: 'id', type: 'long' }, { name: 'key', type: 'string' }] };

describe('AvroWriters.forGenericRecord', () => {
  it('writes the header at create, a block per blockRecords records and the rest at finish', async () => {
    const chunks: Uint8Array[] = [];
    const output = { write: (data: Uint8Array) => Promise.resolve(void chunks.push(data)) };
    const writer = await AvroWriters.forGenericRecord(SCHEMA, { blockRecords: 2, codec: 'deflate' }).create(output);
    expect(chunks).toHaveLength(1); // the header
    for (let id = 0; id < 5; id += 1) await writer.addElement({ id, key: `k${id}` });
    expect(chunks).toHaveLength(3); // two full blocks
    await writer.finish();
    expect(chunks).toHaveLength(4);
    const file = readAvroContainer<{ id: number; key: string }>(Buffer.concat(chunks));
    expect(file.codec).toBe('deflate');
    expect(file.records.map((r) => r.key)).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
  });

  it.each([
    ['blockRecords', () => AvroWriters.forGenericRecord(SCHEMA, { blockRecords: 0 })],
    ['codec', () => AvroWriters.forGenericRecord(SCHEMA, { codec: 'snappy' as 'null' })],
    ['metadata', () => AvroWriters.forGenericRecord(SCHEMA, { metadata: { 'avro.codec': 'x' } })],
  ])('rejects a bad %s when the factory is made', (option, make) => {
    expect(make).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', option }));
  });
});
