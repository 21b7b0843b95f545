/**
 * Channels between subtasks on different task threads: one `MessagePort` per producer × consumer
 * subtask pair. The producer's end ({@link SendingChannel}) posts each event in order; the
 * consumer's end ({@link ReceivingChannel}) is an ordinary {@link BoundedChannel} the consumer
 * polls. Back-pressure is credit-based: the producer may have `capacity` records in flight and
 * waits for the consumer to return credits as it polls them.
 *
 * Records cross by structured cloning (plain data; top-level `Buffer`s stay `Buffer`s). A batch
 * of numbers (values, key groups, keys, timestamps) travels as typed arrays whose memory is
 * transferred, not copied element by element.
 */
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { CoreErrorCode, SerdeError } from '../../errors.js';
import { BoundedChannel } from '../bounded-channel.js';
import type { KeyRoute } from '../key-groups.js';
import type { RecordBatchEvent, StreamEvent } from '../stream-event.js';
import type { CrossThreadChannel } from './placement.js';

/** The ports of a job attempt's cross-thread channels: each thread's ends, by channel id. */
export class ThreadLinks {
  private readonly ends = new Map<number, Map<string, MessagePort>>();

  constructor(channels: readonly CrossThreadChannel[]) {
    for (const channel of channels) {
      const { port1, port2 } = new MessageChannel();
      this.portsOf(channel.producerThread).set(channel.id, port1);
      this.portsOf(channel.consumerThread).set(channel.id, port2);
    }
  }

  /** The ends that thread `thread` uses (transferred to it when it is a task thread). */
  portsOf(thread: number): Map<string, MessagePort> {
    let ports = this.ends.get(thread);
    if (ports === undefined) {
      ports = new Map();
      this.ends.set(thread, ports);
    }
    return ports;
  }

  /** Closes the calling thread's ends (a task thread's ends close with it). */
  close(): void {
    for (const port of this.ends.get(0)?.values() ?? []) port.close();
  }
}

/** A record batch as it travels: typed arrays where every element is a number. */
interface WireRecords {
  readonly kind: 'records';
  readonly values: readonly unknown[] | Float64Array;
  readonly timestamps: readonly (number | undefined)[] | Float64Array | undefined;
  readonly keys: readonly KeyRoute[] | Int32Array | undefined;
  readonly keyValues: readonly unknown[] | Float64Array | undefined;
  /** Indices of `values` that were `Buffer`s (structured cloning makes them plain `Uint8Array`s). */
  readonly buffers: readonly number[] | undefined;
}

type WireEvent = WireRecords | Exclude<StreamEvent<unknown>, RecordBatchEvent<unknown>>;

/** Where a channel between two threads runs, and whom it tells when a record cannot cross. */
export interface ChannelPlace {
  /** `<upstream uid>[<u>] → <consumer uid>[<d>]`. */
  readonly label: string;
  /**
   * Receives the `SERDE_SERIALIZE_FAILED` error of a batch that cannot be cloned (the batch is
   * dropped: the job fails). Not thrown, because batches are also sent from a microtask.
   */
  readonly onFailure: (error: Error) => void;
}

/** The producer's end: posts events to the consumer's thread. */
export class SendingChannel<TRecord> extends BoundedChannel<TRecord> {
  private inFlight = 0;
  private waiter: (() => void) | undefined;
  private waiting: Promise<void> | undefined;
  private blockedSinceMs: number | undefined;
  private blockedTotalMs = 0;

  constructor(
    private readonly port: MessagePort,
    options: { capacity: number; place: ChannelPlace },
  ) {
    super({ capacity: options.capacity });
    this.place = options.place;
    port.on('message', (credit: number) => this.credit(credit));
  }

  private readonly place: ChannelPlace;

  override get backPressuredTimeMs(): number {
    return this.blockedTotalMs + (this.blockedSinceMs === undefined ? 0 : performance.now() - this.blockedSinceMs);
  }

  override push(event: StreamEvent<TRecord>): void | Promise<void> {
    if (event.kind !== 'records') {
      this.port.postMessage(event);
      return this.pressure();
    }
    const transfer: ArrayBuffer[] = [];
    const wire = encodeRecords(event as RecordBatchEvent<unknown>, transfer);
    try {
      this.port.postMessage(wire, transfer);
    } catch (error) {
      this.place.onFailure(
        new SerdeError(
          `A record on the channel ${this.place.label} cannot be sent to the consumer's task thread ` +
            `(${(error as Error).message}). Records that cross task threads are structured-cloned: make them plain ` +
            'data (no functions, no class instances with methods you need), or run on one task thread.',
          { code: CoreErrorCode.SERDE_SERIALIZE_FAILED, cause: error },
        ),
      );
      return undefined;
    }
    this.inFlight += event.values.length;
    return this.pressure();
  }

  override pressure(): void | Promise<void> {
    if (this.inFlight < this.capacity) return undefined;
    if (this.waiting === undefined) {
      this.blockedSinceMs = performance.now();
      this.waiting = new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
    return this.waiting;
  }

  override releaseProducer(): void {
    this.wake();
  }

  private credit(records: number): void {
    this.inFlight -= records;
    if (this.inFlight < this.capacity) this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    this.waiting = undefined;
    if (this.blockedSinceMs !== undefined) {
      this.blockedTotalMs += performance.now() - this.blockedSinceMs;
      this.blockedSinceMs = undefined;
    }
    waiter?.();
  }
}

/** The consumer's end: a local channel fed from the port, returning credits as records are polled. */
export class ReceivingChannel<TRecord> extends BoundedChannel<TRecord> {
  private polledRecords = 0;
  private readonly creditEvery: number;

  constructor(
    private readonly port: MessagePort,
    options: { capacity: number },
  ) {
    // Never full locally: the producer holds at most `capacity` records in flight.
    super({ capacity: Number.MAX_SAFE_INTEGER });
    this.creditEvery = Math.max(1, Math.floor(options.capacity / 4));
    port.on('message', (event: WireEvent) => {
      void super.push(event.kind === 'records' ? (decodeRecords(event) as RecordBatchEvent<TRecord>) : event);
    });
  }

  override poll(): StreamEvent<TRecord> | undefined {
    const event = super.poll();
    if (event?.kind === 'records') {
      this.polledRecords += event.values.length;
      if (this.polledRecords >= this.creditEvery) {
        this.port.postMessage(this.polledRecords);
        this.polledRecords = 0;
      }
    }
    return event;
  }
}

function encodeRecords(event: RecordBatchEvent<unknown>, transfer: ArrayBuffer[]): WireRecords {
  const numericValues = numeric(event.values, transfer);
  return {
    kind: 'records',
    values: numericValues ?? event.values,
    timestamps: event.timestamps === undefined ? undefined : (numeric(event.timestamps, transfer) ?? event.timestamps),
    keys: event.keys === undefined ? undefined : (keyGroups(event.keys, transfer) ?? event.keys),
    keyValues: event.keyValues === undefined ? undefined : (numeric(event.keyValues, transfer) ?? event.keyValues),
    buffers: numericValues === undefined ? bufferIndices(event.values) : undefined,
  };
}

function decodeRecords(wire: WireRecords): RecordBatchEvent<unknown> {
  let values = wire.values as unknown[];
  if (wire.buffers !== undefined) {
    values = [...values];
    for (const i of wire.buffers) {
      const bytes = values[i] as Uint8Array;
      values[i] = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
  }
  return {
    kind: 'records',
    values,
    timestamps: wire.timestamps as readonly (number | undefined)[] | undefined,
    keys: wire.keys as readonly KeyRoute[] | undefined,
    keyValues: wire.keyValues as readonly unknown[] | undefined,
  };
}

/** The elements as a transferred `Float64Array` when every one is a number, else `undefined`. */
function numeric(elements: readonly unknown[], transfer: ArrayBuffer[]): Float64Array | undefined {
  for (let i = 0; i < elements.length; i += 1) if (typeof elements[i] !== 'number') return undefined;
  const array = new Float64Array(elements as readonly number[]);
  transfer.push(array.buffer);
  return array;
}

/** Key routes as a transferred `Int32Array` when every one is a bare key group, else `undefined`. */
function keyGroups(routes: readonly KeyRoute[], transfer: ArrayBuffer[]): Int32Array | undefined {
  for (let i = 0; i < routes.length; i += 1) if (typeof routes[i] !== 'number') return undefined;
  const array = new Int32Array(routes as readonly number[]);
  transfer.push(array.buffer);
  return array;
}

function bufferIndices(values: readonly unknown[]): number[] | undefined {
  let indices: number[] | undefined;
  for (let i = 0; i < values.length; i += 1) if (Buffer.isBuffer(values[i])) (indices ??= []).push(i);
  return indices;
}
