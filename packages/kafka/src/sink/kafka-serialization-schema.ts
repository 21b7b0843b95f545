/**
 * Serialization for the Kafka sink: the keyed form (Flink's `KeyedSerializationSchema`, plus
 * headers) and the wrapping of a plain `SerializationSchema` (null key, default topic).
 */
import type { SerializationSchema } from '@sluice/core';

/** Turns a record into a Kafka record's key, value, target topic and headers. */
export interface KafkaSerializationSchema<TRecord> {
  /** Called once per subtask before the first record. */
  open?(): void | Promise<void>;
  /** Key bytes, or `null` for no key. */
  serializeKey(element: TRecord): Uint8Array | null;
  /** Value bytes (`null` writes a tombstone). */
  serializeValue(element: TRecord): Uint8Array | null;
  /** Target topic, or `null` for the sink's default topic. */
  getTargetTopic(element: TRecord): string | null;
  /** Headers to attach. Optional. */
  getHeaders?(element: TRecord): Readonly<Record<string, Uint8Array | string>> | null;
}

/** Wraps a plain schema: null key, default topic, no headers. */
export function valueOnlySerializer<TRecord>(schema: SerializationSchema<TRecord>): KafkaSerializationSchema<TRecord> {
  return {
    open: () => schema.open?.(),
    serializeKey: () => null,
    serializeValue: (element) => schema.serialize(element),
    getTargetTopic: () => null,
  };
}
