/**
 * What a running job reports about itself to monitoring: its graph, state, checkpoint history,
 * exceptions and metrics ({@link JobStatus}). The runtime feeds a {@link JobStatusTracker}; the
 * job handle's `status()` returns its view.
 */
import type { MetricSample } from './metric-sample.js';

/** Lifecycle state of a job run. */
export type JobState = 'running' | 'finished' | 'cancelled' | 'failed';

/** One operator of the job graph. */
export interface JobVertex {
  /** The operator's uid (also the `operator_id` metric label). */
  readonly uid: string;
  readonly name: string;
  /** `source`, `map`, `flatMap`, `filter`, `sink`, … */
  readonly kind: string;
  readonly parallelism: number;
}

/** An edge of the job graph: records flow from `source` to `target` (operator uids). */
export interface JobEdge {
  readonly source: string;
  readonly target: string;
  /** `forward` (chained when parallelism matches) or an exchange such as `rebalance`. */
  readonly partitioning: string;
}

/** The job graph: operators in topological order and the edges between them. */
export interface JobGraphView {
  readonly vertices: readonly JobVertex[];
  readonly edges: readonly JobEdge[];
}

/** Status of one checkpoint. */
export type CheckpointState = 'in_progress' | 'completed' | 'failed';

/** One checkpoint of the run. */
export interface CheckpointStats {
  readonly id: number;
  readonly status: CheckpointState;
  /** Trigger time, ms since the epoch. */
  readonly triggerTimestamp: number;
  /** ms from trigger to durable metadata (completed), or to the failure. */
  readonly durationMs?: number;
  /** Bytes written (state files + metadata), completed checkpoints only. */
  readonly sizeBytes?: number;
  /** Longest barrier alignment of any subtask for this checkpoint, in ms, when known. */
  readonly alignmentMs?: number;
  /** Why it failed. */
  readonly failureMessage?: string;
  /** Whether it was the final checkpoint of a bounded job or of a graceful stop. */
  readonly final?: boolean;
}

/** One failure seen by the job (task failure, failed checkpoint). */
export interface ExceptionEntry {
  /** ms since the epoch. */
  readonly timestamp: number;
  readonly name: string;
  readonly message: string;
  /** `SluiceError` code, when the error has one. */
  readonly code?: string;
  /** Operator uid or name, when known. */
  readonly operator?: string;
  readonly subtask?: number;
  readonly stack?: string;
}

/** Everything monitoring shows about one job run. */
export interface JobStatus {
  readonly jobId: string;
  readonly jobName: string;
  readonly state: JobState;
  /** ms since the epoch. */
  readonly startTime: number;
  /** ms since the epoch, once ended. */
  readonly endTime?: number;
  /** ms since start (to the end once ended). */
  readonly durationMs: number;
  readonly graph: JobGraphView;
  readonly checkpoints: {
    readonly completed: number;
    readonly failed: number;
    /** Newest first, at most {@link JobStatusTracker.historySize}. */
    readonly history: readonly CheckpointStats[];
  };
  /** Newest first, at most {@link JobStatusTracker.historySize}. */
  readonly exceptions: readonly ExceptionEntry[];
  readonly restarts: number;
  readonly metrics: readonly MetricSample[];
}

/** A checkpoint event reported by the runtime's coordinator. */
export type CheckpointEvent =
  | {
      readonly type: 'triggered';
      readonly id: number;
      readonly timestamp: number;
      readonly final: boolean;
    }
  | {
      readonly type: 'completed';
      readonly id: number;
      readonly durationMs: number;
      readonly sizeBytes: number;
    }
  | {
      readonly type: 'failed';
      readonly id: number;
      readonly durationMs: number;
      readonly error: Error;
    };

/** Collects the job-level facts of one run (fed by the runtime). */
export class JobStatusTracker {
  /** How many checkpoints and exceptions are kept. */
  readonly historySize = 50;
  private graph: JobGraphView = { vertices: [], edges: [] };
  private jobId = '';
  private jobName = '';
  private state: JobState = 'running';
  private readonly startTime = Date.now();
  private endTime: number | undefined;
  private completed = 0;
  private failed = 0;
  private restarts = 0;
  private readonly checkpoints: CheckpointStats[] = [];
  private readonly exceptions: ExceptionEntry[] = [];
  private readonly alignments = new Map<number, number>();

  /** Sets the job's identity and graph. */
  describe(job: { jobId: string; jobName: string; graph: JobGraphView }): void {
    this.jobId = job.jobId;
    this.jobName = job.jobName;
    this.graph = job.graph;
  }

  /** Records a checkpoint event. */
  checkpoint(event: CheckpointEvent): void {
    if (event.type === 'triggered') {
      this.checkpoints.unshift({
        id: event.id,
        status: 'in_progress',
        triggerTimestamp: event.timestamp,
        ...(event.final ? { final: true } : {}),
      });
      this.checkpoints.splice(this.historySize);
      return;
    }
    const index = this.checkpoints.findIndex((c) => c.id === event.id);
    const before = this.checkpoints[index];
    if (before === undefined) return;
    const alignment = this.alignments.get(event.id);
    this.alignments.delete(event.id);
    const base = {
      ...before,
      durationMs: event.durationMs,
      ...(alignment === undefined ? {} : { alignmentMs: alignment }),
    };
    if (event.type === 'completed') {
      this.completed += 1;
      this.checkpoints[index] = { ...base, status: 'completed', sizeBytes: event.sizeBytes };
    } else {
      this.failed += 1;
      this.checkpoints[index] = { ...base, status: 'failed', failureMessage: event.error.message };
    }
  }

  /** Records how long a subtask aligned barriers for checkpoint `id` (the maximum is kept). */
  alignment(id: number, ms: number): void {
    this.alignments.set(id, Math.max(this.alignments.get(id) ?? 0, ms));
  }

  /** Records a failure. */
  exception(error: Error, place: { operator?: string; subtask?: number } = {}): void {
    const fields = error as Error & { code?: unknown; operator?: unknown; subtask?: unknown };
    const operator =
      place.operator ?? (typeof fields.operator === 'string' ? fields.operator : undefined);
    const subtask =
      place.subtask ?? (typeof fields.subtask === 'number' ? fields.subtask : undefined);
    this.exceptions.unshift({
      timestamp: Date.now(),
      name: error.name,
      message: error.message,
      ...(typeof fields.code === 'string' ? { code: fields.code } : {}),
      ...(operator === undefined ? {} : { operator }),
      ...(subtask === undefined ? {} : { subtask }),
      ...(error.stack === undefined ? {} : { stack: error.stack }),
    });
    this.exceptions.splice(this.historySize);
  }

  /** Counts a restart of the job inside the process. */
  restarted(): void {
    this.restarts += 1;
  }

  /** Number of restarts so far. */
  get restartCount(): number {
    return this.restarts;
  }

  /** Alignment of the newest completed checkpoint in ms (0 when none, or no subtask aligned). */
  get lastAlignmentMs(): number {
    return this.checkpoints.find((c) => c.status === 'completed')?.alignmentMs ?? 0;
  }

  /** ms since the run started. */
  get uptimeMs(): number {
    return (this.endTime ?? Date.now()) - this.startTime;
  }

  /** Marks the run ended. */
  ended(state: Exclude<JobState, 'running'>): void {
    if (this.endTime !== undefined) return;
    this.state = state;
    this.endTime = Date.now();
  }

  /** The current view, with `metrics` as given. */
  view(metrics: readonly MetricSample[]): JobStatus {
    return {
      jobId: this.jobId,
      jobName: this.jobName,
      state: this.state,
      startTime: this.startTime,
      ...(this.endTime === undefined ? {} : { endTime: this.endTime }),
      durationMs: this.uptimeMs,
      graph: this.graph,
      checkpoints: {
        completed: this.completed,
        failed: this.failed,
        history: [...this.checkpoints],
      },
      exceptions: [...this.exceptions],
      restarts: this.restarts,
      metrics,
    };
  }
}
