/**
 * Flink 1.6's `KafkaTopicPartitionAssigner.assign` (reference §1.4, checklist 4): the subtask that
 * owns a partition. Partitions of one topic go round-robin over the subtasks, starting at a
 * subtask derived from the topic name, so that several topics spread evenly.
 */
import { javaStringHashCode } from '../../internal/java-hash.js';

/**
 * Returns the index of the subtask that reads `partition` of `topic` when the source runs with
 * `parallelism` subtasks: `((hash(topic) * 31 & 0x7FFFFFFF) % P + partition) % P`, int32 math.
 */
export function assignPartition(topic: string, partition: number, parallelism: number): number {
  if (!Number.isInteger(parallelism) || parallelism <= 0) {
    throw new RangeError(`parallelism must be a positive integer, got ${parallelism}`);
  }
  if (!Number.isInteger(partition) || partition < 0) {
    throw new RangeError(`partition must be a non-negative integer, got ${partition}`);
  }
  const start = (Math.imul(javaStringHashCode(topic), 31) & 0x7fffffff) % parallelism;
  return (start + partition) % parallelism;
}
