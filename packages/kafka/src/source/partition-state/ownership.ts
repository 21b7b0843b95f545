import type { TopicPartition } from '../../internal/topic-partition.js';
import { assignPartition } from './partition-assigner.js';

/** Whether subtask `subtaskIndex` of `parallelism` owns `tp` (restore filter, checklist 11). */
export function partitionAssignerOwns(
  tp: TopicPartition,
  subtask: { readonly subtaskIndex: number; readonly parallelism: number },
): boolean {
  return assignPartition(tp.topic, tp.partition, subtask.parallelism) === subtask.subtaskIndex;
}
