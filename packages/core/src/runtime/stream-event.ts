/**
 * What travels on a channel between tasks. Every event is plain data (no functions, no class
 * instances of the runtime), so a channel can later cross a worker-thread or process boundary.
 */

/** A record with its optional event-time timestamp. */
export interface RecordEvent<TRecord> {
  readonly kind: 'record';
  readonly value: TRecord;
  readonly timestamp: number | undefined;
  /** On a keyBy exchange: the key group the producer computed (spares the consumer a second hash). */
  readonly keyGroup?: number;
  /** On a keyBy exchange: the serialized key as a latin1 string. */
  readonly keyBytes?: string;
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

/** The producing subtask has finished: nothing follows on this channel. */
export interface EndOfStreamEvent {
  readonly kind: 'end';
}

/** Any event on a channel. */
export type StreamEvent<TRecord> = RecordEvent<TRecord> | BarrierEvent | WatermarkEvent | StreamStatusEvent | EndOfStreamEvent;

/** True when `value` is a promise-like object (returned by an async user function). */
export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
