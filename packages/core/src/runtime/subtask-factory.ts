/**
 * Builds the subtasks of a job (operators, channels, outputs, runtime contexts and back-pressure
 * metrics) for the job runner, which builds every subtask, and for a task thread, which builds
 * only the subtasks placed on it.
 */
import type { RuntimeContext } from '../api/functions.js';
import { BoundedChannel } from './bounded-channel.js';
import { copyFunction } from './function-copy.js';
import type { Chain, OperatorNode } from './job-graph.js';
import type { KeyedSection } from './keyed-state-backend.js';
import type { MetricRegistry } from './metric-registry.js';
import { OperatorStateBackend } from './operator-state-backend.js';
import type { StoredListState } from './operator-state-backend.js';
import { createOperator } from './operator-factory.js';
import type { TaskFrame } from './operators.js';
import { BroadcastOutput, KeyGroupOutput, NetworkOutput, Subtask } from './subtask.js';
import type { AlignmentMode, SubtaskHost } from './subtask.js';
import { channelId } from './task-threads/placement.js';
import { ReceivingChannel, SendingChannel } from './task-threads/thread-channels.js';
import type { ThreadChannelEnd } from './task-threads/thread-channels.js';

/** What every subtask of one job attempt shares (all of it structured-cloneable, for task threads). */
export interface TaskSettings {
  readonly jobName: string;
  readonly jobId: string;
  readonly maxParallelism: number;
  readonly channelCapacity: number;
  readonly autoWatermarkInterval: number;
  readonly checkpointing: boolean;
  readonly alignment: AlignmentMode;
  /** 0 for the first run, +1 per in-process restart. */
  readonly attempt: number;
}

/** Operator state assigned to the subtasks of each stateful operator, by uid then subtask index. */
export interface AssignedState {
  readonly operator: ReadonlyMap<string, Map<string, StoredListState>[]>;
  readonly keyed: ReadonlyMap<string, (KeyedSection | undefined)[]>;
}

/** Options of {@link buildSubtasks}. */
export interface BuildSubtasksOptions {
  readonly settings: TaskSettings;
  readonly chains: readonly Chain[];
  readonly restored: AssignedState;
  readonly host: SubtaskHost;
  readonly registry: MetricRegistry;
  /** Whether subtask `index` of `chain` is built here. */
  readonly include: (chain: Chain, index: number) => boolean;
  /** The function object of subtask `index` of `node` (the node's own object or a copy). */
  readonly functionFor: (node: OperatorNode, index: number) => object;
  /**
   * This thread's ends of the channels to and from subtasks on other threads, by channel id
   * (`placement.ts`). @defaultValue none: every subtask is built here
   */
  readonly threadChannels?: ReadonlyMap<string, ThreadChannelEnd>;
}

/**
 * Builds the included subtasks, in chain order (sources first). A channel between two included
 * subtasks is a {@link BoundedChannel}; one to or from a subtask on another thread is this end of
 * its shared ring and port ({@link SendingChannel}, {@link ReceivingChannel}).
 */
export function buildSubtasks(options: BuildSubtasksOptions): Subtask[] {
  const { settings, chains, restored, host, registry } = options;
  const channel = (link: { consumer: Chain; upstream: Chain; u: number; d: number }): BoundedChannel<unknown> => {
    const { consumer, upstream, u, d } = link;
    const capacity = settings.channelCapacity;
    const end = options.threadChannels?.get(channelId({ consumer: consumer.id, upstream: upstream.id, u, d }));
    if (end === undefined) return new BoundedChannel<unknown>({ capacity });
    if (options.include(upstream, u)) {
      const label = `${upstream.operators.at(-1)?.uid}[${u}] → ${consumer.operators[0]?.uid}[${d}]`;
      return new SendingChannel<unknown>(end.port, { capacity, ring: end.ring, place: { label, onFailure: (error) => host.fail(error) } });
    }
    return new ReceivingChannel<unknown>(end.port, { ring: end.ring });
  };
  // channels.get(`${consumer}/${upstream}`)[u][d]: upstream subtask u → consumer subtask d
  const channels = new Map<string, BoundedChannel<unknown>[][]>();
  const inputsOf = new Map<number, BoundedChannel<unknown>[][]>();
  for (const chain of chains) {
    if (chain.inputChainId === undefined) continue;
    const perSubtask: BoundedChannel<unknown>[][] = Array.from({ length: chain.parallelism }, () => []);
    for (const upstreamId of [chain.inputChainId, ...chain.extraInputChainIds]) {
      const upstream = chains[upstreamId];
      if (upstream === undefined) continue;
      const grid = Array.from({ length: upstream.parallelism }, (_, u) =>
        Array.from({ length: chain.parallelism }, (_, d) => channel({ consumer: chain, upstream, u, d })),
      );
      channels.set(`${chain.id}/${upstreamId}`, grid);
      for (let d = 0; d < chain.parallelism; d += 1) {
        for (const row of grid) perSubtask[d]?.push(row[d] as BoundedChannel<unknown>);
      }
    }
    inputsOf.set(chain.id, perSubtask);
  }
  const operatorSettings = {
    autoWatermarkInterval: settings.autoWatermarkInterval,
    maxParallelism: settings.maxParallelism,
  };
  const subtasks: Subtask[] = [];
  for (const chain of chains) {
    const consumers = chains.filter((c) => c.inputChainId === chain.id || c.extraInputChainIds.includes(chain.id));
    for (let index = 0; index < chain.parallelism; index += 1) {
      if (!options.include(chain, index)) continue;
      const frame: TaskFrame = { timestamp: undefined, watermark: -Infinity };
      const operators = chain.operators.map((node) =>
        createOperator({
          node,
          fn: options.functionFor(node, index),
          context: runtimeContext({ settings, registry, node, index }),
          stateBackend: new OperatorStateBackend(restored.operator.get(node.uid)?.[index]),
          frame,
          settings: operatorSettings,
          keyed: restored.keyed.get(node.uid)?.[index],
        }),
      );
      const outputs = consumers.map((consumer) =>
        networkOutput({
          consumer,
          channels: channels.get(`${consumer.id}/${chain.id}`)?.[index] ?? [],
          frame,
          index,
          maxParallelism: settings.maxParallelism,
        }),
      );
      registerBackPressure({
        registry,
        jobName: settings.jobName,
        chain,
        index,
        channels: consumers.flatMap((c) => channels.get(`${c.id}/${chain.id}`)?.[index] ?? []),
      });
      subtasks.push(
        new Subtask({
          chain,
          index,
          operators,
          inputs: inputsOf.get(chain.id)?.[index] ?? [],
          outputs,
          frame,
          host,
          alignment: settings.alignment,
        }),
      );
    }
  }
  return subtasks;
}

/**
 * A {@link BuildSubtasksOptions.functionFor} for one set of function objects: the first subtask
 * built of each node gets the node's own object, every other one a copy (functions hold
 * per-subtask fields).
 */
export function functionsOf(objectFor: (node: OperatorNode) => object): (node: OperatorNode, index: number) => object {
  const handedOut = new Set<number>();
  return (node) => {
    const fn = objectFor(node);
    if (handedOut.has(node.id)) return copyFunction(fn);
    handedOut.add(node.id);
    return fn;
  };
}

/** Back-pressure metrics of a subtask: time its producer waited on full output channels. */
function registerBackPressure(options: {
  registry: MetricRegistry;
  jobName: string;
  chain: Chain;
  index: number;
  channels: BoundedChannel<unknown>[];
}): void {
  const tail = options.chain.operators.at(-1) as OperatorNode;
  const group = options.registry.group([options.jobName, tail.uid, String(options.index)]);
  const blocked = (): number => options.channels.reduce((sum, channel) => sum + channel.backPressuredTimeMs, 0);
  group.gauge('accumulatedBackPressuredTimeMs', () => Math.round(blocked()));
  group.meter?.('backPressuredTimeMsPerSecond', { count: blocked });
}

function networkOutput(options: {
  consumer: Chain;
  channels: BoundedChannel<unknown>[];
  frame: TaskFrame;
  index: number;
  maxParallelism: number;
}): NetworkOutput {
  const head = options.consumer.operators[0] as OperatorNode;
  let output: NetworkOutput;
  if (head.inputPartitioning === 'hash' && head.key !== undefined) {
    output = new KeyGroupOutput(options.channels, options.frame, {
      spec: head.key,
      serializer: head.key.type.createSerializer(),
      maxParallelism: options.maxParallelism,
    });
  } else if (head.inputPartitioning === 'broadcast') {
    output = new BroadcastOutput(options.channels, options.frame, 0);
  } else {
    output = new NetworkOutput(options.channels, options.frame, options.index);
  }
  output.tag = head.kind === 'sideOutput' ? head.sideOutputTag : undefined;
  return output;
}

function runtimeContext(options: {
  settings: TaskSettings;
  registry: MetricRegistry;
  node: OperatorNode;
  index: number;
}): RuntimeContext {
  const { settings, node, index } = options;
  return {
    jobName: settings.jobName,
    jobId: settings.jobId,
    operatorUid: node.uid,
    operatorName: node.name,
    subtaskIndex: index,
    parallelism: node.parallelism,
    maxParallelism: settings.maxParallelism,
    attemptNumber: settings.attempt,
    isCheckpointingEnabled: settings.checkpointing,
    metricGroup: options.registry.group([settings.jobName, node.uid, String(index)]),
  };
}
