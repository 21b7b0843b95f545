/**
 * The job graph the DataStream API produces and the runtime executes, and its division into
 * chains (tasks): an operator joins its input's chain when the edge is forward, the parallelism
 * is equal and the input has no other consumer; every other edge is a rebalance exchange.
 */
import type { CheckpointStorage } from './checkpoint-storage.js';

/** Kind of an operator. */
export type OperatorKind = 'source' | 'map' | 'flatMap' | 'filter' | 'sink';

/** How records reach an operator from its input. */
export type InputPartitioning = 'forward' | 'rebalance';

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
}

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
}

/** A chain of operators run as one task. */
export interface Chain {
  readonly id: number;
  /** Head first. */
  readonly operators: readonly OperatorNode[];
  readonly parallelism: number;
  /** The chain whose tail feeds this chain's head through an exchange, if any. */
  readonly inputChainId: number | undefined;
}

/** Splits the graph into chains, in topological order (the DataStream API only adds downstream). */
export function buildChains(nodes: readonly OperatorNode[]): Chain[] {
  const consumers = new Map<number, number>();
  for (const node of nodes) {
    if (node.inputId !== undefined) consumers.set(node.inputId, (consumers.get(node.inputId) ?? 0) + 1);
  }
  const byId = new Map(nodes.map((node) => [node.id, node]));
  const chainOf = new Map<number, { id: number; operators: OperatorNode[]; inputChainId: number | undefined }>();
  const chains: { id: number; operators: OperatorNode[]; inputChainId: number | undefined }[] = [];
  for (const node of nodes) {
    const input = node.inputId === undefined ? undefined : byId.get(node.inputId);
    const inputChain = input === undefined ? undefined : chainOf.get(input.id);
    const chainable =
      input !== undefined &&
      inputChain !== undefined &&
      node.inputPartitioning === 'forward' &&
      node.parallelism === input.parallelism &&
      consumers.get(input.id) === 1 &&
      inputChain.operators.at(-1) === input;
    if (chainable) {
      inputChain.operators.push(node);
      chainOf.set(node.id, inputChain);
    } else {
      const chain = { id: chains.length, operators: [node], inputChainId: inputChain?.id };
      chains.push(chain);
      chainOf.set(node.id, chain);
    }
  }
  return chains.map((chain) => ({ ...chain, parallelism: chain.operators[0]?.parallelism ?? 1 }));
}
