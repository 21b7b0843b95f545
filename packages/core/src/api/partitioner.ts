/**
 * Chooses the target partition of a record written to a partitioned system such as Kafka
 * (Flink's `FlinkKafkaPartitioner`). Partitioners are stateless: nothing of theirs is checkpointed.
 */

/** What a {@link Partitioner} knows about one record's destination. */
export interface PartitionTarget {
  /** Serialized key, or `null` when the schema gives none. */
  readonly key: Uint8Array | null;
  /** Serialized value. */
  readonly value: Uint8Array;
  /** Target topic. */
  readonly topic: string;
  /** The topic's partition ids, sorted ascending. Never empty. */
  readonly partitions: readonly number[];
}

/** Picks a partition for each record. */
export interface Partitioner<TRecord> {
  /** Called once per sink subtask before the first record. */
  open?(subtaskIndex: number, parallelism: number): void;
  /** Returns one of `target.partitions`. */
  partition(record: TRecord, target: PartitionTarget): number;
}
