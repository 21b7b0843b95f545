import { describe, expect, it } from 'vitest';
import { OffsetCommitMode, decideCommitMode } from './commit-mode.js';

describe('commit mode decision table (checklist 9)', () => {
  it.each([
    [true, true, true, 5000, OffsetCommitMode.ON_CHECKPOINTS],
    [true, true, false, 0, OffsetCommitMode.ON_CHECKPOINTS],
    [true, false, true, 5000, OffsetCommitMode.DISABLED],
    [false, true, true, 5000, OffsetCommitMode.KAFKA_PERIODIC],
    [false, false, true, 1, OffsetCommitMode.KAFKA_PERIODIC],
    [false, true, true, 0, OffsetCommitMode.DISABLED],
    [false, true, false, 5000, OffsetCommitMode.DISABLED],
  ] as const)(
    'checkpointing=%s onCheckpoints=%s autoCommit=%s interval=%s → %s',
    (...row) => {
      const [checkpointingEnabled, commitOffsetsOnCheckpoints, enableAutoCommit, autoCommitIntervalMs, expected] = row;
      expect(decideCommitMode({ checkpointingEnabled, commitOffsetsOnCheckpoints, enableAutoCommit, autoCommitIntervalMs })).toBe(expected);
    },
  );
});
