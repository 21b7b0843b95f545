import { describe, expect, it } from 'vitest';
import {
  decodeDescribeTransactionsV0,
  decodeListTransactionsV0,
  encodeDescribeTransactionsV0,
  encodeListTransactionsV0,
} from './transaction-admin-protocol.js';

const int16 = (v: number): number[] => [(v >> 8) & 0xff, v & 0xff];
const int32 = (v: number): number[] => [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
const int64 = (v: number): number[] => [0, 0, 0, 0, ...int32(v)];
const str = (s: string): number[] => [s.length + 1, ...Buffer.from(s)];

describe('ListTransactions v0 / DescribeTransactions v0 (flexible versions, KIP-482)', () => {
  it('encodes the request body after the header tag buffer, with compact arrays and strings', () => {
    expect([...encodeListTransactionsV0({ states: ['Ongoing'], producerIds: [] })]).toEqual([0, 2, ...str('Ongoing'), 1, 0]);
    expect([...encodeListTransactionsV0({ states: [], producerIds: [300] })]).toEqual([0, 1, 2, ...int64(300), 0]);
    expect([...encodeDescribeTransactionsV0(['a-1', 'b'])]).toEqual([0, 3, ...str('a-1'), ...str('b'), 0]);
  });

  it('writes lengths ≥ 128 as multi-byte unsigned varints', () => {
    const id = 'x'.repeat(200);
    expect([...encodeDescribeTransactionsV0([id]).subarray(0, 4)]).toEqual([0, 2, 0xc9, 0x01]);
  });

  it('decodes a ListTransactions response, skipping the response header tag buffer and unknown tagged fields', () => {
    const payload = Buffer.from([
      0, // response header tags
      ...int32(0), // throttle
      ...int16(0), // error
      1, // no unknown state filters
      2, // one transaction
      ...str('p-op-0'),
      ...int64(4003),
      ...str('Ongoing'),
      1, // one tagged field
      7, // tag
      2, // size
      9,
      9,
      0, // top-level tags
    ]);
    expect(decodeListTransactionsV0(payload)).toEqual({
      errorCode: 0,
      unknownStateFilters: [],
      transactions: [{ transactionalId: 'p-op-0', producerId: 4003, state: 'Ongoing' }],
    });
  });

  it('decodes a DescribeTransactions response with topics and partitions', () => {
    const payload = Buffer.from([
      0,
      ...int32(0),
      2, // one state
      ...int16(0),
      ...str('p-op-1'),
      ...str('Ongoing'),
      ...int32(60_000),
      ...int64(1_764_000_000),
      ...int64(12),
      ...int16(3),
      2, // one topic
      ...str('t'),
      3, // two partitions
      ...int32(0),
      ...int32(1),
      0,
      0,
      0,
    ]);
    expect(decodeDescribeTransactionsV0(payload)).toEqual([
      {
        errorCode: 0,
        transactionalId: 'p-op-1',
        state: 'Ongoing',
        transactionTimeoutMs: 60_000,
        transactionStartTimeMs: 1_764_000_000,
        producerId: 12,
        producerEpoch: 3,
        topics: [{ topic: 't', partitions: [0, 1] }],
      },
    ]);
  });

  it('refuses a truncated response with KAFKA_PROTOCOL', () => {
    expect(() => decodeListTransactionsV0(Buffer.from([0, 0, 0]))).toThrow(expect.objectContaining({ code: 'KAFKA_PROTOCOL' }));
  });
});
