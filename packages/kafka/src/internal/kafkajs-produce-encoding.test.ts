import { createRequire } from 'node:module';
import type { Message } from 'kafkajs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ProduceRequestArgs } from './kafkajs-produce-encoding.js';
import { kafkaJsOriginal } from '../../test/fixtures/kafkajs-original.js';
import { encodeProduceRequest, frameRequest, installFastProduceEncoding } from './kafkajs-produce-encoding.js';

const require = createRequire(import.meta.url);

interface Encoded {
  readonly buffer: Buffer;
}
type ProduceV3 = (args: ProduceRequestArgs) => { encode(): Promise<Encoded> };
const originalProduceV3 = kafkaJsOriginal<ProduceV3>('kafkajs/src/protocol/requests/produce/v3/request.js');
const Long = require('kafkajs/src/utils/long.js') as { fromValue(value: unknown): unknown };

const NOW = 1_764_000_000_000;

async function kafkaJsBytes(args: ProduceRequestArgs): Promise<Buffer> {
  vi.spyOn(Date, 'now').mockReturnValue(NOW);
  return (await originalProduceV3(args).encode()).buffer;
}

function request(messages: Message[][], overrides: Partial<ProduceRequestArgs> = {}): ProduceRequestArgs {
  return {
    acks: -1,
    timeout: 30_000,
    transactionalId: 'sluice-tx-0',
    producerId: Long.fromValue(4711),
    producerEpoch: 3,
    topicData: [
      {
        topic: 'orders',
        partitions: messages.map((partitionMessages, partition) => ({ partition, firstSequence: partition * 10, messages: partitionMessages })),
      },
    ],
    ...overrides,
  };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('encodeProduceRequest', () => {
  const ts = (offset: number): string => String(NOW - 5_000 + offset);

  it.each<[string, Message[][]]>([
    ['Buffer values, no keys or timestamps', [[{ value: Buffer.from('a') }, { value: Buffer.from('bc') }]]],
    ['string keys and values, with timestamps', [[{ key: 'k1', value: 'ünïcode ✓', timestamp: ts(20) }, { key: 'k2', value: 'v', timestamp: ts(7) }]]],
    ['null and undefined keys and values (tombstones)', [[{ key: null, value: null }, { value: null, key: Buffer.alloc(0) }]]],
    [
      'headers: strings, Buffers, arrays and null',
      [[{ value: 'x', headers: { a: 'one', b: Buffer.from([0, 255]), c: ['x', Buffer.from('y')], 'ключ': 'значение' } }, { value: 'y', headers: {} }]],
    ],
    ['large values (multi-byte varint lengths)', [[{ value: Buffer.alloc(70_000, 7) }, { value: 'z'.repeat(300), timestamp: ts(1) }]]],
    ['some messages with a timestamp, some without', [[{ value: 'a', timestamp: ts(100) }, { value: 'b' }, { value: 'c', timestamp: ts(3) }]]],
    ['several partitions', [[{ value: 'p0' }], [{ value: 'p1-a' }, { value: 'p1-b' }], []]],
    ['many records (offset deltas past one varint byte)', [Array.from({ length: 600 }, (_, i) => ({ key: `k${i}`, value: Buffer.from(`value ${i}`) }))]],
  ])('writes the bytes kafkajs writes: %s', async (_name, messages) => {
    const args = request(messages);
    expect(encodeProduceRequest(args, NOW)).toEqual(await kafkaJsBytes(args));
  });

  it('writes the bytes kafkajs writes for a producer that is neither transactional nor idempotent, and for several topics', async () => {
    const args: ProduceRequestArgs = {
      acks: 1,
      timeout: 1000,
      topicData: [
        { topic: 'a', partitions: [{ partition: 2, messages: [{ value: 'x' }] }] },
        { topic: 'b', partitions: [{ partition: 0, messages: [{ key: 'k', value: 'y' }] }] },
      ],
    };
    expect(encodeProduceRequest(args, NOW)).toEqual(await kafkaJsBytes(args));
  });

  it('takes the numeric minimum and maximum timestamp of a batch (kafkajs sorts them as strings)', async () => {
    const args = request([[{ value: 'a', timestamp: '100' }, { value: 'b', timestamp: '5' }, { value: 'c', timestamp: '20' }]]);
    const batch = encodeProduceRequest(args, NOW)!;
    // Payload: transactional id (2 + 11), acks 2, timeout 4, topics 4, topic (2 + 6), partitions 4,
    // partition 4, record set size 4; then the batch: first timestamp at 27, max at 35.
    const batchStart = 2 + 11 + 2 + 4 + 4 + 2 + 6 + 4 + 4 + 4;
    expect(batch.readBigInt64BE(batchStart + 27)).toBe(5n);
    expect(batch.readBigInt64BE(batchStart + 35)).toBe(100n);
    const kafkaJs = await kafkaJsBytes(args);
    expect(kafkaJs.readBigInt64BE(batchStart + 27)).toBe(100n); // kafkajs: "100" < "20" < "5"
  });

  it.each<[string, Message]>([
    ['a value that is neither a Buffer, a string nor null', { value: new Uint8Array([1, 2]) as unknown as Buffer }],
    ['a header value that is undefined', { value: 'x', headers: { h: undefined } }],
    ['a timestamp that is not an integer', { value: 'x', timestamp: '12.5' }],
  ])('leaves a batch with %s to kafkajs', (_name, message) => {
    expect(encodeProduceRequest(request([[{ value: 'ok' }, message]]), NOW)).toBeUndefined();
  });
});

describe('frameRequest', () => {
  it('frames a request as kafkajs does', async () => {
    const original = kafkaJsOriginal<typeof frameRequest>('kafkajs/src/protocol/request.js');
    const Encoder = require('kafkajs/src/protocol/encoder.js') as new () => { writeInt32(v: number): unknown };
    const request = (): Parameters<typeof frameRequest>[0]['request'] => ({
      apiKey: 0,
      apiVersion: 7,
      encode: async () => {
        const payload = new Encoder();
        payload.writeInt32(42);
        return payload as never;
      },
    });
    for (const clientId of ['sluice', null]) {
      const ours = await frameRequest({ correlationId: 9, clientId, request: request() });
      const theirs = await original({ correlationId: 9, clientId, request: request() });
      expect(ours.buffer).toEqual(theirs.buffer);
    }
  });
});

describe('a Produce request through both replacements', () => {
  it.each([
    ['a client id that fits in the room in front of the payload', 'sluice-job-7'],
    ['a client id too long for that room (the payload is copied)', 'c'.repeat(300)],
  ])('is framed as kafkajs frames it: %s', async (_name, clientId) => {
    const originalFrame = kafkaJsOriginal<typeof frameRequest>('kafkajs/src/protocol/request.js');
    const ours = require('kafkajs/src/protocol/requests/produce/v3/request.js') as ProduceV3;
    const args = request([[{ key: 'k', value: 'v', timestamp: String(NOW) }], [{ value: Buffer.alloc(5000, 3) }]]);
    vi.spyOn(Date, 'now').mockReturnValue(NOW);
    const framed = await frameRequest({ correlationId: 5, clientId, request: ours(args) as never });
    const expected = await originalFrame({ correlationId: 5, clientId, request: originalProduceV3(args) as never });
    expect(framed.buffer).toEqual(expected.buffer);
  });
});

describe('installFastProduceEncoding', () => {
  it('is in place once the module loaded, and installing again changes nothing', () => {
    expect(require('kafkajs/src/protocol/request.js')).toBe(frameRequest);
    expect(installFastProduceEncoding()).toEqual({ produce: true, frame: true });
    expect(require('kafkajs/src/protocol/request.js')).toBe(frameRequest);
  });
});
