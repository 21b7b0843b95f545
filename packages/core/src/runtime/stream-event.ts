/**
 * What travels on a channel between tasks. Every event is plain data (no functions, no class
 * instances of the runtime), so a channel can later cross a worker-thread or process boundary.
 */
import type { KeyRoute } from './key-groups.js';

/**
 * Records in emission order (one or more: records travel in small batches, see `channel-writer.ts`),
 * with their optional event-time timestamps.
 */
export interface RecordBatchEvent<TRecord> {
  readonly kind: 'records';
  readonly values: readonly TRecord[];
  /** The timestamp of `values[i]` at `i`; `undefined` when no record of the batch has one. */
  readonly timestamps: readonly (number | undefined)[] | undefined;
  /**
   * On a keyBy exchange: the {@link KeyRoute} of `values[i]` at `i` (its key group, and its
   * serialized key unless the key is a plain value), as the producer computed it (spares the
   * consumer a second hash); otherwise `undefined`.
   */
  readonly keys: readonly KeyRoute[] | undefined;
  /** On a keyBy exchange: the key of `values[i]` at `i` (spares the consumer a second key selector call); otherwise `undefined`. */
  readonly keyValues: readonly unknown[] | undefined;
}

/** Checkpoint barrier `checkpointId`: splits the stream into "before" and "after" the checkpoint. */
export interface BarrierEvent {
  readonly kind: 'barrier';
  readonly checkpointId: number;
  readonly timestamp: number;
}

/** An event-time watermark. */
export interface WatermarkEvent {
  readonly kind: 'watermark';
  readonly watermark: number;
}

/** The producing subtask became idle (`idle: true`: its watermark must not hold others back) or active again. */
export interface StreamStatusEvent {
  readonly kind: 'status';
  readonly idle: boolean;
}

/**
 * The producing subtask's input ended and its functions finished: no record follows on this
 * channel (barriers, watermarks and `end` still may).
 */
export interface EndOfDataEvent {
  readonly kind: 'endOfData';
}

/** The producing subtask has finished: nothing follows on this channel. */
export interface EndOfStreamEvent {
  readonly kind: 'end';
}

/** Any event on a channel. */
export type StreamEvent<TRecord> =
  | RecordBatchEvent<TRecord>
  | BarrierEvent
  | WatermarkEvent
  | StreamStatusEvent
  | EndOfDataEvent
  | EndOfStreamEvent;

/** True when `value` is a promise-like object (returned by an async user function). */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
