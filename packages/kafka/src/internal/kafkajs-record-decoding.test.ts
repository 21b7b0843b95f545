import { createRequire } from 'node:module';
import type { Message } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaJsOriginal } from '../../test/fixtures/kafkajs-original.js';
import { planRecordBatch } from './record-batch-encoder.js';
import type { DecodedRecord, RecordBatchContext, RecordDecoderInput } from './kafkajs-record-decoding.js';
import { fastRecordDecoder, installFastRecordDecoding } from './kafkajs-record-decoding.js';

const require = createRequire(import.meta.url);

type DecoderClass = new (buffer: Buffer) => RecordDecoderInput & { readVarIntBytes(): Buffer };
const Decoder = require('kafkajs/src/protocol/decoder.js') as DecoderClass;
const original = kafkaJsOriginal<Parameters<typeof fastRecordDecoder>[0]>('kafkajs/src/protocol/recordBatch/record/v0/decoder.js');
const fast = fastRecordDecoder(original);

/** Decodes every record of an encoded batch with `decode`, as kafkajs's batch decoder calls it. */
function decodeAll(batch: Buffer, context: RecordBatchContext, decode: typeof original): DecodedRecord[] {
  const records = new Decoder(batch.subarray(61));
  const count = batch.readInt32BE(57);
  return Array.from({ length: count }, () => decode(new Decoder(records.readVarIntBytes()), context));
}

function batchOf(messages: Message[]): Buffer {
  const plan = planRecordBatch({ messages, transactional: false, producerId: -1n, producerEpoch: 0, firstSequence: 0, now: 1_764_000_000_000 })!;
  const batch = Buffer.alloc(plan.size);
  plan.writeTo(batch, 0);
  return batch;
}

const context = (overrides: Partial<RecordBatchContext> = {}): RecordBatchContext => ({
  firstOffset: '1234567',
  firstTimestamp: '1764000000000',
  maxTimestamp: '1764000009999',
  magicByte: 2,
  isControlBatch: false,
  timestampType: 0,
  ...overrides,
});

describe('fastRecordDecoder', () => {
  const messages: Message[] = [
    { key: 'k', value: 'v', timestamp: '1764000000005' },
    { key: null, value: null },
    { value: Buffer.alloc(300, 1), timestamp: '1763999990000' },
    { value: 'h', headers: { a: 'x', b: ['1', Buffer.from([2]), '3'], c: Buffer.from([]), 'ключ': 'значение', __proto__: 'p' } },
    ...Array.from({ length: 200 }, (_, i) => ({ key: `key-${i}`, value: `value ${i}` })),
  ];

  it.each<[string, RecordBatchContext]>([
    ['create-time batch', context()],
    ['log-append-time batch (the broker set the time)', context({ timestampType: 1 })],
    ['control batch', context({ isControlBatch: true })],
    ['offsets and timestamps near 2^53', context({ firstOffset: String(2 ** 53 - 300), firstTimestamp: String(2 ** 53 - 10_000_000_000_000) })],
    ['offsets beyond 2^53 (decoded by kafkajs)', context({ firstOffset: '9007199254740993' })],
  ])('returns what kafkajs returns: %s', (_name, batchContext) => {
    const batch = batchOf(messages);
    const ours = decodeAll(batch, batchContext, fast);
    const theirs = decodeAll(batch, batchContext, original);
    expect(ours).toEqual(theirs);
    expect(ours.map((r) => Object.keys(r))).toEqual(theirs.map((r) => Object.keys(r)));
    expect(ours.map((r) => Object.keys(r.headers))).toEqual(theirs.map((r) => Object.keys(r.headers)));
    expect(ours[0]?.batchContext).toBe(batchContext);
  });

  it('keeps a header named __proto__ as a header', () => {
    const [record] = decodeAll(batchOf([{ value: 'x', headers: { ['__proto__']: 'p' } }]), context(), fast);
    expect(Object.getPrototypeOf(record!.headers)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(record!.headers, '__proto__')?.value).toEqual(Buffer.from('p'));
  });

  it('is what kafkajs decodes records with once the module loaded', () => {
    expect(installFastRecordDecoding()).toBe(true);
  });
});
