// Drives a sink by hand in the integration tests: a runtime context and an in-memory operator
// state store whose lists a "restarted" sink can be handed.
import type { ListState, ListStateDescriptor, OperatorStateStore, RuntimeContext } from '@sluice/core';
import { TestMetrics } from './source-harness.js';

/** The runtime context of sink subtask `subtaskIndex` of `parallelism`, checkpointing on. */
export function sinkRuntime(subtaskIndex: number, parallelism: number, metrics = new TestMetrics()): RuntimeContext {
  return {
    jobName: 'j',
    jobId: 'j1',
    operatorUid: 'sink',
    operatorName: 'Sink',
    subtaskIndex,
    parallelism,
    maxParallelism: 128,
    attemptNumber: 0,
    isCheckpointingEnabled: true,
    metricGroup: metrics,
  };
}

/** Operator state kept in memory; `restoreFrom` copies another store's lists (a restore of its last snapshot). */
export class MemoryStateStore implements OperatorStateStore {
  readonly lists = new Map<string, unknown[]>();

  constructor(restoreFrom?: MemoryStateStore) {
    for (const [name, values] of restoreFrom?.lists ?? []) this.lists.set(name, [...values]);
  }

  getListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    const { lists } = this;
    if (!lists.has(descriptor.name)) lists.set(descriptor.name, []);
    const values = (): T[] => lists.get(descriptor.name) as T[];
    return {
      get: () => [...values()],
      add: (v) => void values().push(v),
      addAll: (vs) => void values().push(...vs),
      update: (vs) => void lists.set(descriptor.name, [...vs]),
      clear: () => void lists.set(descriptor.name, []),
    };
  }

  getUnionListState<T>(descriptor: ListStateDescriptor<T>): ListState<T> {
    return this.getListState(descriptor);
  }
}
