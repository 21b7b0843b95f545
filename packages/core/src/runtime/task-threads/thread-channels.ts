/**
 * Channels between subtasks on different task threads. Each producer × consumer subtask pair has
 * a ring of slots in shared memory (`shared-ring.ts`) and a `MessagePort`. Batches of numbers
 * (values, key groups, keys, timestamps) and control events are copied into the ring: no message
 * per batch, and a thread that keeps finding work is never woken by a system call. Other batches
 * are structured-cloned on the port (top-level `Buffer`s stay `Buffer`s), with a marker in the
 * ring that keeps their place in the order.
 *
 * The producer's end ({@link SendingChannel}) waits (its writes return a promise, as a local
 * channel's do) while the ring is full or `capacity` records sent on the port are not yet taken.
 * The ring's memory is allocated once: it holds at least {@link RING_RECORDS} records, so that two
 * threads are not held in lockstep by a window of a few batches (a pause of one, a garbage
 * collection or a checkpoint, would stall the other at once). The consumer's end
 * ({@link ReceivingChannel}) is polled like a local {@link BoundedChannel}.
 */
import { MessageChannel } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { CoreErrorCode, SerdeError } from '../../errors.js';
import { BoundedChannel } from '../bounded-channel.js';
import { batchSizeFor } from '../channel-writer.js';
import type { KeyRoute } from '../key-groups.js';
import type { RecordBatchEvent, StreamEvent } from '../stream-event.js';
import type { CrossThreadChannel } from './placement.js';
import { RingReader, RingWriter, allocateRing, newWait } from './shared-ring.js';
import type { Wait } from './shared-ring.js';

/** Turns of the event loop a consumer that found its ring empty looks again before it sleeps. */
const POLL_TURNS = 3;

/**
 * Least number of records a ring holds (about 230 KB of shared memory per channel with slots of
 * 256). On the keyed benchmark on 2 task threads, rings of 1 024, 4 096 and 8 192 records gave
 * 1.15-1.27, 1.06-1.12 and 1.04-1.09 s per 20 M records.
 */
const RING_RECORDS = 8192;

/** One thread's end of a channel to or from another thread. */
export interface ThreadChannelEnd {
  /** Carries the batches the ring cannot (transferred to the thread). */
  readonly port: MessagePort;
  /** The ring's shared memory (the same for both ends). */
  readonly ring: SharedArrayBuffer;
}

/** The channels of a job attempt between task threads: each thread's ends, by channel id. */
export class ThreadLinks {
  private readonly ends = new Map<number, Map<string, ThreadChannelEnd>>();

  /**
   * `capacity`: the job's channel capacity (records); `ringRecords`: the least number of records a
   * ring holds (a test makes it small).
   */
  constructor(channels: readonly CrossThreadChannel[], options: { capacity: number; ringRecords?: number }) {
    const { capacity, ringRecords = RING_RECORDS } = options;
    const slotRecords = batchSizeFor(capacity);
    // At least `ringRecords` records, and room for `capacity` records in full batches and as many
    // again for partial batches and control events.
    const events = Math.max(Math.ceil(ringRecords / slotRecords), 2 * Math.ceil(capacity / slotRecords));
    for (const channel of channels) {
      const { port1, port2 } = new MessageChannel();
      const ring = allocateRing({ events, slotRecords });
      this.endsOf(channel.producerThread).set(channel.id, { port: port1, ring });
      this.endsOf(channel.consumerThread).set(channel.id, { port: port2, ring });
    }
  }

  /** The ends that thread `thread` uses (sent to it when it is a task thread). */
  endsOf(thread: number): Map<string, ThreadChannelEnd> {
    let ends = this.ends.get(thread);
    if (ends === undefined) {
      ends = new Map();
      this.ends.set(thread, ends);
    }
    return ends;
  }

  /** Closes the calling thread's ports (a task thread's ports close with it). */
  close(): void {
    for (const end of this.ends.get(0)?.values() ?? []) end.port.close();
  }
}

/** A record batch as it travels on the port. */
interface WireRecords extends RecordBatchEvent<unknown> {
  /** Indices of `values` that were `Buffer`s (structured cloning makes them plain `Uint8Array`s). */
  readonly buffers: readonly number[] | undefined;
}

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

/** The producer's end: writes events into the ring (or posts them); waits while the ring is full or `capacity` posted records are not taken. */
export class SendingChannel<TRecord> extends BoundedChannel<TRecord> {
  private readonly ring: RingWriter;
  /** Events pushed while the ring had no free slot, oldest first. */
  private readonly backlog: StreamEvent<TRecord>[] = [];
  /** Set while the producer must wait (`capacity` records in flight, or a backlog). */
  private blocked: Wait | undefined;
  /** Whether this end sleeps until the consumer takes an event. */
  private sleeping = false;
  private blockedSinceMs: number | undefined;
  private blockedTotalMs = 0;
  private readonly place: ChannelPlace;

  constructor(
    private readonly port: MessagePort,
    options: { capacity: number; ring: SharedArrayBuffer; place: ChannelPlace },
  ) {
    super({ capacity: options.capacity });
    this.ring = new RingWriter(options.ring);
    this.place = options.place;
  }

  override get backPressuredTimeMs(): number {
    return this.blockedTotalMs + (this.blockedSinceMs === undefined ? 0 : performance.now() - this.blockedSinceMs);
  }

  override get copiesBatches(): boolean {
    return true;
  }

  override push(event: StreamEvent<TRecord>): void | Promise<void> {
    if (this.backlog.length > 0 || !this.send(event)) this.backlog.push(copied(event));
    this.updatePressure();
    return this.blocked?.promise;
  }

  override pressure(): void | Promise<void> {
    return this.blocked?.promise;
  }

  override releaseProducer(): void {
    this.unblock();
  }

  /** Sends `event` through the ring, or the port with a marker in the ring; false when no slot is free. */
  private send(event: StreamEvent<TRecord>): boolean {
    if (!this.ring.hasRoom) return false;
    if (this.ring.write(event)) return true;
    const batch = event as RecordBatchEvent<unknown>;
    try {
      this.port.postMessage(toWire(batch));
    } catch (error) {
      this.place.onFailure(
        new SerdeError(
          `A record on the channel ${this.place.label} cannot be sent to the consumer's task thread ` +
            `(${(error as Error).message}). Records that cross task threads are structured-cloned: make them plain ` +
            'data (no functions, no class instances with methods you need), or run on one task thread.',
          { code: CoreErrorCode.SERDE_SERIALIZE_FAILED, cause: error },
        ),
      );
      return true;
    }
    this.ring.writePortMarker(batch.values.length);
    return true;
  }

  /** Blocks or unblocks the producer; while blocked, sleeps until the consumer makes progress. */
  private updatePressure(): void {
    for (;;) {
      // Read before the checks: progress made after them then ends the sleep at once.
      const consumed = this.ring.consumed;
      while (this.backlog.length > 0 && this.send(this.backlog[0] as StreamEvent<TRecord>)) this.backlog.shift();
      if (this.backlog.length === 0 && this.ring.portRecordsInFlight < this.capacity) {
        this.unblock();
        return;
      }
      if (this.blocked === undefined) {
        this.blocked = newWait();
        this.blockedSinceMs = performance.now();
      }
      if (this.sleeping) return;
      const progress = this.ring.whenConsumed(consumed);
      if (progress === undefined) continue;
      this.sleeping = true;
      void progress.then(() => {
        this.sleeping = false;
        this.updatePressure();
      });
      return;
    }
  }

  private unblock(): void {
    const blocked = this.blocked;
    if (blocked === undefined) return;
    this.blocked = undefined;
    if (this.blockedSinceMs !== undefined) {
      this.blockedTotalMs += performance.now() - this.blockedSinceMs;
      this.blockedSinceMs = undefined;
    }
    blocked.resolve();
  }
}

/** The consumer's end: events from the ring, and from the port where the ring says so. */
export class ReceivingChannel<TRecord> extends BoundedChannel<TRecord> {
  private readonly ring: RingReader;
  /** Events that arrived on the port, oldest first: each is taken when the ring reaches its marker. */
  private readonly posted: StreamEvent<TRecord>[] = [];
  /** Whether the ring's next event is the oldest posted one (its marker was read). */
  private postedDue = false;
  /** Set while the consumer waits for a posted event. */
  private arrival: Wait | undefined;
  /** Set while the consumer waits until the producer publishes a slot. */
  private published: Wait | undefined;

  constructor(port: MessagePort, options: { ring: SharedArrayBuffer }) {
    // The base class's queue stays empty (events come from the ring and the port); the producer's end bounds them.
    super({ capacity: Number.MAX_SAFE_INTEGER });
    this.ring = new RingReader(options.ring);
    port.on('message', (wire: WireRecords) => {
      this.posted.push(fromWire(wire) as RecordBatchEvent<TRecord>);
      const arrival = this.arrival;
      this.arrival = undefined;
      arrival?.resolve();
    });
  }

  override get size(): number {
    return this.ring.hasEvent || (this.postedDue && this.posted.length > 0) ? 1 : 0;
  }

  override poll(): StreamEvent<TRecord> | undefined {
    if (!this.postedDue) {
      const event = this.ring.read();
      if (event !== 'port') return event as StreamEvent<TRecord> | undefined;
      this.postedDue = true;
    }
    const posted = this.posted.shift();
    if (posted === undefined) return undefined;
    this.postedDue = false;
    this.ring.consumedPortEvent(posted.kind === 'records' ? posted.values.length : 0);
    return posted;
  }

  override whenAvailable(): Promise<void> {
    if (this.postedDue) {
      if (this.posted.length > 0) return Promise.resolve();
      this.arrival ??= newWait();
      return this.arrival.promise;
    }
    if (this.published !== undefined) return this.published.promise;
    if (this.ring.hasEvent) return Promise.resolve();
    this.published = newWait();
    this.lookAgain(POLL_TURNS);
    return this.published.promise;
  }

  /**
   * Looks at the ring again in the next turn of the event loop, `turns` times, then sleeps until
   * the producer publishes a slot. A thread with other work (its sources, other inputs) thus
   * finds the producer's slots on its own, without being woken for each (a notification crosses
   * threads through a task and a system call); an idle thread sleeps after a few short turns.
   */
  private lookAgain(turns: number): void {
    setImmediate(() => {
      if (this.ring.hasEvent) this.wake();
      else if (turns > 1) this.lookAgain(turns - 1);
      else {
        const published = this.ring.whenPublished();
        if (published === undefined) this.wake();
        else void published.then(() => this.wake());
      }
    });
  }

  private wake(): void {
    const published = this.published;
    this.published = undefined;
    published?.resolve();
  }
}

/** `event` with arrays of its own (its producer reuses a batch's arrays once `push` returned). */
function copied<TRecord>(event: StreamEvent<TRecord>): StreamEvent<TRecord> {
  if (event.kind !== 'records') return event;
  const { values, timestamps, keys, keyValues } = event;
  return { kind: 'records', values: [...values], timestamps: timestamps && [...timestamps], keys: keys && [...keys], keyValues: keyValues && [...keyValues] };
}

function toWire(event: RecordBatchEvent<unknown>): WireRecords {
  return { ...event, buffers: bufferIndices(event.values) };
}

function fromWire(wire: WireRecords): RecordBatchEvent<unknown> {
  let values = wire.values as unknown[];
  if (wire.buffers !== undefined) {
    values = [...values];
    for (const i of wire.buffers) {
      const bytes = values[i] as Uint8Array;
      values[i] = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
  }
  return { kind: 'records', values, timestamps: wire.timestamps, keys: wire.keys as readonly KeyRoute[] | undefined, keyValues: wire.keyValues };
}

function bufferIndices(values: readonly unknown[]): number[] | undefined {
  let indices: number[] | undefined;
  for (let i = 0; i < values.length; i += 1) if (Buffer.isBuffer(values[i])) (indices ??= []).push(i);
  return indices;
}
