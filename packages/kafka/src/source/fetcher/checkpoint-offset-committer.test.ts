import { describe, expect, it, vi } from 'vitest';
import type { TopicPartitionOffset } from '../../internal/topic-partition.js';
import { KafkaOffsetSentinel } from '../partition-state/offsets.js';
import { CheckpointOffsetCommitter } from './checkpoint-offset-committer.js';

/** A committer whose commits resolve or reject only when the test says so. */
function fakeCommitter() {
  const calls: { offsets: readonly TopicPartitionOffset[]; resolve: () => void; reject: (e: Error) => void }[] = [];
  const commit = vi.fn(
    (offsets: readonly TopicPartitionOffset[]) =>
      new Promise<void>((resolve, reject) => {
        calls.push({ offsets, resolve, reject });
      }),
  );
  return { commit, calls };
}

const tp = (partition: number, offset: number) => ({ topic: 't', partition, offset });

describe('ON_CHECKPOINTS commits (checklist 10)', () => {
  it('commits stored + 1 on notify, dropping sentinels and partitions of other subtasks', async () => {
    const { commit, calls } = fakeCommitter();
    const c = new CheckpointOffsetCommitter({ commit, logger: { warn: vi.fn() }, owns: (p) => p.partition !== 2 });
    c.onSnapshot(1, [tp(0, 10), tp(1, KafkaOffsetSentinel.GROUP_OFFSET), tp(2, 5), tp(3, -1)]);
    c.onCheckpointComplete(1);
    expect(calls.map((x) => x.offsets)).toEqual([[tp(0, 11)]]);
    calls[0]?.resolve();
    await c.whenIdle();
    expect(c.commitsSucceeded).toBe(1);
  });

  it('keeps at most 100 parked snapshots, dropping the oldest', () => {
    const c = new CheckpointOffsetCommitter({ commit: vi.fn(() => Promise.resolve()), logger: { warn: vi.fn() } });
    for (let id = 1; id <= 150; id += 1) c.onSnapshot(id, [tp(0, id)]);
    const ids = c.pendingCheckpointIds();
    expect(ids).toHaveLength(100);
    expect(ids[0]).toBe(51);
    expect(ids.at(-1)).toBe(150);
  });

  it('notify removes that checkpoint and all older ones; an unknown id warns and commits nothing', async () => {
    const { commit, calls } = fakeCommitter();
    const warn = vi.fn();
    const c = new CheckpointOffsetCommitter({ commit, logger: { warn } });
    c.onSnapshot(1, [tp(0, 1)]);
    c.onSnapshot(2, [tp(0, 2)]);
    c.onSnapshot(3, [tp(0, 3)]);
    c.onCheckpointComplete(2);
    expect(c.pendingCheckpointIds()).toEqual([3]);
    expect(calls.map((x) => x.offsets)).toEqual([[tp(0, 3)]]);
    c.onCheckpointComplete(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(calls).toHaveLength(1);
    calls[0]?.resolve();
    await c.whenIdle();
  });

  it('runs one commit at a time; a newer request replaces a queued one (with a warning)', async () => {
    const { commit, calls } = fakeCommitter();
    const warn = vi.fn();
    const c = new CheckpointOffsetCommitter({ commit, logger: { warn } });
    for (let id = 1; id <= 3; id += 1) c.onSnapshot(id, [tp(0, id * 10)]);
    c.onCheckpointComplete(1);
    c.onCheckpointComplete(2);
    c.onCheckpointComplete(3);
    expect(calls).toHaveLength(1);
    expect(warn).toHaveBeenCalledTimes(1);
    calls[0]?.resolve();
    await vi.waitFor(() => expect(calls).toHaveLength(2));
    expect(calls[1]?.offsets).toEqual([tp(0, 31)]);
    calls[1]?.resolve();
    await c.whenIdle();
    expect(calls).toHaveLength(2);
    expect(c.commitsSucceeded).toBe(2);
  });

  it('counts failures and goes on; never throws', async () => {
    const { commit, calls } = fakeCommitter();
    const failed = { inc: vi.fn(), count: 0 };
    const warn = vi.fn();
    const c = new CheckpointOffsetCommitter({ commit, logger: { warn }, commitsFailed: failed });
    c.onSnapshot(1, [tp(0, 1)]);
    c.onCheckpointComplete(1);
    calls[0]?.reject(new Error('coordinator not available'));
    await c.whenIdle();
    expect(c.commitsFailed).toBe(1);
    expect(failed.inc).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]?.[0]).toContain('coordinator not available');
    c.onSnapshot(2, [tp(0, 2)]);
    c.onCheckpointComplete(2);
    calls[1]?.resolve();
    await c.whenIdle();
    expect(c.commitsSucceeded).toBe(1);
  });

  it('reports each requested commit (committedOffsets gauge is set on request)', () => {
    const requested: TopicPartitionOffset[] = [];
    const c = new CheckpointOffsetCommitter({
      commit: () => new Promise(() => undefined),
      logger: { warn: vi.fn() },
      onCommitRequested: (o) => requested.push(o),
    });
    c.onSnapshot(7, [tp(0, 4)]);
    c.onCheckpointComplete(7);
    expect(requested).toEqual([tp(0, 5)]);
  });
});
