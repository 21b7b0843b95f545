import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import type { Message } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaJsOriginal } from '../../test/fixtures/kafkajs-original.js';
import { planRecordBatch } from './record-batch-encoder.js';
import { FetchedRecordBatches, LazyBatch, lazyRecordSetDecoder } from './kafkajs-fetch-decoding.js';
import { markAbortedMessages } from './read-committed.js';
import type { AbortedTransaction, FetchedMessage } from './read-committed.js';

const require = createRequire(import.meta.url);
type DecoderClass = new (buffer: Buffer) => { buffer: Buffer; offset: number; readVarIntBytes(): Buffer | null };
const Decoder = require('kafkajs/src/protocol/decoder.js') as DecoderClass;
type DecodeMessages = Parameters<typeof lazyRecordSetDecoder>[0];
const originalDecode = kafkaJsOriginal<DecodeMessages>('kafkajs/src/protocol/requests/fetch/v4/decodeMessages.js');
const lazyDecode = lazyRecordSetDecoder(originalDecode, (module) => require(module) as unknown);
type BatchClass = new (topic: string, fetchedOffset: string, partitionData: object) => KafkaJsBatch;
const OriginalBatch = kafkaJsOriginal<BatchClass>('kafkajs/src/consumer/batch.js');

interface KafkaJsBatch {
  messages: FetchedMessage[];
  isEmpty(): boolean;
  isEmptyIncludingFiltered(): boolean;
  isEmptyDueToFiltering(): boolean;
  isEmptyControlRecord(): boolean;
  isEmptyDueToLogCompactedMessages(): boolean;
  firstOffset(): string | null;
  lastOffset(): string;
  offsetLag(): string;
  offsetLagLow(): string;
}

const ABORT = Buffer.from([0, 0, 0, 0]);
const COMMIT = Buffer.from([0, 0, 0, 1]);
const GZIP = 1;
const CONTROL = 0x20;

interface BatchSpec {
  readonly baseOffset: number;
  readonly messages: Message[];
  readonly producerId?: bigint;
  readonly transactional?: boolean;
  readonly control?: boolean;
  readonly gzip?: boolean;
  readonly logAppendTime?: number;
}

/** A v2 record batch as the broker returns it (the CRC is not checked by kafkajs nor here). */
function batch(spec: BatchSpec): Buffer {
  const plan = planRecordBatch({
    messages: spec.messages,
    transactional: spec.transactional ?? false,
    producerId: spec.producerId ?? -1n,
    producerEpoch: 0,
    firstSequence: 0,
    now: 1_764_000_000_000,
  })!;
  let bytes = Buffer.alloc(plan.size);
  plan.writeTo(bytes, 0);
  bytes.writeBigInt64BE(BigInt(spec.baseOffset), 0);
  if (spec.control === true) bytes.writeInt16BE(bytes.readInt16BE(21) | CONTROL, 21);
  if (spec.logAppendTime !== undefined) {
    bytes.writeInt16BE(bytes.readInt16BE(21) | 0x08, 21);
    bytes.writeBigInt64BE(BigInt(spec.logAppendTime), 35);
  }
  if (spec.gzip === true) {
    const records = gzipSync(bytes.subarray(61));
    bytes = Buffer.concat([bytes.subarray(0, 61), records]);
    bytes.writeInt32BE(bytes.length - 12, 8);
    bytes.writeInt16BE(bytes.readInt16BE(21) | GZIP, 21);
  }
  return bytes;
}

const values = (from: number, count: number): Message[] =>
  Array.from({ length: count }, (_, i) => ({ key: `k${from + i}`, value: `value ${from + i}`, timestamp: String(1_764_000_000_000 + from + i) }));

/** A partition's record set: its size, then the batches; `cut` bytes of the last batch missing. */
function recordSet(batches: Buffer[], cut = 0): Buffer {
  const body = Buffer.concat(batches);
  const set = Buffer.alloc(4 + body.length - cut);
  set.writeInt32BE(body.length - cut, 0);
  body.copy(set, 4, 0, body.length - cut);
  return set;
}

/** Offsets 100–119: plain, gzip, a committed and an aborted transaction with their markers, headers. */
function mixedBatches(): Buffer[] {
  return [
    batch({ baseOffset: 100, messages: values(100, 5) }),
    batch({ baseOffset: 105, messages: values(105, 3), gzip: true }),
    batch({ baseOffset: 108, messages: values(108, 2), producerId: 7n, transactional: true }),
    batch({ baseOffset: 110, messages: values(110, 2), producerId: 9n, transactional: true }),
    batch({ baseOffset: 112, messages: [{ key: COMMIT, value: Buffer.alloc(6) }], producerId: 7n, transactional: true, control: true }),
    batch({ baseOffset: 113, messages: [{ key: ABORT, value: Buffer.alloc(6) }], producerId: 9n, transactional: true, control: true }),
    batch({
      baseOffset: 114,
      messages: [
        { key: null, value: null },
        { value: 'h', headers: { a: 'x', b: ['1', Buffer.from([2])], __proto__: 'p' } },
        ...values(116, 4),
      ],
    }),
  ];
}

const ABORTED: AbortedTransaction[] = [{ producerId: '9', firstOffset: '110' }];

async function decodeWith(decode: DecodeMessages, set: Buffer): Promise<unknown> {
  const decoder = new Decoder(set);
  const result = await decode(decoder);
  expect(decoder.offset).toBe(set.length);
  return result;
}

/** What the source read from kafkajs's messages before (kafka-fetcher.ts), for comparison. */
function asSourceRecord(m: FetchedMessage & Record<string, unknown>): object {
  const headers = Object.fromEntries(Object.entries(m['headers'] as object).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
  return { key: m.key ?? null, value: m['value'] ?? null, offset: Number(m.offset), timestamp: Number(m['timestamp']), headers };
}

describe('lazy record-set decoding', () => {
  it('decodes, when asked, exactly the messages kafkajs decodes (plain, gzip, control batches, headers)', async () => {
    const set = recordSet(mixedBatches());
    const lazy = (await decodeWith(lazyDecode, set)) as FetchedRecordBatches;
    expect(lazy).toBeInstanceOf(FetchedRecordBatches);
    expect(lazy.recordCount).toBe(20);
    expect(lazy.toMessages()).toEqual(await decodeWith(originalDecode, set));
  });

  it('drops a last batch cut off by the fetch size, as kafkajs does', async () => {
    const set = recordSet(mixedBatches(), 10);
    const lazy = (await decodeWith(lazyDecode, set)) as FetchedRecordBatches;
    expect(lazy.recordCount).toBe(14);
    expect(lazy.toMessages()).toEqual(await decodeWith(originalDecode, set));
  });

  it('leaves to kafkajs what numbers cannot hold (offsets beyond 2^53) and empty record sets', async () => {
    const big = recordSet([batch({ baseOffset: 2 ** 53 + 2, messages: values(0, 2) })]);
    const decoded = await decodeWith(lazyDecode, big);
    expect(Array.isArray(decoded)).toBe(true);
    expect(decoded).toEqual(await decodeWith(originalDecode, big));
    const empty = Buffer.from([0, 0, 0, 0]);
    expect(await decodeWith(lazyDecode, empty)).toEqual([]);
  });

  it.each([
    ['from the first offset', '100'],
    ['from inside a batch', '102'],
    ['from inside the aborted transaction', '111'],
    ['from the markers', '112'],
    ['beyond every record (log compaction)', '125'],
  ])('a LazyBatch answers as kafkajs`s Batch and hands out the same records: %s', async (_name, fetchedOffset) => {
    const set = recordSet(mixedBatches());
    // kafkajs's Batch over its decoded messages, aborted records marked by the read_committed filter
    const messages = (await decodeWith(originalDecode, set)) as FetchedMessage[];
    markAbortedMessages(messages, ABORTED);
    const partition = { partition: 3, highWatermark: '130', abortedTransactions: [] };
    const theirs = new OriginalBatch('t', fetchedOffset, { ...partition, messages });
    const records = (await decodeWith(lazyDecode, set)) as FetchedRecordBatches;
    records.decodeLazily();
    expect(records.markAborted(ABORTED)).toBe(1);
    const ours = new LazyBatch('t', fetchedOffset, { ...partition, messages: records });

    for (const method of [
      'isEmpty',
      'isEmptyIncludingFiltered',
      'isEmptyDueToFiltering',
      'isEmptyControlRecord',
      'isEmptyDueToLogCompactedMessages',
      'firstOffset',
      'lastOffset',
      'offsetLag',
      'offsetLagLow',
    ] as const) {
      expect([method, ours[method]()]).toEqual([method, theirs[method]()]);
    }
    expect(ours.messages.length).toBe(theirs.messages.length);
    expect(ours.messages.at(-1)?.offset).toBe(theirs.messages.at(-1)?.offset);
    const handedOut = Array.from({ length: ours.size }, (_, i) => ours.record(i));
    expect(handedOut.map(({ key, value, offset, timestamp, headers }) => ({ key, value, offset, timestamp, headers }))).toEqual(
      theirs.messages.map((m) => asSourceRecord(m as FetchedMessage & Record<string, unknown>)),
    );
    expect(handedOut.every((r) => r.topic === 't' && r.partition === 3)).toBe(true);
  });

  it('keeps a header named __proto__ as a header', async () => {
    const records = (await decodeWith(lazyDecode, recordSet([batch({ baseOffset: 0, messages: [{ value: 'x', headers: { ['__proto__']: 'p' } }] })]))) as FetchedRecordBatches;
    const [record] = [new LazyBatch('t', '0', { partition: 0, highWatermark: '1', messages: records }).record(0)];
    expect(Object.getPrototypeOf(record!.headers)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(record!.headers, '__proto__')?.value).toEqual([Buffer.from('p')]);
  });

  it('fails with the batch`s place when its records do not fill it (a corrupt batch)', async () => {
    const bytes = batch({ baseOffset: 40, messages: values(0, 3) });
    bytes.writeInt32BE(2, 57); // says 2 records, holds 3
    const records = (await decodeWith(lazyDecode, recordSet([bytes]))) as FetchedRecordBatches;
    expect(() => new LazyBatch('t', '40', { partition: 5, highWatermark: '43', messages: records })).toThrow(
      expect.objectContaining({ code: 'KAFKA_PROTOCOL', topic: 't', partition: 5, offset: 40 }),
    );
  });

  it('uses the broker`s time for log-append-time batches', async () => {
    const records = (await decodeWith(lazyDecode, recordSet([batch({ baseOffset: 0, messages: values(0, 2), logAppendTime: 1_800_000_000_000 })]))) as FetchedRecordBatches;
    const lazy = new LazyBatch('t', '0', { partition: 0, highWatermark: '2', messages: records });
    expect([lazy.record(0).timestamp, lazy.record(1).timestamp]).toEqual([1_800_000_000_000, 1_800_000_000_000]);
  });
});

describe('FetchedRecordBatches.markAborted (read_committed, batch by batch as the Java consumer)', () => {
  // Transactions of producers 1 and 2 interleaved; the broker lists aborted transactions in the
  // order of their markers (read-committed.test.ts has the message-level cases).
  const interleaved = (): Buffer[] => [
    batch({ baseOffset: 0, messages: values(0, 1), producerId: 1n, transactional: true }),
    batch({ baseOffset: 1, messages: values(1, 1), producerId: 2n, transactional: true }),
    batch({ baseOffset: 2, messages: values(2, 1), producerId: 1n, transactional: true }),
    batch({ baseOffset: 3, messages: [{ key: ABORT, value: Buffer.alloc(6) }], producerId: 2n, transactional: true, control: true }),
    batch({ baseOffset: 4, messages: [{ key: ABORT, value: Buffer.alloc(6) }], producerId: 1n, transactional: true, control: true }),
    batch({ baseOffset: 5, messages: values(5, 1), producerId: 1n, transactional: true }),
    batch({ baseOffset: 6, messages: [{ key: COMMIT, value: Buffer.alloc(6) }], producerId: 1n, transactional: true, control: true }),
    batch({ baseOffset: 7, messages: values(7, 1), producerId: 3n, transactional: true }),
  ];
  const aborted = [
    { producerId: '2', firstOffset: '1' },
    { producerId: '1', firstOffset: '0' },
  ];

  it.each(['0', '1', '2', '4'])('hides the same records as the message-level filter, fetched from offset %s', async (from) => {
    const set = recordSet(interleaved().filter((b) => b.readBigInt64BE(0) >= BigInt(from)));
    const messages = (await decodeWith(originalDecode, set)) as FetchedMessage[];
    markAbortedMessages(messages, aborted);
    const expected = messages.filter((m) => m.isControlRecord !== true).map((m) => Number(m.offset));
    const records = (await decodeWith(lazyDecode, set)) as FetchedRecordBatches;
    records.decodeLazily();
    records.markAborted(aborted);
    const lazy = new LazyBatch('t', from, { partition: 0, highWatermark: '8', messages: records });
    expect(Array.from({ length: lazy.size }, (_, i) => lazy.record(i).offset)).toEqual(expected);
  });
});
