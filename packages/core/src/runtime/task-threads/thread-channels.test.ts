import type { MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { CoreErrorCode } from '../../errors.js';
import { ChannelWriter } from '../channel-writer.js';
import type { StreamEvent } from '../stream-event.js';
import { ReceivingChannel, SendingChannel, ThreadLinks } from './thread-channels.js';

const open: MessagePort[] = [];
const failures: Error[] = [];
afterEach(() => {
  for (const port of open.splice(0)) port.close();
  failures.length = 0;
});

/** Both ends of one channel from thread 0 to thread 1, as a job attempt makes them. */
function pair(capacity: number, ringRecords?: number): { sending: SendingChannel<unknown>; receiving: ReceivingChannel<unknown> } {
  const links = new ThreadLinks([{ id: 'c', producerThread: 0, consumerThread: 1 }], { capacity, ...(ringRecords === undefined ? {} : { ringRecords }) });
  const producer = links.endsOf(0).get('c');
  const consumer = links.endsOf(1).get('c');
  if (producer === undefined || consumer === undefined) throw new Error('ThreadLinks made no ends for channel c');
  open.push(producer.port, consumer.port);
  const place = { label: 'map[0] → sink[1]', onFailure: (error: Error) => failures.push(error) };
  return {
    sending: new SendingChannel<unknown>(producer.port, { capacity, ring: producer.ring, place }),
    receiving: new ReceivingChannel<unknown>(consumer.port, { ring: consumer.ring }),
  };
}

async function receive(channel: ReceivingChannel<unknown>, count: number): Promise<StreamEvent<unknown>[]> {
  const events: StreamEvent<unknown>[] = [];
  while (events.length < count) {
    await channel.whenAvailable();
    for (let event = channel.poll(); event !== undefined; event = channel.poll()) events.push(event);
  }
  return events;
}

const records = (values: unknown[], extra: Partial<Record<'timestamps' | 'keys' | 'keyValues', unknown[]>> = {}) =>
  ({ kind: 'records', values, timestamps: undefined, keys: undefined, keyValues: undefined, ...extra }) as StreamEvent<unknown>;

describe('channels between task threads', () => {
  it('delivers record batches and control events in order, numbers through shared memory and other records on the port', async () => {
    const { sending, receiving } = pair(100);
    void sending.push(records([1, 2.5, -0], { keys: [3, 4, 5], keyValues: [1, 2, 3], timestamps: [10, 11, 12] }));
    void sending.push({ kind: 'barrier', checkpointId: 7, timestamp: 99 });
    void sending.push(records(['a', { b: [1] }, null], { timestamps: [1, undefined, 3] }));
    void sending.push({ kind: 'watermark', watermark: -Infinity });
    void sending.push(records([4], { keys: [{ keyGroup: 9, keyBytes: 'k' }], keyValues: ['k'] }));
    void sending.push({ kind: 'status', idle: true });
    void sending.push({ kind: 'endOfData' });
    void sending.push({ kind: 'end' });
    const events = await receive(receiving, 8);
    expect(events).toEqual([
      { kind: 'records', values: [1, 2.5, -0], keys: [3, 4, 5], keyValues: [1, 2, 3], timestamps: [10, 11, 12] },
      { kind: 'barrier', checkpointId: 7, timestamp: 99 },
      { kind: 'records', values: ['a', { b: [1] }, null], timestamps: [1, undefined, 3], keys: undefined, keyValues: undefined },
      { kind: 'watermark', watermark: -Infinity },
      { kind: 'records', values: [4], keys: [{ keyGroup: 9, keyBytes: 'k' }], keyValues: ['k'], timestamps: undefined },
      { kind: 'status', idle: true },
      { kind: 'endOfData' },
      { kind: 'end' },
    ]);
    expect(Object.is((events[0] as { values: readonly unknown[] }).values[2], -0)).toBe(true);
    expect(Array.isArray((events[0] as { values: unknown }).values)).toBe(true);
  });

  it('accepts events while the ring is full and delivers them in order once the consumer catches up', async () => {
    // Capacity 8: slots of 2 records, 8 slots.
    const { sending, receiving } = pair(8, 0);
    const sent: StreamEvent<unknown>[] = [];
    for (let i = 0; i < 30; i += 1) {
      const event: StreamEvent<unknown> = i % 3 === 0 ? { kind: 'barrier', checkpointId: i, timestamp: i } : records([i, i + 0.5]);
      sent.push(event);
      void sending.push(event);
    }
    expect(sending.pressure()).toBeInstanceOf(Promise);
    const received = await receive(receiving, sent.length);
    expect(received).toEqual(sent.map((event) => (event.kind === 'records' ? { ...event } : event)));
    await sending.pressure();
    expect(sending.pressure()).toBeUndefined();
  });

  it('keeps what a writer sent while the ring was full, although the writer reuses its arrays', async () => {
    const { sending, receiving } = pair(8, 0);
    const writer = new ChannelWriter(sending);
    for (let i = 0; i < 40; i += 1) void writer.write(i, undefined, i % 128, i);
    void writer.flush();
    const received = await receive(receiving, 20);
    expect(received.flatMap((event) => (event.kind === 'records' ? [...event.values] : []))).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(received.flatMap((event) => (event.kind === 'records' ? [...(event.keyValues ?? [])] : []))).toEqual(
      Array.from({ length: 40 }, (_, i) => i),
    );
  });

  it('keeps Buffer records Buffers', async () => {
    const { sending, receiving } = pair(100);
    void sending.push(records([Buffer.from('hello'), 'text']));
    const [event] = await receive(receiving, 1);
    const values = (event as unknown as { values: unknown[] }).values;
    expect(Buffer.isBuffer(values[0])).toBe(true);
    expect((values[0] as Buffer).toString()).toBe('hello');
  });

  it('holds number batches in the ring beyond `capacity` (fixed shared memory), waiting only when the ring is full', async () => {
    const { sending, receiving } = pair(8, 64);
    // Slots of 2 records, 32 slots: 64 records in the ring, 8 times the capacity.
    for (let i = 0; i < 32; i += 1) expect(sending.push(records([2 * i, 2 * i + 1]))).toBeUndefined();
    expect(sending.push(records([64, 65]))).toBeInstanceOf(Promise);
    const received = await receive(receiving, 33);
    expect(received.flatMap((event) => (event.kind === 'records' ? [...event.values] : []))).toEqual(Array.from({ length: 66 }, (_, i) => i));
    await sending.pressure();
  });

  it('makes the producer wait once `capacity` records sent on the port are in flight, until the consumer polled some', async () => {
    const { sending, receiving } = pair(8);
    expect(sending.push(records([1, 2, 3, 4]))).toBeUndefined();
    const wait = sending.push(records([5, 6, 7, 8]));
    expect(wait).toBeInstanceOf(Promise);
    let released = false;
    void (wait as Promise<void>).then(() => {
      released = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(released).toBe(false);
    await receive(receiving, 1);
    await wait;
    expect(released).toBe(true);
    expect(sending.backPressuredTimeMs).toBeGreaterThan(0);
  });

  it('reports a record that cannot be cloned, naming the channel and what to do, without throwing', () => {
    const { sending } = pair(8);
    expect(sending.push(records([{ callback: () => 1 }]))).toBeUndefined();
    expect(failures).toEqual([
      expect.objectContaining({
        code: CoreErrorCode.SERDE_SERIALIZE_FAILED,
        message: expect.stringContaining('map[0] → sink[1]') as unknown,
      }),
    ]);
  });
});
