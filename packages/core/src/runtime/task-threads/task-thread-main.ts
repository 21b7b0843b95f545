/**
 * Entry point of a task thread. For each job attempt it is given, it imports the job's pipeline
 * modules, builds the graph, checks it is the graph the calling thread built, builds the subtasks
 * placed here and runs them on the runner's calls; it reports acknowledgements, failures,
 * finished sources and metrics back. After an attempt is released the thread waits for the next
 * one (of the same job after a restart, or of a later job of the process), with its modules
 * loaded and its code compiled.
 */
import { parentPort } from 'node:worker_threads';
import { StreamExecutionEnvironment, declaredGraph } from '../../datastream/stream-execution-environment.js';
import { ConfigError } from '../../errors.js';
import { buildChains } from '../job-graph.js';
import { MetricRegistry } from '../metric-registry.js';
import type { Subtask, SubtaskAck, SubtaskHost } from '../subtask.js';
import { buildSubtasks, functionsOf } from '../subtask-factory.js';
import { graphFingerprint } from './protocol.js';
import type { FromTaskThread, TaskThreadInit, ToTaskThread } from './protocol.js';
import { loadPipelineFunction } from './pipeline-module.js';
import { errorToData } from './thread-errors.js';

if (parentPort === null) throw new Error('task-thread-main runs only as a worker thread started by the job runner.');
const port = parentPort;

/** The job-level services of one attempt, on this thread: everything goes to the runner until the attempt is released. */
class ThreadHost implements SubtaskHost {
  stopping = false;
  /** Set when the attempt is released: late work of its functions (timers, promises) reports nothing. */
  released = false;

  post(message: FromTaskThread): void {
    if (!this.released) port.postMessage(message);
  }

  acknowledge(ack: SubtaskAck): void {
    this.post({ type: 'ack', key: ack.subtask.key, checkpointId: ack.checkpointId, states: new Map(ack.states) });
  }

  fail(error: Error): void {
    this.post({ type: 'fail', error: errorToData(error) });
  }

  sourceFinished(subtask: { readonly key: string }): void {
    this.post({ type: 'sourceFinished', key: subtask.key });
  }

  alignmentDone(alignment: { checkpointId: number; durationMs: number }): void {
    this.post({ type: 'alignment', ...alignment });
  }
}

/** The attempt this thread runs. */
interface Attempt {
  readonly init: TaskThreadInit;
  readonly host: ThreadHost;
  readonly subtasks: ReadonlyMap<string, Subtask>;
  readonly sendMetrics: () => void;
  readonly metricsTimer: NodeJS.Timeout;
}

let current: Attempt | undefined;

async function build(init: TaskThreadInit, host: ThreadHost): Promise<{ subtasks: Map<string, Subtask>; registry: MetricRegistry }> {
  const onWarning = (warning: Error): void => host.post({ type: 'warning', error: errorToData(warning) });
  const env = StreamExecutionEnvironment.create({ ...init.environment, onWarning });
  for (const ref of init.pipelines) {
    const define = await loadPipelineFunction(ref, onWarning);
    await define(env as never, ref.args);
  }
  const nodes = declaredGraph(env);
  if (graphFingerprint(nodes) !== init.fingerprint) {
    throw new ConfigError(
      `Task thread ${init.thread} built a different graph from the pipeline modules than the calling thread ` +
        `(${nodes.length} operators: ${nodes.map((node) => node.uid).join(', ')}). A pipeline function must ` +
        'declare the same operators every time it runs: do not branch on thread, time or randomness.',
      { option: 'pipeline' },
    );
  }
  const registry = new MetricRegistry();
  const keys = new Set(init.subtasks);
  const built = buildSubtasks({
    settings: init.settings,
    chains: buildChains(nodes),
    restored: init.restored,
    host,
    registry,
    include: (chain, index) => keys.has(`${chain.id}/${index}`),
    functionFor: functionsOf((node) => node.function),
    threadChannels: init.channels,
  });
  return { subtasks: new Map(built.map((subtask) => [subtask.key, subtask])), registry };
}

async function begin(init: TaskThreadInit): Promise<void> {
  const host = new ThreadHost();
  try {
    const { subtasks, registry } = await build(init, host);
    const sendMetrics = (): void => host.post({ type: 'metrics', samples: registry.collect() });
    for (const subtask of subtasks.values()) {
      void subtask.done.then(() => {
        sendMetrics();
        host.post({ type: 'done', key: subtask.key });
      });
    }
    const metricsTimer = setInterval(sendMetrics, init.metricsIntervalMs).unref();
    current = { init, host, subtasks, sendMetrics, metricsTimer };
    host.post({ type: 'built', sources: [...subtasks.values()].filter((s) => s.isSource).map((s) => s.key) });
  } catch (error) {
    host.post({ type: 'buildFailed', error: errorToData(error) });
  }
}

function release(): void {
  const attempt = current;
  current = undefined;
  if (attempt === undefined) return;
  attempt.host.released = true;
  clearInterval(attempt.metricsTimer);
  for (const end of attempt.init.channels.values()) end.port.close();
}

function call(message: Extract<ToTaskThread, { type: 'call' }>): void {
  const attempt = current;
  if (attempt !== undefined && message.stopping) attempt.host.stopping = true;
  void (async () => {
    try {
      const subtask = attempt?.subtasks.get(message.key);
      if (subtask === undefined) throw new Error(`Task thread has no subtask ${message.key}.`);
      const method = subtask[message.method] as (...args: unknown[]) => unknown;
      const value = await method.apply(subtask, message.args);
      port.postMessage({ type: 'reply', id: message.id, value: value instanceof Error ? errorToData(value) : value });
    } catch (error) {
      port.postMessage({ type: 'reply', id: message.id, error: errorToData(error) });
    }
  })();
}

port.on('message', (message: ToTaskThread) => {
  switch (message.type) {
    case 'attempt':
      void begin(message.init);
      break;
    case 'call':
      call(message);
      break;
    case 'flushMetrics':
      current?.sendMetrics();
      port.postMessage({ type: 'reply', id: message.id });
      break;
    case 'release':
      release();
      port.postMessage({ type: 'reply', id: message.id });
      break;
  }
});
