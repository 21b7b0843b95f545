import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CoreErrorCode } from '../errors.js';
import { CheckpointCoordinator } from './checkpoint-coordinator.js';
import type { CoordinatedSubtask } from './checkpoint-coordinator.js';
import { InMemoryCheckpointStorage } from './in-memory-checkpoint-storage.js';
import { MetricRegistry } from './metric-registry.js';

class OrderedStorage extends InMemoryCheckpointStorage {
  constructor(private readonly log: string[]) {
    super();
  }
  override async writeFile(path: string, file: { name: string; bytes: Uint8Array }): Promise<void> {
    this.log.push(`write ${file.name}`);
    await super.writeFile(path, file);
  }
  override async commitMetadata(path: string, bytes: Uint8Array): Promise<void> {
    this.log.push(`metadata ${path.slice(path.lastIndexOf('-') + 1)}`);
    await super.commitMetadata(path, bytes);
  }
}

function setup(options: { interval: number; minPause?: number; ack?: boolean; timeout?: number }) {
  const log: string[] = [];
  const triggers: number[] = [];
  const fatal: Error[] = [];
  const warnings: Error[] = [];
  const subtask = (key: string, isSource: boolean): CoordinatedSubtask => ({
    key,
    isSource,
    triggerCheckpoint(id) {
      triggers.push(id);
      if (options.ack === false) return;
      // Every subtask acknowledges asynchronously, as after the barrier went through.
      queueMicrotask(() => {
        coordinator.acknowledge(id, '0/0', new Map([['src', new Uint8Array([1])]]));
        coordinator.acknowledge(id, '1/0', new Map());
      });
    },
    notifyComplete: async (id) => void log.push(`notify ${key} ${id}`),
    notifyAborted: async (id) => void log.push(`aborted ${key} ${id}`),
  });
  const coordinator: CheckpointCoordinator = new CheckpointCoordinator({
    storage: new OrderedStorage(log),
    jobName: 'job',
    jobId: 'j',
    maxParallelism: 128,
    interval: options.interval,
    timeout: options.timeout ?? 10_000,
    minPause: options.minPause ?? 0,
    retain: 1,
    firstCheckpointId: 5,
    subtasks: [subtask('0/0', true), subtask('1/0', false)],
    operators: [{ uid: 'src', name: 'Source', parallelism: 1 }],
    metrics: new MetricRegistry().group(['job']),
    onFatal: (e) => fatal.push(e),
    onWarning: (e) => warnings.push(e),
    now: () => Date.now(),
  });
  return { coordinator, log, triggers, fatal, warnings };
}

describe('CheckpointCoordinator', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes state files, then _metadata, then notifies every subtask', async () => {
    const { coordinator, log } = setup({ interval: 0 });
    await expect(coordinator.trigger()).resolves.toBe(5);
    expect(log).toEqual(['write src-0.state', 'metadata 5', 'notify 0/0 5', 'notify 1/0 5']);
  });

  it('triggers periodically, continuing ids, respecting the minimum pause', async () => {
    const { coordinator, triggers } = setup({ interval: 100, minPause: 250 });
    coordinator.start();
    await vi.advanceTimersByTimeAsync(99);
    expect(triggers).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(triggers).toEqual([5]);
    await vi.advanceTimersByTimeAsync(200);
    expect(triggers).toEqual([5]);
    await vi.advanceTimersByTimeAsync(60);
    expect(triggers).toEqual([5, 6]);
    coordinator.shutdown();
  });

  it('aborts a checkpoint that times out, notifies aborted, and warns', async () => {
    const { coordinator, log, warnings, fatal } = setup({ interval: 0, ack: false, timeout: 500 });
    const result = coordinator.trigger();
    result.catch(() => undefined);
    await vi.advanceTimersByTimeAsync(500);
    await expect(result).rejects.toMatchObject({ code: CoreErrorCode.CHECKPOINT_TIMEOUT, checkpointId: 5 });
    expect(log).toEqual(['aborted 0/0 5', 'aborted 1/0 5']);
    expect(warnings).toHaveLength(1);
    expect(fatal).toHaveLength(0);
  });

  it('fails the job when a final checkpoint times out', async () => {
    const { coordinator, fatal } = setup({ interval: 0, ack: false, timeout: 500 });
    coordinator.trigger({ final: true }).catch(() => undefined);
    await vi.advanceTimersByTimeAsync(500);
    expect(fatal).toHaveLength(1);
  });

  it('runs manual triggers one after the other', async () => {
    const { coordinator, triggers } = setup({ interval: 0 });
    const ids = await Promise.all([coordinator.trigger(), coordinator.trigger(), coordinator.trigger()]);
    expect(ids).toEqual([5, 6, 7]);
    expect(triggers).toEqual([5, 6, 7]);
  });
});
