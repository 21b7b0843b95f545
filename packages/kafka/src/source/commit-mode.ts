/**
 * How the source commits offsets back to Kafka (reference §1.6, checklist 9). Committed offsets
 * are for monitoring and for `groupOffsets()` starts only; exactly-once comes from checkpoints.
 */

/** The offset commit mode decided when the source opens. */
export const OffsetCommitMode = {
  /** Commit the checkpointed offsets (+1) when a checkpoint completes. */
  ON_CHECKPOINTS: 'ON_CHECKPOINTS',
  /** Let the client commit periodically (only without checkpointing). */
  KAFKA_PERIODIC: 'KAFKA_PERIODIC',
  /** Never commit. */
  DISABLED: 'DISABLED',
} as const;

/** One of {@link OffsetCommitMode}. */
export type OffsetCommitMode = (typeof OffsetCommitMode)[keyof typeof OffsetCommitMode];

/** The inputs of the commit-mode decision. */
export interface CommitModeInputs {
  /** Whether the job checkpoints. */
  readonly checkpointingEnabled: boolean;
  /** `commitOffsetsOnCheckpoints` (default true). */
  readonly commitOffsetsOnCheckpoints: boolean;
  /** `enable.auto.commit` (default true). */
  readonly enableAutoCommit: boolean;
  /** `auto.commit.interval.ms` (default 5000). */
  readonly autoCommitIntervalMs: number;
}

/** The §1.6 decision table. */
export function decideCommitMode(inputs: CommitModeInputs): OffsetCommitMode {
  if (inputs.checkpointingEnabled) {
    return inputs.commitOffsetsOnCheckpoints ? OffsetCommitMode.ON_CHECKPOINTS : OffsetCommitMode.DISABLED;
  }
  return inputs.enableAutoCommit && inputs.autoCommitIntervalMs > 0
    ? OffsetCommitMode.KAFKA_PERIODIC
    : OffsetCommitMode.DISABLED;
}
