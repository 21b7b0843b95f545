/**
 * Messages between the job runner and its task threads. Everything here is structured-cloneable:
 * state bytes, checkpoint ids, subtask keys, metric samples and errors as {@link ErrorData}.
 */
import type { MetricSample } from '../../metrics/metric-sample.js';
import type { OperatorNode, TaskThreadsSpec } from '../job-graph.js';
import type { AssignedState, TaskSettings } from '../subtask-factory.js';
import type { PipelineRef } from './pipeline-module.js';
import type { ErrorData } from './thread-errors.js';
import type { ThreadChannelEnd } from './thread-channels.js';

/** What a task thread runs one job attempt with (sent in an `attempt` message). */
export interface TaskThreadInit {
  /** 1-based: thread 0 is the calling thread. */
  readonly thread: number;
  readonly pipelines: readonly PipelineRef[];
  readonly environment: TaskThreadsSpec['environment'];
  readonly settings: TaskSettings;
  /** {@link graphFingerprint} of the graph the calling thread built. */
  readonly fingerprint: string;
  /** Keys (`<chain>/<index>`) of the subtasks this thread runs. */
  readonly subtasks: readonly string[];
  readonly restored: AssignedState;
  /** This thread's ends of its cross-thread channels, by channel id (ports transferred, rings shared). */
  readonly channels: Map<string, ThreadChannelEnd>;
  /** How often the thread sends its metrics, ms. */
  readonly metricsIntervalMs: number;
}

/** Subtask methods the runner calls on a task thread. */
export type SubtaskMethod =
  | 'initializeState'
  | 'open'
  | 'close'
  | 'start'
  | 'whenSourceSettled'
  | 'cancelSource'
  | 'endSource'
  | 'stop'
  | 'triggerCheckpoint'
  | 'notifyComplete'
  | 'notifyAborted';

/** Runner → task thread. */
export type ToTaskThread =
  /** Builds the subtasks of a job attempt (the thread replies `built` or `buildFailed`). */
  | { type: 'attempt'; init: TaskThreadInit }
  /** Calls `method` on subtask `key` and replies with its result; `stopping` mirrors the job's flag. */
  | { type: 'call'; id: number; key: string; method: SubtaskMethod; args: unknown[]; stopping: boolean }
  /** Sends the thread's metrics now, then replies. */
  | { type: 'flushMetrics'; id: number }
  /**
   * The attempt finished (its subtasks closed): closes its channel ports, stops its metrics and
   * drops anything it still posts, then replies; the thread waits for its next attempt.
   */
  | { type: 'release'; id: number };

/** Task thread → runner. */
export type FromTaskThread =
  | { type: 'built'; sources: string[] }
  | { type: 'buildFailed'; error: ErrorData }
  | { type: 'reply'; id: number; value?: unknown; error?: ErrorData }
  | { type: 'ack'; key: string; checkpointId: number; states: Map<string, Uint8Array> }
  | { type: 'fail'; error: ErrorData }
  | { type: 'sourceFinished'; key: string }
  | { type: 'done'; key: string }
  | { type: 'alignment'; checkpointId: number; durationMs: number }
  | { type: 'warning'; error: ErrorData }
  | { type: 'metrics'; samples: MetricSample[] };

/**
 * What must be equal between the graph the calling thread built and the one a task thread
 * built from the same pipeline modules.
 */
export function graphFingerprint(nodes: readonly OperatorNode[]): string {
  return JSON.stringify(
    nodes.map((node) => [
      node.id,
      node.kind,
      node.uid,
      node.name,
      node.parallelism,
      node.inputId ?? null,
      node.inputPartitioning,
      node.extraInputIds ?? [],
      node.sideOutputTag ?? null,
    ]),
  );
}
