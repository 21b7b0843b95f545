/**
 * Checkpointed state: `CheckpointedFunction`, `CheckpointListener` and operator state
 * (Flink's `ListState` with even-split redistribution and union list state).
 */
import type { TypeInformation } from '../types/type-information.js';
import { hasMethod } from './functions.js';

/** Names a state and gives the type of its elements; the name is matched on restore. */
export interface ListStateDescriptor<TValue> {
  /** State name, unique within the operator. */
  readonly name: string;
  /** Element type; its versioned serializer writes the state into checkpoints. */
  readonly type: TypeInformation<TValue>;
}

/**
 * A list of elements held by one subtask and written into every checkpoint.
 * All calls are synchronous; the list lives in memory between checkpoints.
 */
export interface ListState<TValue> {
  /** A copy of the elements. */
  get(): TValue[];
  /** Appends one element. */
  add(value: TValue): void;
  /** Appends several elements. */
  addAll(values: Iterable<TValue>): void;
  /** Replaces all elements. */
  update(values: Iterable<TValue>): void;
  /** Removes all elements. */
  clear(): void;
}

/** Operator (non-keyed) state of one subtask (Flink's `OperatorStateStore`). */
export interface OperatorStateStore {
  /**
   * List state redistributed by **even split** on restore: the lists of all old subtasks are
   * concatenated and cut into contiguous chunks, the first `n mod p` subtasks getting one more.
   * At unchanged parallelism each subtask gets its own list back.
   */
  getListState<TValue>(descriptor: ListStateDescriptor<TValue>): ListState<TValue>;
  /** List state that every subtask receives **whole** (the concatenation of all) on restore. */
  getUnionListState<TValue>(descriptor: ListStateDescriptor<TValue>): ListState<TValue>;
}

/** Given to `initializeState` (Flink's `FunctionInitializationContext`). */
export interface FunctionInitializationContext {
  /** True only when the subtask's state comes from a checkpoint. */
  readonly isRestored: boolean;
  /** Id of the checkpoint restored from, when `isRestored`. */
  readonly restoredCheckpointId: number | undefined;
  /** This subtask's operator state. */
  readonly operatorStateStore: OperatorStateStore;
}

/** Given to `snapshotState` (Flink's `FunctionSnapshotContext`). */
export interface FunctionSnapshotContext {
  /** Id of the checkpoint being taken; strictly increasing within a job. */
  readonly checkpointId: number;
  /** When the checkpoint was triggered, ms since the epoch. */
  readonly checkpointTimestamp: number;
}

/** A function with state in checkpoints (Flink's `CheckpointedFunction`). */
export interface CheckpointedFunction {
  /** Called before `open`: register state, and read it back when `context.isRestored`. */
  initializeState(context: FunctionInitializationContext): void | Promise<void>;
  /**
   * Called for every checkpoint, at the barrier: bring the registered state up to date.
   * For a source this happens exactly between two emitted records.
   */
  snapshotState(context: FunctionSnapshotContext): void | Promise<void>;
}

/** Learns when checkpoints complete (Flink's `CheckpointListener`). */
export interface CheckpointListener {
  /**
   * Called once the checkpoint's metadata is durable. "id complete" means every id ≤ `checkpointId`
   * is complete: notifications can be late or skipped. An error here fails the task.
   */
  notifyCheckpointComplete(checkpointId: number): void | Promise<void>;
  /** Called when a checkpoint is aborted (timed out, declined). Optional. */
  notifyCheckpointAborted?(checkpointId: number): void | Promise<void>;
}

/** True when `fn` implements {@link CheckpointedFunction}. */
export function isCheckpointedFunction(fn: unknown): fn is CheckpointedFunction {
  return hasMethod(fn, 'initializeState') && hasMethod(fn, 'snapshotState');
}

/** True when `fn` implements {@link CheckpointListener}. */
export function isCheckpointListener(fn: unknown): fn is CheckpointListener {
  return hasMethod(fn, 'notifyCheckpointComplete');
}
