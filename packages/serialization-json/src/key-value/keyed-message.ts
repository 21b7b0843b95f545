/**
 * The shape a Kafka source hands to a keyed deserializer (Flink's `KeyedDeserializationSchema`
 * arguments as one object). Declared here structurally, so this package works with the Kafka
 * package's keyed schema interface without depending on it.
 */
export interface KeyedMessage {
  /** Key bytes; `null` when the record has no key. */
  readonly key: Uint8Array | null;
  /** Value bytes; `null` for a tombstone. */
  readonly value: Uint8Array | null;
  /** Topic the record was read from. */
  readonly topic: string;
  /** Partition the record was read from. */
  readonly partition: number;
  /** Offset of the record (kafkajs hands offsets over as decimal strings). */
  readonly offset: number | bigint | string;
  /** Record timestamp in ms since the epoch, when known. */
  readonly timestamp?: number | bigint | string;
  /** Record headers, when known. */
  readonly headers?: Readonly<Record<string, unknown>>;
}
