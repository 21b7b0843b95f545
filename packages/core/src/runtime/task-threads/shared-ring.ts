/**
 * The shared memory of one channel between two task threads: a single-producer, single-consumer
 * ring of slots in a `SharedArrayBuffer`. A slot holds one event: a batch of records whose values,
 * keys, key groups and timestamps are all numbers (copied into typed arrays, no message and no
 * structured clone), a control event (barrier, watermark, stream status, end of data, end), or a
 * marker saying that the next event travels on the channel's `MessagePort` (a batch of other
 * records, structured-cloned there). Events thus keep one order whichever way they travel.
 *
 * Neither side blocks its thread: a side that finds the ring empty (consumer) or full (producer)
 * raises its waiting flag and sleeps in `Atomics.waitAsync`; the other side notifies only when
 * it sees that flag, so a busy pair of threads exchanges slots without any system call.
 *
 * Layout (all counters wrap at 2^32; the slot count is a power of two):
 * - control, int32 × 8: `WRITE` (slots published), `READ` (slots freed), `CONSUMER_WAITING`,
 *   `PRODUCER_WAITING`, `CONSUMED` (events the consumer took, port events included), the slot
 *   count, records per slot, `CONSUMED_PORT_RECORDS` (records of port events the consumer took);
 * - per slot, int32 × 4: kind, count (records, or the idle flag of a status), flags, unused;
 * - per slot `slotRecords` int32 key groups, then `slotRecords` float64 each for values, keys and
 *   timestamps (a barrier keeps its id and timestamp, a watermark its time, in the values).
 */
import type { KeyRoute } from '../key-groups.js';
import type { RecordBatchEvent, StreamEvent } from '../stream-event.js';

const WRITE = 0;
const READ = 1;
const CONSUMER_WAITING = 2;
const PRODUCER_WAITING = 3;
const CONSUMED = 4;
const SLOTS = 5;
const SLOT_RECORDS = 6;
const CONSUMED_PORT_RECORDS = 7;
const CONTROL_INTS = 8;
const HEADER_INTS = 4;

/** What a slot holds. */
const SlotKind = {
  Records: 1,
  /** The event is the next message on the channel's port. */
  OnPort: 2,
  Barrier: 3,
  Watermark: 4,
  Status: 5,
  EndOfData: 6,
  End: 7,
} as const;

/** Which optional columns a record slot fills. */
const HAS_TIMESTAMPS = 1;
const HAS_KEYS = 2;

/** `Atomics.waitAsync` (Node ≥ 16; the project's `lib` setting predates its typings). */
const waitAsync = (
  Atomics as unknown as {
    waitAsync(array: Int32Array, index: number, value: number): { async: false } | { async: true; value: Promise<unknown> };
  }
).waitAsync;

/** Where a ring's int32 and float64 columns start, and its size, in bytes. */
function ringLayout(slots: number, slotRecords: number): { keyGroups: number; doubles: number; bytes: number } {
  const cells = slots * slotRecords;
  const keyGroups = (CONTROL_INTS + slots * HEADER_INTS) * 4;
  const doubles = Math.ceil((keyGroups + cells * 4) / 8) * 8;
  return { keyGroups, doubles, bytes: doubles + 3 * cells * 8 };
}

/** Shared memory for a ring of at least `events` slots of `slotRecords` records each. */
export function allocateRing(options: { events: number; slotRecords: number }): SharedArrayBuffer {
  let slots = 2;
  while (slots < options.events) slots *= 2;
  const buffer = new SharedArrayBuffer(ringLayout(slots, options.slotRecords).bytes);
  const control = new Int32Array(buffer, 0, CONTROL_INTS);
  control[SLOTS] = slots;
  control[SLOT_RECORDS] = options.slotRecords;
  return buffer;
}

/** Typed views of a ring's memory, shared by both ends. */
class RingViews {
  readonly control: Int32Array;
  readonly headers: Int32Array;
  readonly keyGroups: Int32Array;
  readonly values: Float64Array;
  readonly keys: Float64Array;
  readonly timestamps: Float64Array;
  readonly slots: number;
  readonly slotRecords: number;

  constructor(buffer: SharedArrayBuffer) {
    this.control = new Int32Array(buffer, 0, CONTROL_INTS);
    this.slots = this.control[SLOTS] as number;
    this.slotRecords = this.control[SLOT_RECORDS] as number;
    const cells = this.slots * this.slotRecords;
    const { keyGroups, doubles } = ringLayout(this.slots, this.slotRecords);
    this.headers = new Int32Array(buffer, CONTROL_INTS * 4, this.slots * HEADER_INTS);
    this.keyGroups = new Int32Array(buffer, keyGroups, cells);
    this.values = new Float64Array(buffer, doubles, cells);
    this.keys = new Float64Array(buffer, doubles + cells * 8, cells);
    this.timestamps = new Float64Array(buffer, doubles + 2 * cells * 8, cells);
  }
}

/** A promise with its resolver, created when a side has to wait. */
export interface Wait {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
}

/** A new {@link Wait}. */
export function newWait(): Wait {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/**
 * Sleeps until `control[index]` differs from `seen` (the other side raised it and saw `flag`).
 * Resolves at once when it already differs.
 */
function sleepUntilChanged(control: Int32Array, options: { index: number; flag: number; seen: number }): Promise<void> | undefined {
  Atomics.store(control, options.flag, 1);
  const seen = options.seen;
  if (Atomics.load(control, options.index) !== seen) {
    Atomics.store(control, options.flag, 0);
    return undefined;
  }
  const result = waitAsync(control, options.index, seen);
  if (!result.async) {
    Atomics.store(control, options.flag, 0);
    return undefined;
  }
  return result.value.then(() => undefined);
}

/** Wakes the other side when it raised `flag` (it sleeps on `index`). */
function wakeIfWaiting(control: Int32Array, flag: number, index: number): void {
  if (Atomics.load(control, flag) === 0) return;
  Atomics.store(control, flag, 0);
  Atomics.notify(control, index);
}

/**
 * Copies `from` into `to` at `at` while every element is a number; false at the first that is not
 * (what was copied stays unpublished).
 */
function copyNumbers(from: readonly unknown[], to: Float64Array | Int32Array, at: number): boolean {
  for (let i = 0; i < from.length; i += 1) {
    const element = from[i];
    if (typeof element !== 'number') return false;
    to[at + i] = element;
  }
  return true;
}

/** The producer's end of a ring. */
export class RingWriter {
  private readonly views: RingViews;
  /** Slots this end published (mirrors `WRITE`). */
  private written: number;
  /** Records this end sent on the port. */
  private portRecords: number;

  /** The ring must be empty (as {@link allocateRing} made it, or drained). */
  constructor(buffer: SharedArrayBuffer) {
    this.views = new RingViews(buffer);
    this.written = Atomics.load(this.views.control, WRITE);
    this.portRecords = Atomics.load(this.views.control, CONSUMED_PORT_RECORDS);
  }

  /** Records sent on the port and not yet taken by the consumer (those in the ring live in its fixed memory). */
  get portRecordsInFlight(): number {
    return (this.portRecords - Atomics.load(this.views.control, CONSUMED_PORT_RECORDS)) | 0;
  }

  /** Whether a slot is free. */
  get hasRoom(): boolean {
    return ((this.written - Atomics.load(this.views.control, READ)) | 0) < this.views.slots;
  }

  /**
   * Writes `event` into the next slot (the caller checked {@link RingWriter.hasRoom}). Returns
   * false, and writes nothing, for a record batch that must travel on the port: the caller then
   * posts it and calls {@link RingWriter.writePortMarker}.
   */
  write(event: StreamEvent<unknown>): boolean {
    const views = this.views;
    const slot = this.written & (views.slots - 1);
    const header = slot * HEADER_INTS;
    const base = slot * views.slotRecords;
    const headers = views.headers;
    switch (event.kind) {
      case 'records': {
        // Only batches of at most `slotRecords` records whose values, key groups, keys and timestamps are all numbers.
        const { values, timestamps, keys, keyValues } = event;
        const count = values.length;
        if (count > views.slotRecords || !copyNumbers(values, views.values, base)) return false;
        let flags = 0;
        if (timestamps !== undefined) {
          if (!copyNumbers(timestamps, views.timestamps, base)) return false;
          flags |= HAS_TIMESTAMPS;
        }
        if (keys !== undefined || keyValues !== undefined) {
          if (keys === undefined || keyValues === undefined) return false;
          if (!copyNumbers(keys, views.keyGroups, base) || !copyNumbers(keyValues, views.keys, base)) return false;
          flags |= HAS_KEYS;
        }
        headers[header] = SlotKind.Records;
        headers[header + 1] = count;
        headers[header + 2] = flags;
        break;
      }
      case 'barrier':
        headers[header] = SlotKind.Barrier;
        views.values[base] = event.checkpointId;
        views.values[base + 1] = event.timestamp;
        break;
      case 'watermark':
        headers[header] = SlotKind.Watermark;
        views.values[base] = event.watermark;
        break;
      case 'status':
        headers[header] = SlotKind.Status;
        headers[header + 1] = event.idle ? 1 : 0;
        break;
      case 'endOfData':
        headers[header] = SlotKind.EndOfData;
        break;
      case 'end':
        headers[header] = SlotKind.End;
        break;
    }
    this.publish();
    return true;
  }

  /** Takes a slot for a batch of `records` records that was posted on the port. */
  writePortMarker(records: number): void {
    const slot = this.written & (this.views.slots - 1);
    this.views.headers[slot * HEADER_INTS] = SlotKind.OnPort;
    this.portRecords = (this.portRecords + records) | 0;
    this.publish();
  }

  private publish(): void {
    const control = this.views.control;
    this.written = (this.written + 1) | 0;
    Atomics.store(control, WRITE, this.written);
    wakeIfWaiting(control, CONSUMER_WAITING, WRITE);
  }

  /** Resolves once the consumer took an event (at once when it did since `consumedSeen`). */
  whenConsumed(consumedSeen: number): Promise<void> | undefined {
    return sleepUntilChanged(this.views.control, { index: CONSUMED, flag: PRODUCER_WAITING, seen: consumedSeen });
  }

  /** Events the consumer has taken so far (wrapping). */
  get consumed(): number {
    return Atomics.load(this.views.control, CONSUMED);
  }
}

/** What {@link RingReader.read} found. */
export type RingRead = StreamEvent<unknown> | 'port' | undefined;

/** The consumer's end of a ring. */
export class RingReader {
  private readonly views: RingViews;
  /** Slots this end freed (mirrors `READ`). */
  private readCount: number;

  constructor(buffer: SharedArrayBuffer) {
    this.views = new RingViews(buffer);
    this.readCount = Atomics.load(this.views.control, READ);
  }

  /** Whether a published slot waits to be read. */
  get hasEvent(): boolean {
    return Atomics.load(this.views.control, WRITE) !== this.readCount;
  }

  /**
   * Takes the next slot's event (copied out of shared memory), `'port'` when the event is the
   * next message on the port, or `undefined` when the ring is empty. Record batches and control
   * events count as consumed at once; a port event when {@link RingReader.consumedPortEvent} is called.
   */
  read(): RingRead {
    if (!this.hasEvent) return undefined;
    const views = this.views;
    const slot = this.readCount & (views.slots - 1);
    const header = slot * HEADER_INTS;
    const base = slot * views.slotRecords;
    const kind = views.headers[header] as number;
    let event: RingRead;
    switch (kind) {
      case SlotKind.Records:
        event = this.readRecords(base, views.headers[header + 1] as number, views.headers[header + 2] as number);
        break;
      case SlotKind.OnPort:
        event = 'port';
        break;
      case SlotKind.Barrier:
        event = { kind: 'barrier', checkpointId: views.values[base] as number, timestamp: views.values[base + 1] as number };
        break;
      case SlotKind.Watermark:
        event = { kind: 'watermark', watermark: views.values[base] as number };
        break;
      case SlotKind.Status:
        event = { kind: 'status', idle: views.headers[header + 1] === 1 };
        break;
      case SlotKind.EndOfData:
        event = { kind: 'endOfData' };
        break;
      case SlotKind.End:
        event = { kind: 'end' };
        break;
      default:
        throw new Error(`Slot ${slot} of a channel between task threads holds no event (kind ${kind}).`);
    }
    this.readCount = (this.readCount + 1) | 0;
    Atomics.store(views.control, READ, this.readCount);
    if (event !== 'port') this.consumedEvent(0);
    return event;
  }

  /** The port event a `'port'` slot announced was taken (its `records` no longer count as in flight). */
  consumedPortEvent(records: number): void {
    this.consumedEvent(records);
  }

  private consumedEvent(records: number): void {
    const control = this.views.control;
    if (records > 0) Atomics.add(control, CONSUMED_PORT_RECORDS, records);
    Atomics.add(control, CONSUMED, 1);
    wakeIfWaiting(control, PRODUCER_WAITING, CONSUMED);
  }

  private readRecords(base: number, count: number, flags: number): RecordBatchEvent<unknown> {
    const views = this.views;
    const values = new Array<unknown>(count);
    for (let i = 0; i < count; i += 1) values[i] = views.values[base + i];
    let timestamps: number[] | undefined;
    if ((flags & HAS_TIMESTAMPS) !== 0) {
      timestamps = new Array<number>(count);
      for (let i = 0; i < count; i += 1) timestamps[i] = views.timestamps[base + i] as number;
    }
    let keys: KeyRoute[] | undefined;
    let keyValues: unknown[] | undefined;
    if ((flags & HAS_KEYS) !== 0) {
      keys = new Array<KeyRoute>(count);
      keyValues = new Array<unknown>(count);
      for (let i = 0; i < count; i += 1) {
        keys[i] = views.keyGroups[base + i] as number;
        keyValues[i] = views.keys[base + i];
      }
    }
    return { kind: 'records', values, timestamps, keys, keyValues };
  }

  /** Resolves once the producer published a slot (`undefined` when one is already there). */
  whenPublished(): Promise<void> | undefined {
    return sleepUntilChanged(this.views.control, { index: WRITE, flag: CONSUMER_WAITING, seen: this.readCount });
  }
}
