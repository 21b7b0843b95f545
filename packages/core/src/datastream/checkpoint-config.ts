/** Checkpointing settings of a {@link StreamExecutionEnvironment} (Flink's `CheckpointConfig`). */
import type { CheckpointStorage } from '../runtime/checkpoint-storage.js';

/** Consistency of checkpoints (barrier alignment on operators with several inputs). */
export const CheckpointingMode = {
  /** Align barriers: state reflects every record exactly once. */
  EXACTLY_ONCE: 'exactly-once',
  /** Do not align: lower latency, records may be replayed twice after a restore. */
  AT_LEAST_ONCE: 'at-least-once',
} as const;

/** A value of {@link CheckpointingMode}. */
export type CheckpointingMode = (typeof CheckpointingMode)[keyof typeof CheckpointingMode];

/** What to do with the sinks' open work when the job is cancelled. */
export type StopMode = 'checkpoint' | 'abort';

/** Which checkpoint a job starts from: the newest of this job, none, or a `chk-<n>` path. */
export type RestoreSetting = 'latest' | 'none' | (string & {});

/** Checkpoint settings; validated when the job is executed. */
export class CheckpointConfig {
  /** @internal Interval in ms; undefined while checkpointing is disabled. */
  interval: number | undefined;
  private mode: CheckpointingMode = CheckpointingMode.EXACTLY_ONCE;
  private timeout = 600_000;
  private minPause = 0;
  private retained = 1;
  private storage: CheckpointStorage | string | undefined;
  private restore: RestoreSetting = 'latest';
  private stopMode: StopMode = 'checkpoint';
  private allowNonRestored = false;

  /** Whether `enableCheckpointing` was called. */
  isCheckpointingEnabled(): boolean {
    return this.interval !== undefined;
  }

  /** The checkpoint interval in ms, when enabled. */
  getCheckpointInterval(): number | undefined {
    return this.interval;
  }

  /**
   * Sets exactly-once or at-least-once checkpoints.
   * @defaultValue `CheckpointingMode.EXACTLY_ONCE`
   */
  setCheckpointingMode(mode: CheckpointingMode): this {
    this.mode = mode;
    return this;
  }

  /** The checkpointing mode. */
  getCheckpointingMode(): CheckpointingMode {
    return this.mode;
  }

  /**
   * A checkpoint not complete after `ms` is aborted (`CHECKPOINT_TIMEOUT`).
   * @defaultValue 600000 (10 minutes)
   */
  setCheckpointTimeout(ms: number): this {
    this.timeout = ms;
    return this;
  }

  /** The checkpoint timeout in ms. */
  getCheckpointTimeout(): number {
    return this.timeout;
  }

  /**
   * Least time between the end of one checkpoint and the start of the next.
   * @defaultValue 0
   */
  setMinPauseBetweenCheckpoints(ms: number): this {
    this.minPause = ms;
    return this;
  }

  /** The minimum pause in ms. */
  getMinPauseBetweenCheckpoints(): number {
    return this.minPause;
  }

  /**
   * How many complete checkpoints storage keeps; older ones are deleted after a new one completes.
   * @defaultValue 1
   */
  setMaxRetainedCheckpoints(count: number): this {
    this.retained = count;
    return this;
  }

  /** The number of retained checkpoints. */
  getMaxRetainedCheckpoints(): number {
    return this.retained;
  }

  /**
   * Where checkpoints go: a {@link CheckpointStorage}, or a directory path for a
   * `LocalCheckpointStorage`. Required when checkpointing is enabled.
   * @defaultValue none (execute fails with `CONFIG_INVALID` naming this option)
   */
  setCheckpointStorage(storage: CheckpointStorage | string): this {
    this.storage = storage;
    return this;
  }

  /** The configured storage. */
  getCheckpointStorage(): CheckpointStorage | string | undefined {
    return this.storage;
  }

  /**
   * Which checkpoint to start from: `'latest'` (newest complete checkpoint of this job name in
   * the storage, if any), `'none'`, or the path of a `chk-<n>` directory.
   * @defaultValue `'latest'`
   */
  setRestore(restore: RestoreSetting): this {
    this.restore = restore;
    return this;
  }

  /** The restore setting. */
  getRestore(): RestoreSetting {
    return this.restore;
  }

  /**
   * On cancel: `'checkpoint'` takes a final checkpoint (sinks commit) before ending, `'abort'` ends
   * without one (open transactions are aborted and replayed after a restart).
   * @defaultValue `'checkpoint'`
   */
  setStopMode(mode: StopMode): this {
    this.stopMode = mode;
    return this;
  }

  /** The stop mode. */
  getStopMode(): StopMode {
    return this.stopMode;
  }

  /**
   * Start even when the restored checkpoint holds state of operator uids the job no longer has
   * (that state is dropped), like Flink's `--allowNonRestoredState`.
   * @defaultValue false
   */
  setAllowNonRestoredState(allow: boolean): this {
    this.allowNonRestored = allow;
    return this;
  }

  /** Whether unmatched state is dropped. */
  getAllowNonRestoredState(): boolean {
    return this.allowNonRestored;
  }
}
