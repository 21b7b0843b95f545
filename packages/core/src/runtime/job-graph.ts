/**
 * The job graph the DataStream API produces and the runtime executes, and its division into
 * chains (tasks): an operator joins its input's chain when the edge is forward, the parallelism
 * is equal and the input has no other consumer; every other edge is a rebalance exchange.
 */
import { isCheckpointedFunction } from '../api/state.js';
import type { RestartStrategyConfig } from '../api/restart-strategy.js';
import type { TypeInformation } from '../types/type-information.js';
import type { CheckpointStorage } from './checkpoint-storage.js';
import type { PipelineRef } from './task-threads/pipeline-module.js';

/** Kind of an operator. */
export type OperatorKind =
  | 'source'
  | 'map'
  | 'flatMap'
  | 'filter'
  | 'sink'
  | 'keyedProcess'
  | 'timestampsAndWatermarks'
  | 'sideOutput';

/**
 * How records reach an operator from its input: `forward` (chained when possible, else
 * round-robin), `rebalance` (round-robin), `hash` (by key group, see `key-groups.ts`),
 * `broadcast` (every record to every subtask).
 */
export type InputPartitioning = 'forward' | 'rebalance' | 'hash' | 'broadcast';

/** The key of a keyed edge: how to extract it and its type (serialized for hashing and state). */
export interface KeySpec {
  readonly selector: (value: unknown) => unknown;
  readonly type: TypeInformation<unknown>;
}

/** One operator of a job. */
export interface OperatorNode {
  readonly id: number;
  readonly kind: OperatorKind;
  /** Explicit uid, or one derived from the position (`<kind>-<id>`). */
  readonly uid: string;
  readonly uidExplicit: boolean;
  readonly name: string;
  readonly parallelism: number;
  /** The user function object (Source, MapFunction, FlatMapFunction, FilterFunction or Sink). */
  readonly function: object;
  readonly inputId: number | undefined;
  readonly inputPartitioning: InputPartitioning;
  /** Further inputs (union), each with the same partitioning. */
  readonly extraInputIds?: readonly number[];
  /** The key of a `hash` input (keyed operators). */
  readonly key?: KeySpec;
  /** For `sideOutput` nodes: the id of the output tag selected from the input. */
  readonly sideOutputTag?: string;
}

/** True when the operator writes state into checkpoints (checkpointed function or keyed operator). */
export function isStatefulNode(node: Pick<OperatorNode, 'kind' | 'function'>): boolean {
  return node.kind === 'keyedProcess' || isCheckpointedFunction(node.function);
}

/** Restart strategy settings of a job (see `api/restart-strategy.ts`). */
export type { RestartStrategyConfig } from '../api/restart-strategy.js';

/** Checkpointing settings of a job run. */
export interface CheckpointingSettings {
  readonly interval: number;
  readonly mode: 'exactly-once' | 'at-least-once';
  readonly timeout: number;
  readonly minPause: number;
  readonly retain: number;
  readonly stopMode: 'checkpoint' | 'abort';
}

/** Everything the runtime needs to run a job. */
export interface JobSpec {
  readonly jobName: string;
  readonly nodes: readonly OperatorNode[];
  readonly maxParallelism: number;
  /** Undefined when checkpointing is disabled. */
  readonly checkpointing: CheckpointingSettings | undefined;
  readonly storage: CheckpointStorage | undefined;
  readonly restore: string;
  readonly allowNonRestoredState: boolean;
  readonly channelCapacity: number;
  readonly onWarning: (warning: Error) => void;
  /** @defaultValue no restarts */
  readonly restartStrategy?: RestartStrategyConfig;
  /** Period of `onPeriodicEmit` of watermark generators, ms. @defaultValue 200 */
  readonly autoWatermarkInterval?: number;
  /** Set when the subtasks run on worker threads. @defaultValue every subtask on the calling thread */
  readonly taskThreads?: TaskThreadsSpec;
}

/** How a job runs on task threads: how many, and what each one imports to build the graph. */
export interface TaskThreadsSpec {
  readonly count: number;
  readonly pipelines: readonly PipelineRef[];
  /** The settings a task thread's environment is created with (so that it resolves the same graph). */
  readonly environment: {
    readonly parallelism: number;
    readonly maxParallelism: number;
    readonly channelCapacity: number;
    readonly autoWatermarkInterval: number;
  };
}

/** A chain of operators run as one task. */
export interface Chain {
  readonly id: number;
  /** Head first. */
  readonly operators: readonly OperatorNode[];
  readonly parallelism: number;
  /** The chain whose tail feeds this chain's head through an exchange, if any. */
  readonly inputChainId: number | undefined;
  /** Further input chains (union). */
  readonly extraInputChainIds: readonly number[];
}

/** Splits the graph into chains, in topological order (the DataStream API only adds downstream). */
export function buildChains(nodes: readonly OperatorNode[]): Chain[] {
  const consumers = new Map<number, number>();
  for (const node of nodes) {
    for (const input of [node.inputId, ...(node.extraInputIds ?? [])]) {
      if (input !== undefined) consumers.set(input, (consumers.get(input) ?? 0) + 1);
    }
  }
  const byId = new Map(nodes.map((node) => [node.id, node]));
  type Draft = { id: number; operators: OperatorNode[]; inputChainId: number | undefined; extraInputChainIds: number[] };
  const chainOf = new Map<number, Draft>();
  const chains: Draft[] = [];
  for (const node of nodes) {
    const input = node.inputId === undefined ? undefined : byId.get(node.inputId);
    const inputChain = input === undefined ? undefined : chainOf.get(input.id);
    const chainable =
      input !== undefined &&
      inputChain !== undefined &&
      node.inputPartitioning === 'forward' &&
      node.kind !== 'sideOutput' &&
      (node.extraInputIds ?? []).length === 0 &&
      node.parallelism === input.parallelism &&
      consumers.get(input.id) === 1 &&
      inputChain.operators.at(-1) === input;
    if (chainable) {
      inputChain.operators.push(node);
      chainOf.set(node.id, inputChain);
    } else {
      const extraInputChainIds = (node.extraInputIds ?? []).map((id) => chainOf.get(id)?.id as number);
      const chain = { id: chains.length, operators: [node], inputChainId: inputChain?.id, extraInputChainIds };
      chains.push(chain);
      chainOf.set(node.id, chain);
    }
  }
  return chains.map((chain) => ({ ...chain, parallelism: chain.operators[0]?.parallelism ?? 1 }));
}
