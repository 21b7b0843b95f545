import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { CoreErrorCode } from '../../errors.js';
import type { StreamEvent } from '../stream-event.js';
import { ReceivingChannel, SendingChannel } from './thread-channels.js';

const open: MessagePort[] = [];
const failures: Error[] = [];
afterEach(() => {
  for (const port of open.splice(0)) port.close();
  failures.length = 0;
});

function pair(capacity: number): { sending: SendingChannel<unknown>; receiving: ReceivingChannel<unknown> } {
  const { port1, port2 } = new MessageChannel();
  open.push(port1, port2);
  return {
    sending: new SendingChannel<unknown>(port1, { capacity, place: { label: 'map[0] → sink[1]', onFailure: (error) => failures.push(error) } }),
    receiving: new ReceivingChannel<unknown>(port2, { capacity }),
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
  it('delivers record batches and control events in order; number batches arrive as typed arrays', async () => {
    const { sending, receiving } = pair(100);
    void sending.push(records([1, 2.5, -0], { keys: [3, 4, 5], keyValues: [1, 2, 3], timestamps: [10, 11, 12] }));
    void sending.push({ kind: 'barrier', checkpointId: 7, timestamp: 99 });
    void sending.push(records(['a', { b: [1] }, null], { timestamps: [1, undefined, 3] }));
    void sending.push({ kind: 'end' });
    const [numbers, barrier, mixed, end] = await receive(receiving, 4);
    expect(numbers).toMatchObject({ kind: 'records', values: new Float64Array([1, 2.5, -0]), keys: new Int32Array([3, 4, 5]) });
    expect(Object.is((numbers as unknown as { values: Float64Array }).values[2], -0)).toBe(true);
    expect(numbers).toMatchObject({ keyValues: new Float64Array([1, 2, 3]), timestamps: new Float64Array([10, 11, 12]) });
    expect(barrier).toEqual({ kind: 'barrier', checkpointId: 7, timestamp: 99 });
    expect(mixed).toMatchObject({ values: ['a', { b: [1] }, null], timestamps: [1, undefined, 3] });
    expect(end).toEqual({ kind: 'end' });
  });

  it('keeps Buffer records Buffers', async () => {
    const { sending, receiving } = pair(100);
    void sending.push(records([Buffer.from('hello'), 'text']));
    const [event] = await receive(receiving, 1);
    const values = (event as unknown as { values: unknown[] }).values;
    expect(Buffer.isBuffer(values[0])).toBe(true);
    expect((values[0] as Buffer).toString()).toBe('hello');
  });

  it('makes the producer wait once `capacity` records are in flight, until the consumer polled some', async () => {
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
