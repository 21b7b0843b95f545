/**
 * The ON_CHECKPOINTS commit path (reference §1.6, checklist 10): offsets are parked per checkpoint
 * at snapshot time and committed to Kafka when that checkpoint completes. At most one commit runs
 * at a time; a newer request replaces one still waiting; failures are counted and logged, never
 * fatal.
 */
import type { Counter } from '@sluice/core';
import type { KafkaLogger } from '../../internal/logger.js';
import type { TopicPartition, TopicPartitionOffset } from '../../internal/topic-partition.js';
import { isSentinel } from '../partition-state/offsets.js';

/** Commits offsets (already +1: the next record to read) to the consumer group. */
export type CommitOffsets = (offsets: readonly TopicPartitionOffset[]) => Promise<void>;

/** Options of {@link CheckpointOffsetCommitter}. */
export interface CheckpointOffsetCommitterOptions {
  readonly commit: CommitOffsets;
  readonly logger: KafkaLogger;
  /** Whether this subtask owns a partition (commits keep only owned ones). @defaultValue all */
  readonly owns?: (tp: TopicPartition) => boolean;
  /** Counts successful commits. @defaultValue none */
  readonly commitsSucceeded?: Counter;
  /** Counts failed commits. @defaultValue none */
  readonly commitsFailed?: Counter;
  /** Called when a commit is requested, per partition, with the committed (+1) offset. */
  readonly onCommitRequested?: (offset: TopicPartitionOffset) => void;
  /** Most snapshots kept waiting for completion; the oldest is dropped beyond. @defaultValue 100 */
  readonly maxPending?: number;
}

/** Default bound of parked snapshots (Flink's `MAX_NUM_PENDING_CHECKPOINTS`). */
export const MAX_PENDING_CHECKPOINTS = 100;

/** Parks offsets per checkpoint and commits them on completion, one commit at a time. */
export class CheckpointOffsetCommitter {
  private readonly pending = new Map<number, readonly TopicPartitionOffset[]>();
  private inFlight: Promise<void> | undefined;
  private queued: readonly TopicPartitionOffset[] | undefined;
  private succeeded = 0;
  private failed = 0;
  private readonly maxPending: number;

  constructor(private readonly options: CheckpointOffsetCommitterOptions) {
    this.maxPending = options.maxPending ?? MAX_PENDING_CHECKPOINTS;
  }

  /** Parks the "last emitted" offsets of checkpoint `checkpointId` (sentinels allowed). */
  onSnapshot(checkpointId: number, offsets: readonly TopicPartitionOffset[]): void {
    this.pending.delete(checkpointId);
    this.pending.set(checkpointId, offsets.map((o) => ({ ...o })));
    while (this.pending.size > this.maxPending) {
      const oldest = this.pending.keys().next().value as number;
      this.pending.delete(oldest);
    }
  }

  /**
   * Commits the offsets parked for `checkpointId` (+1, sentinels and foreign partitions dropped)
   * and forgets that entry and all older ones. Unknown ids are warned about and ignored.
   */
  onCheckpointComplete(checkpointId: number): void {
    const offsets = this.pending.get(checkpointId);
    if (offsets === undefined) {
      this.options.logger.warn(
        `Checkpoint ${checkpointId} completed but no offsets were parked for it (too old, or taken before a restore); nothing is committed to Kafka.`,
        { checkpointId },
      );
      return;
    }
    for (const id of [...this.pending.keys()]) {
      if (id <= checkpointId) this.pending.delete(id);
    }
    const owns = this.options.owns ?? (() => true);
    const toCommit = offsets
      .filter((o) => !isSentinel(o.offset) && owns(o))
      .map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset + 1 }));
    if (toCommit.length === 0) return;
    this.request(toCommit);
  }

  /** Checkpoint ids whose offsets are parked, oldest first. */
  pendingCheckpointIds(): number[] {
    return [...this.pending.keys()];
  }

  /** Number of commits that succeeded / failed so far. */
  get commitsSucceeded(): number {
    return this.succeeded;
  }
  get commitsFailed(): number {
    return this.failed;
  }

  /** Resolves once no commit is running or waiting. Never rejects. */
  async whenIdle(): Promise<void> {
    while (this.inFlight !== undefined) await this.inFlight;
  }

  private request(offsets: readonly TopicPartitionOffset[]): void {
    for (const o of offsets) this.options.onCommitRequested?.(o);
    if (this.inFlight !== undefined) {
      if (this.queued !== undefined) {
        this.options.logger.warn(
          'Committing offsets to Kafka takes longer than the checkpoint interval; skipping the waiting commit in favour of a newer one. This does not affect exactly-once, only the offsets Kafka shows.',
        );
      }
      this.queued = offsets;
      return;
    }
    this.inFlight = this.run(offsets);
  }

  private async run(first: readonly TopicPartitionOffset[]): Promise<void> {
    let next: readonly TopicPartitionOffset[] | undefined = first;
    while (next !== undefined) {
      try {
        await this.options.commit(next);
        this.succeeded += 1;
        this.options.commitsSucceeded?.inc();
      } catch (error) {
        this.failed += 1;
        this.options.commitsFailed?.inc();
        this.options.logger.warn(
          `Committing offsets to Kafka failed; the job goes on (offsets in Kafka are for monitoring and group starts only): ${error instanceof Error ? error.message : String(error)}`,
          { error },
        );
      }
      next = this.queued;
      this.queued = undefined;
    }
    this.inFlight = undefined;
  }
}
