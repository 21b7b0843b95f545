/**
 * The producer's end of a {@link BoundedChannel}: records travel in small batches. A batch is sent
 * when it holds `batchSize` records, before any control event (barrier, watermark, stream status,
 * end), and at the latest when the producer's current synchronous run ends (a microtask), so a
 * producer that stops emitting never leaves records behind. Records and control events therefore
 * keep their order (invariant 1), and latency stays that of one turn of the event loop.
 *
 * Back-pressure: a write returns the channel's promise whenever the channel holds `capacity`
 * records, so memory stays bounded: at most `capacity + 2 · batchSize` records per channel.
 */
import type { BoundedChannel } from './bounded-channel.js';
import type { KeyRoute } from './key-groups.js';
import type { StreamEvent } from './stream-event.js';

/** Largest record batch sent on a channel. */
const MAX_BATCH_SIZE = 256;

/** The batch size for a channel of `capacity` records: a quarter of it, between 1 and 256. */
export function batchSizeFor(capacity: number): number {
  return Math.max(1, Math.min(MAX_BATCH_SIZE, Math.floor(capacity / 4)));
}

/** Batches records for one channel; control events flush the batch first. */
export class ChannelWriter<TRecord> {
  readonly batchSize: number;
  /** Records in the pending batch (the arrays below are allocated at `batchSize`, not grown). */
  private count = 0;
  private values: TRecord[];
  private timestamps: (number | undefined)[] | undefined;
  private keys: KeyRoute[] | undefined;
  private keyValues: unknown[] | undefined;
  private flushQueued = false;
  private readonly flushLater = (): void => {
    this.flushQueued = false;
    void this.flush();
  };

  constructor(
    readonly channel: BoundedChannel<TRecord>,
    batchSize: number = batchSizeFor(channel.capacity),
  ) {
    this.batchSize = batchSize;
    this.values = new Array<TRecord>(batchSize);
  }

  /** Records written and not yet sent. */
  get pending(): number {
    return this.count;
  }

  /**
   * Adds a record (on a keyBy exchange: its key's `route` and the key itself). Returns a promise
   * the producer must await before writing more when the channel is full.
   */
  // eslint-disable-next-line max-params -- per record: an options object would cost an allocation each
  write(value: TRecord, timestamp: number | undefined, route?: KeyRoute, key?: unknown): void | Promise<void> {
    const at = this.count;
    this.values[at] = value;
    if (timestamp !== undefined) this.timestamps ??= new Array<number | undefined>(this.batchSize).fill(undefined);
    if (this.timestamps !== undefined) this.timestamps[at] = timestamp;
    if (route !== undefined) {
      (this.keys ??= new Array<KeyRoute>(this.batchSize))[at] = route;
      (this.keyValues ??= new Array<unknown>(this.batchSize))[at] = key;
    }
    this.count = at + 1;
    if (this.count >= this.batchSize) return this.flush();
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(this.flushLater);
    }
    return this.channel.pressure();
  }

  /**
   * Sends the pending batch (if any); returns the channel's back-pressure promise when it is full.
   * A full batch to a channel that copies batches as it takes them keeps its arrays for the next
   * batch; otherwise the channel keeps them and the writer starts new ones.
   */
  flush(): void | Promise<void> {
    const count = this.count;
    if (count === 0) return this.channel.pressure();
    const reuse = count === this.batchSize && this.channel.copiesBatches;
    const event: StreamEvent<TRecord> = {
      kind: 'records',
      values: fitted(this.values, count),
      timestamps: this.timestamps === undefined ? undefined : fitted(this.timestamps, count),
      keys: this.keys === undefined ? undefined : fitted(this.keys, count),
      keyValues: this.keyValues === undefined ? undefined : fitted(this.keyValues, count),
    };
    if (!reuse) {
      this.values = new Array<TRecord>(this.batchSize);
      this.keys = undefined;
      this.keyValues = undefined;
    }
    // Timestamps start again with every batch: a batch none of whose records has one carries none.
    this.timestamps = undefined;
    this.count = 0;
    return this.channel.push(event);
  }

  /** Sends a control event after every record written before it (never waits: control events are always accepted). */
  control(event: StreamEvent<TRecord>): void {
    void this.flush();
    void this.channel.push(event);
  }
}

/** `array` cut to its first `count` elements. */
function fitted<T>(array: T[], count: number): T[] {
  if (array.length > count) array.length = count;
  return array;
}
