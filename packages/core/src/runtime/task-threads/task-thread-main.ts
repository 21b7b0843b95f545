/**
 * Entry point of a task thread: imports the job's pipeline modules, builds the graph, checks it
 * is the graph the calling thread built, builds the subtasks placed here and runs them on the
 * runner's calls; reports acknowledgements, failures, finished sources and metrics back.
 */
import { parentPort, workerData } from 'node:worker_threads';
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
const init = workerData as TaskThreadInit;
const post = (message: FromTaskThread): void => port.postMessage(message);

/** The job-level services, on this thread: everything goes to the runner. */
class ThreadHost implements SubtaskHost {
  stopping = false;

  acknowledge(ack: SubtaskAck): void {
    post({ type: 'ack', key: ack.subtask.key, checkpointId: ack.checkpointId, states: new Map(ack.states) });
  }

  fail(error: Error): void {
    post({ type: 'fail', error: errorToData(error) });
  }

  sourceFinished(subtask: { readonly key: string }): void {
    post({ type: 'sourceFinished', key: subtask.key });
  }

  alignmentDone(alignment: { checkpointId: number; durationMs: number }): void {
    post({ type: 'alignment', ...alignment });
  }
}

async function build(): Promise<{ subtasks: Map<string, Subtask>; registry: MetricRegistry }> {
  const onWarning = (warning: Error): void => post({ type: 'warning', error: errorToData(warning) });
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

const host = new ThreadHost();

async function serve(): Promise<void> {
  const { subtasks, registry } = await build();
  const sendMetrics = (): void => post({ type: 'metrics', samples: registry.collect() });
  for (const subtask of subtasks.values()) {
    void subtask.done.then(() => {
      sendMetrics();
      post({ type: 'done', key: subtask.key });
    });
  }
  setInterval(sendMetrics, init.metricsIntervalMs).unref();
  port.on('message', (message: ToTaskThread) => {
    if (message.type === 'flushMetrics') {
      sendMetrics();
      post({ type: 'reply', id: message.id });
      return;
    }
    if (message.stopping) host.stopping = true;
    const subtask = subtasks.get(message.key);
    void (async () => {
      try {
        if (subtask === undefined) throw new Error(`Task thread ${init.thread} has no subtask ${message.key}.`);
        const method = subtask[message.method] as (...args: unknown[]) => unknown;
        const value = await method.apply(subtask, message.args);
        post({ type: 'reply', id: message.id, value: value instanceof Error ? errorToData(value) : value });
      } catch (error) {
        post({ type: 'reply', id: message.id, error: errorToData(error) });
      }
    })();
  });
  post({ type: 'built', sources: [...subtasks.values()].filter((s) => s.isSource).map((s) => s.key) });
}

serve().catch((error: unknown) => post({ type: 'buildFailed', error: errorToData(error) }));
