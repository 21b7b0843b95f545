/** A partition of a topic (Flink's `KafkaTopicPartition`). */
export interface TopicPartition {
  /** Topic name. */
  readonly topic: string;
  /** Partition id, ≥ 0. */
  readonly partition: number;
}

/** A partition together with an offset. */
export interface TopicPartitionOffset extends TopicPartition {
  /** Offset; meaning depends on the place it is used (see each API). */
  readonly offset: number;
}

/** A map key for a partition: `topic` + NUL + `partition` (NUL never occurs in topic names). */
export function partitionKey(tp: TopicPartition): string {
  return `${tp.topic}\u0000${tp.partition}`;
}

/** Orders partitions by topic, then partition id (Flink sorts restored state this way). */
export function comparePartitions(a: TopicPartition, b: TopicPartition): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  return a.partition - b.partition;
}
