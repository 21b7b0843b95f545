/**
 * Flink's `FlinkFixedPartitioner` (reference §2.2, checklist 16): every record of sink subtask i
 * goes to `partitions[i % n]` of the sorted partition ids, so each subtask writes one partition.
 */
import type { Partitioner, PartitionTarget } from '@sluice/core';
import { KafkaError, KafkaErrorCode } from '../../errors.js';

/**
 * Sends all records of a sink subtask to one partition: `partitions[subtaskIndex % n]` over the
 * topic's sorted partition ids. The default partitioner of `KafkaSink`. With fewer sink subtasks
 * than partitions, some partitions receive nothing.
 *
 * @typeParam TRecord - record type (not looked at)
 */
export class FixedPartitioner<TRecord = unknown> implements Partitioner<TRecord> {
  private subtaskIndex = -1;

  /** Remembers this subtask's index; checks `subtaskIndex ≥ 0` and `parallelism > 0`. */
  open(subtaskIndex: number, parallelism: number): void {
    if (!Number.isInteger(subtaskIndex) || subtaskIndex < 0) {
      throw new RangeError(`FixedPartitioner.open: subtaskIndex must be an integer ≥ 0, got ${subtaskIndex}`);
    }
    if (!Number.isInteger(parallelism) || parallelism <= 0) {
      throw new RangeError(`FixedPartitioner.open: parallelism must be an integer > 0, got ${parallelism}`);
    }
    this.subtaskIndex = subtaskIndex;
  }

  /** `target.partitions[subtaskIndex % n]`; an empty partition list is an error naming the topic. */
  partition(_record: TRecord, target: PartitionTarget): number {
    if (this.subtaskIndex < 0) throw new RangeError('FixedPartitioner.partition was called before open()');
    const { partitions } = target;
    if (partitions.length === 0) {
      throw new KafkaError(`FixedPartitioner found no partitions for topic ${target.topic}.`, {
        code: KafkaErrorCode.KAFKA_NO_PARTITIONS,
        topic: target.topic,
      });
    }
    return partitions[this.subtaskIndex % partitions.length]!;
  }
}
