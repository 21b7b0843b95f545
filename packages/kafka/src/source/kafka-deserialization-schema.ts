/**
 * Deserialization of Kafka records: the keyed form (Flink's `KeyedDeserializationSchema`, here
 * with timestamp and headers too) and the wrapping of a plain value-only `DeserializationSchema`.
 */
import type { DeserializationSchema, TypeInformation } from '@sluice/core';

/** One record as read from Kafka. */
export interface KafkaConsumerRecord {
  /** Key bytes, or `null` when the record has no key. */
  readonly key: Uint8Array | null;
  /** Value bytes, or `null` for a tombstone. */
  readonly value: Uint8Array | null;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** The record timestamp (create or log-append time), ms since the epoch. */
  readonly timestamp: number;
  /** Headers; a key that occurs several times has all its values, in order. */
  readonly headers: Readonly<Record<string, readonly Uint8Array[]>>;
}

/**
 * Turns a whole Kafka record (key, value, topic, partition, offset, timestamp, headers) into a
 * record of type `TRecord`. Returning `null` skips the record (its offset still advances).
 */
export interface KafkaDeserializationSchema<TRecord> {
  /** Called once per subtask before the first record. */
  open?(): void | Promise<void>;
  /** Decodes one record; may return a promise. */
  deserialize(record: KafkaConsumerRecord): TRecord | null | Promise<TRecord | null>;
  /** Whether `nextElement` ends the stream (called for every record, also for `null`). */
  isEndOfStream(nextElement: TRecord | null): boolean;
  /** The type of the records produced. */
  readonly producedType: TypeInformation<TRecord>;
}

const EMPTY = new Uint8Array(0);

/** Wraps a plain schema: it sees only the value bytes (a `null` value is given as empty bytes). */
export function valueOnly<TRecord>(schema: DeserializationSchema<TRecord>): KafkaDeserializationSchema<TRecord> {
  return {
    open: () => schema.open?.(),
    deserialize: (record) => schema.deserialize(record.value ?? EMPTY),
    isEndOfStream: (next) => schema.isEndOfStream(next),
    producedType: schema.producedType,
  };
}
