/**
 * A bounded single-producer, single-consumer channel between two subtasks. Record batches,
 * barriers, watermarks and end-of-stream keep their order (invariant 1). Only records count toward
 * the capacity (a batch counts its records): control events are always accepted, so a barrier never
 * waits behind back-pressure it would itself have to resolve.
 */
import type { StreamEvent } from './stream-event.js';

/** Options of a {@link BoundedChannel}. */
export interface BoundedChannelOptions {
  /**
   * Records the channel holds before the producer must wait.
   * @defaultValue 1024
   */
  readonly capacity?: number;
}

/** An ordered, bounded queue of {@link StreamEvent}s with back-pressure. */
export class BoundedChannel<TRecord> {
  readonly capacity: number;
  private queue: (StreamEvent<TRecord> | undefined)[] = [];
  private head = 0;
  private queuedRecords = 0;
  private producerWaiter: (() => void) | undefined;
  private producerPromise: Promise<void> | undefined;
  private consumerWaiter: (() => void) | undefined;
  private consumerPromise: Promise<void> | undefined;
  private blockedMs = 0;
  private blockedSince: number | undefined;

  constructor(options: BoundedChannelOptions = {}) {
    const capacity = options.capacity ?? 1024;
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`channel capacity must be a positive integer, got ${capacity}`);
    }
    this.capacity = capacity;
  }

  /**
   * Whether {@link BoundedChannel.push} copies a record batch before it returns, so that the
   * producer may reuse the batch's arrays (a channel to another thread); this one keeps them.
   */
  get copiesBatches(): boolean {
    return false;
  }

  /** Events queued and not yet polled. */
  get size(): number {
    return this.queue.length - this.head;
  }

  /** Total ms a producer has been told to wait because the channel was full (back-pressure). */
  get backPressuredTimeMs(): number {
    return this.blockedMs + (this.blockedSince === undefined ? 0 : performance.now() - this.blockedSince);
  }

  /** Records queued and not yet polled. */
  get recordCount(): number {
    return this.queuedRecords;
  }

  /**
   * Appends an event. Returns a promise when the channel holds `capacity` records or more:
   * the producer must await it before pushing more records.
   */
  push(event: StreamEvent<TRecord>): void | Promise<void> {
    this.queue.push(event);
    if (event.kind === 'records') this.queuedRecords += event.values.length;
    const waiter = this.consumerWaiter;
    if (waiter !== undefined) {
      this.consumerWaiter = undefined;
      waiter();
    }
    return this.pressure();
  }

  /** `undefined` while the channel holds fewer than `capacity` records, else the promise {@link push} returns. */
  pressure(): void | Promise<void> {
    if (this.queuedRecords < this.capacity) return undefined;
    if (this.producerPromise === undefined) {
      this.blockedSince = performance.now();
      this.producerPromise = new Promise<void>((resolve) => {
        this.producerWaiter = resolve;
      });
    }
    return this.producerPromise;
  }

  /** Takes the oldest event, or `undefined` when the channel is empty. */
  poll(): StreamEvent<TRecord> | undefined {
    if (this.head >= this.queue.length) return undefined;
    const event = this.queue[this.head];
    this.queue[this.head] = undefined;
    this.head += 1;
    if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    if (event?.kind === 'records') {
      this.queuedRecords -= event.values.length;
      if (this.producerWaiter !== undefined && this.queuedRecords < this.capacity) {
        const waiter = this.producerWaiter;
        this.producerWaiter = undefined;
        this.producerPromise = undefined;
        this.unblocked();
        waiter();
      }
    }
    return event;
  }

  /** Resolves once an event can be polled (at once when one is queued). Repeated calls share one promise. */
  whenAvailable(): Promise<void> {
    if (this.size > 0) return Promise.resolve();
    if (this.consumerPromise === undefined) {
      this.consumerPromise = new Promise<void>((resolve) => {
        this.consumerWaiter = () => {
          this.consumerPromise = undefined;
          resolve();
        };
      });
    }
    return this.consumerPromise;
  }

  /** Releases a waiting producer without taking events (used when the job stops). */
  releaseProducer(): void {
    const waiter = this.producerWaiter;
    this.producerWaiter = undefined;
    this.producerPromise = undefined;
    this.unblocked();
    waiter?.();
  }

  private unblocked(): void {
    if (this.blockedSince === undefined) return;
    this.blockedMs += performance.now() - this.blockedSince;
    this.blockedSince = undefined;
  }
}
