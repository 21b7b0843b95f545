/**
 * Triggers barrier checkpoints on the source subtasks, collects acknowledgements, writes the
 * checkpoint (state files, then `_metadata` last) and only then notifies every subtask of the
 * completion (invariant 3). One checkpoint is in flight at a time.
 */
import type { MetricGroup } from '../api/metric-group.js';
import type { CheckpointEvent } from '../metrics/job-status.js';
import { CheckpointError, CoreErrorCode } from '../errors.js';
import type { CheckpointStorage } from './checkpoint-storage.js';
import { retainCheckpoints, writeCheckpoint } from './checkpoint-store.js';
import type { OperatorSnapshotInput } from './checkpoint-store.js';

/** A subtask as the coordinator sees it. */
export interface CoordinatedSubtask {
  /** Unique key of the subtask within the job. */
  readonly key: string;
  readonly isSource: boolean;
  triggerCheckpoint(checkpointId: number, timestamp: number): void;
  notifyComplete(checkpointId: number): Promise<void>;
  notifyAborted(checkpointId: number): Promise<void>;
}

/** Static facts about a stateful operator, written into the metadata. */
export interface CoordinatedOperator {
  readonly uid: string;
  readonly name: string;
  readonly parallelism: number;
}

/** Options of a {@link CheckpointCoordinator}. */
export interface CheckpointCoordinatorOptions {
  readonly storage: CheckpointStorage;
  readonly jobName: string;
  readonly jobId: string;
  readonly maxParallelism: number;
  /** Periodic interval in ms; 0 disables periodic triggering (manual and final only). */
  readonly interval: number;
  readonly timeout: number;
  readonly minPause: number;
  readonly retain: number;
  /** First checkpoint id to use. */
  readonly firstCheckpointId: number;
  readonly subtasks: readonly CoordinatedSubtask[];
  readonly operators: readonly CoordinatedOperator[];
  readonly metrics: MetricGroup;
  /** A fatal problem: the job must fail. */
  readonly onFatal: (error: Error) => void;
  /** A non-fatal problem (e.g. a timed-out checkpoint). */
  readonly onWarning: (error: Error) => void;
  /** Checkpoint history for monitoring (triggered / completed / failed). @defaultValue none */
  readonly onCheckpoint?: (event: CheckpointEvent) => void;
  /** Clock. @defaultValue Date.now */
  readonly now?: () => number;
}

interface Pending {
  readonly checkpointId: number;
  readonly timestamp: number;
  readonly startedAt: number;
  readonly acks: Map<string, ReadonlyMap<string, Uint8Array>>;
  timer: ReturnType<typeof setTimeout> | undefined;
  readonly final: boolean;
  settled: boolean;
  readonly resolve: (id: number) => void;
  readonly reject: (error: Error) => void;
}

/** Coordinates the checkpoints of one job run. */
export class CheckpointCoordinator {
  private nextId: number;
  private pending: Pending | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private periodicTimer: ReturnType<typeof setTimeout> | undefined;
  private lastTrigger = -Infinity;
  private lastEnd = -Infinity;
  private stopped = false;
  private periodicStopped = false;
  private completedCount = 0;
  private failedCount = 0;
  private lastDuration = 0;
  private lastSize = 0;
  /** Id of the newest completed checkpoint of this run. */
  lastCompletedId: number | undefined;
  private readonly now: () => number;

  constructor(private readonly options: CheckpointCoordinatorOptions) {
    this.nextId = options.firstCheckpointId;
    this.now = options.now ?? Date.now;
    const metrics = options.metrics;
    metrics.gauge('numberOfCompletedCheckpoints', () => this.completedCount);
    metrics.gauge('numberOfFailedCheckpoints', () => this.failedCount);
    metrics.gauge('lastCheckpointDuration', () => this.lastDuration);
    metrics.gauge('lastCheckpointSize', () => this.lastSize);
    metrics.gauge('lastCompletedCheckpointId', () => this.lastCompletedId ?? null);
  }

  /** Starts periodic triggering (no-op when the interval is 0). */
  start(): void {
    this.schedule();
  }

  /** Stops periodic triggering; a checkpoint in flight may still complete. */
  stopPeriodic(): void {
    this.periodicStopped = true;
    if (this.periodicTimer !== undefined) clearTimeout(this.periodicTimer);
    this.periodicTimer = undefined;
  }

  /** Stops everything: the pending checkpoint is aborted without notification. */
  shutdown(): void {
    this.stopPeriodic();
    this.stopped = true;
    const pending = this.pending;
    if (pending !== undefined && !pending.settled) {
      this.settle(pending);
      pending.reject(
        new CheckpointError(`Checkpoint ${pending.checkpointId} was abandoned: the job stopped.`, {
          code: CoreErrorCode.CHECKPOINT_FAILED,
          checkpointId: pending.checkpointId,
        }),
      );
    }
  }

  /**
   * Triggers a checkpoint after the one in flight (if any) and resolves with its id once it is
   * complete and every subtask was notified. `final` checkpoints fail the job when they fail.
   */
  trigger(options: { final?: boolean } = {}): Promise<number> {
    const run = this.queue.then(() => this.runOne(options.final === true));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** A subtask's acknowledgement. Late acks of aborted checkpoints are ignored. */
  acknowledge(checkpointId: number, subtaskKey: string, states: ReadonlyMap<string, Uint8Array>): void {
    const pending = this.pending;
    if (pending === undefined || pending.settled || pending.checkpointId !== checkpointId) return;
    pending.acks.set(subtaskKey, states);
    if (pending.acks.size === this.options.subtasks.length) void this.complete(pending);
  }

  private runOne(final: boolean): Promise<number> {
    if (this.stopped) {
      return Promise.reject(
        new CheckpointError('No checkpoint can be triggered: the job is stopping.', {
          code: CoreErrorCode.CHECKPOINT_FAILED,
        }),
      );
    }
    const checkpointId = this.nextId;
    this.nextId += 1;
    const timestamp = this.now();
    this.lastTrigger = timestamp;
    return new Promise<number>((resolve, reject) => {
      const pending: Pending = {
        checkpointId,
        timestamp,
        startedAt: performance.now(),
        acks: new Map(),
        timer: undefined,
        final,
        settled: false,
        resolve,
        reject,
      };
      this.pending = pending;
      this.options.onCheckpoint?.({ type: 'triggered', id: checkpointId, timestamp, final });
      pending.timer = setTimeout(() => this.expire(pending), this.options.timeout);
      for (const subtask of this.options.subtasks) {
        if (subtask.isSource) subtask.triggerCheckpoint(checkpointId, timestamp);
      }
    });
  }

  private settle(pending: Pending): void {
    pending.settled = true;
    if (pending.timer !== undefined) clearTimeout(pending.timer);
    if (this.pending === pending) this.pending = undefined;
    this.lastEnd = this.now();
  }

  private expire(pending: Pending): void {
    if (pending.settled) return;
    this.settle(pending);
    this.failedCount += 1;
    const error = new CheckpointError(
      `Checkpoint ${pending.checkpointId} did not complete within ${this.options.timeout} ms ` +
        `(${pending.acks.size} of ${this.options.subtasks.length} subtasks acknowledged) and was aborted. ` +
        'Raise the checkpoint timeout (getCheckpointConfig().setCheckpointTimeout) or relieve back-pressure.',
      { code: CoreErrorCode.CHECKPOINT_TIMEOUT, checkpointId: pending.checkpointId },
    );
    this.reportFailed(pending, error);
    this.notifyAborted(pending.checkpointId);
    pending.reject(error);
    if (pending.final) this.options.onFatal(error);
    else this.options.onWarning(error);
    this.schedule();
  }

  private async complete(pending: Pending): Promise<void> {
    if (pending.timer !== undefined) clearTimeout(pending.timer);
    const operators: OperatorSnapshotInput[] = this.options.operators.map((op) => ({
      uid: op.uid,
      name: op.name,
      parallelism: op.parallelism,
      maxParallelism: this.options.maxParallelism,
      subtaskStates: new Map(),
    }));
    const byUid = new Map(operators.map((op) => [op.uid, op.subtaskStates as Map<number, Uint8Array>]));
    for (const [key, states] of pending.acks) {
      const subtask = Number(key.slice(key.indexOf('/') + 1));
      for (const [uid, bytes] of states) byUid.get(uid)?.set(subtask, bytes);
    }
    try {
      const written = await writeCheckpoint(this.options.storage, {
        jobName: this.options.jobName,
        jobId: this.options.jobId,
        checkpointId: pending.checkpointId,
        timestamp: pending.timestamp,
        operators,
      });
      this.lastSize = written.size;
    } catch (error) {
      if (pending.settled) return;
      this.settle(pending);
      this.failedCount += 1;
      const failure = new CheckpointError(
        `Checkpoint ${pending.checkpointId} could not be written to ${this.options.storage.location}.`,
        { code: CoreErrorCode.CHECKPOINT_FAILED, checkpointId: pending.checkpointId, cause: error },
      );
      this.reportFailed(pending, failure);
      this.notifyAborted(pending.checkpointId);
      pending.reject(failure);
      this.options.onFatal(failure);
      return;
    }
    if (pending.settled) return;
    this.settle(pending);
    this.completedCount += 1;
    this.lastCompletedId = pending.checkpointId;
    this.lastDuration = Math.round(performance.now() - pending.startedAt);
    const completed = { id: pending.checkpointId, durationMs: this.lastDuration, sizeBytes: this.lastSize };
    this.options.onCheckpoint?.({ type: 'completed', ...completed });
    try {
      await this.notifyAll(pending.checkpointId, 'complete');
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      pending.reject(failure);
      this.options.onFatal(failure);
      return;
    }
    // Older checkpoints go after the notification: the sinks commit without waiting for the deletes.
    try {
      await retainCheckpoints(this.options.storage, {
        jobName: this.options.jobName,
        retain: this.options.retain,
      });
    } catch (error) {
      this.options.onWarning(error instanceof Error ? error : new Error(String(error)));
    }
    pending.resolve(pending.checkpointId);
    this.schedule();
  }

  private reportFailed(pending: Pending, error: Error): void {
    const durationMs = Math.round(performance.now() - pending.startedAt);
    this.options.onCheckpoint?.({ type: 'failed', id: pending.checkpointId, durationMs, error });
  }

  private notifyAborted(checkpointId: number): void {
    this.notifyAll(checkpointId, 'aborted').catch((error: unknown) => {
      this.options.onFatal(error instanceof Error ? error : new Error(String(error)));
    });
  }

  private async notifyAll(checkpointId: number, what: 'complete' | 'aborted'): Promise<void> {
    const results = await Promise.allSettled(
      this.options.subtasks.map((subtask) =>
        what === 'complete' ? subtask.notifyComplete(checkpointId) : subtask.notifyAborted(checkpointId),
      ),
    );
    for (const result of results) {
      if (result.status === 'rejected') throw result.reason;
    }
  }

  private schedule(): void {
    if (this.stopped || this.periodicStopped || this.options.interval <= 0) return;
    if (this.periodicTimer !== undefined) clearTimeout(this.periodicTimer);
    const now = this.now();
    const at = Math.max(
      this.lastTrigger === -Infinity ? now + this.options.interval : this.lastTrigger + this.options.interval,
      this.lastEnd + this.options.minPause,
    );
    this.periodicTimer = setTimeout(() => {
      this.periodicTimer = undefined;
      if (this.pending !== undefined || this.stopped || this.periodicStopped) return;
      this.trigger().catch(() => undefined);
    }, Math.max(0, at - now));
  }
}
