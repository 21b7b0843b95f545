/**
 * The calling thread's side of task threads: gives each thread of a job attempt a worker, waits
 * until each built its subtasks, and stands in for them with {@link RemoteSubtask}s that the job
 * runner and the checkpoint coordinator drive like local subtasks.
 *
 * Workers outlive a job that finishes normally: they wait, unreferenced (they do not keep the
 * process alive), for the next job of the process, which then starts on threads whose modules are
 * loaded and whose code V8 has already compiled, as a Flink job starts on running task managers.
 * A worker idle for {@link IDLE_WORKER_MS} ends. After a failure every worker of the attempt ends,
 * so a restart never runs on a thread that a failed attempt may have left busy.
 */
import { Worker } from 'node:worker_threads';
import { CoreErrorCode, JobExecutionError } from '../../errors.js';
import type { MetricSample } from '../../metrics/metric-sample.js';
import type { OperatorNode, TaskThreadsSpec } from '../job-graph.js';
import type { RunnableSubtask, SubtaskHost } from '../subtask.js';
import type { AssignedState, TaskSettings } from '../subtask-factory.js';
import type { Placement } from './placement.js';
import type { ThreadLinks } from './thread-channels.js';
import { graphFingerprint } from './protocol.js';
import type { FromTaskThread, SubtaskMethod, TaskThreadInit, ToTaskThread } from './protocol.js';
import { errorFromData } from './thread-errors.js';
import type { ErrorData } from './thread-errors.js';

/** How often task threads send their metrics, ms. */
const METRICS_INTERVAL_MS = 100;

/** How long a worker waits for the next job before it ends, ms. */
const IDLE_WORKER_MS = 30_000;

/** A worker between two jobs. */
interface IdleWorker {
  readonly worker: Worker;
  readonly timer: NodeJS.Timeout;
  /** Drops the worker from {@link idleWorkers} when it exits or fails while idle. */
  readonly onGone: () => void;
}

/** Workers that ran a job that finished normally, newest last. */
const idleWorkers: IdleWorker[] = [];

/** An idle worker (referenced again), or a new one. */
function takeWorker(): Worker {
  const idle = idleWorkers.pop();
  if (idle === undefined) return new Worker(new URL('./task-thread-main.js', import.meta.url));
  clearTimeout(idle.timer);
  idle.worker.off('exit', idle.onGone).off('error', idle.onGone);
  idle.worker.ref();
  return idle.worker;
}

/** Keeps `worker` for the next job, unreferenced, ending it after {@link IDLE_WORKER_MS}. */
function parkWorker(worker: Worker): void {
  const onGone = (): void => {
    const index = idleWorkers.findIndex((idle) => idle.worker === worker);
    if (index >= 0) idleWorkers.splice(index, 1);
  };
  const timer = setTimeout(() => {
    onGone();
    void worker.terminate();
  }, IDLE_WORKER_MS).unref();
  worker.on('exit', onGone).on('error', onGone);
  worker.unref();
  idleWorkers.push({ worker, timer, onGone });
}

/** Options of {@link TaskThreadPool.start}. */
export interface TaskThreadPoolOptions {
  readonly spec: TaskThreadsSpec;
  readonly settings: TaskSettings;
  readonly nodes: readonly OperatorNode[];
  readonly restored: AssignedState;
  readonly placement: Placement;
  /** The cross-thread channels; each thread's ends are sent to it. */
  readonly links: ThreadLinks;
  readonly host: SubtaskHost;
  readonly onWarning: (warning: Error) => void;
}

/** The task threads of one job attempt (thread 0, the calling thread, is not one of them). */
export class TaskThreadPool {
  private constructor(
    private readonly threads: readonly TaskThread[],
    /** Stand-ins for every subtask on a task thread, in key order. */
    readonly subtasks: readonly RemoteSubtask[],
  ) {}

  /** Starts threads 1.. of the placement; resolves once each built its subtasks. */
  static async start(options: TaskThreadPoolOptions): Promise<TaskThreadPool> {
    const { placement } = options;
    const keysOf = new Map<number, string[]>();
    for (const [key, thread] of placement.threadOf) {
      if (thread === 0) continue;
      keysOf.set(thread, [...(keysOf.get(thread) ?? []), key]);
    }
    const fingerprint = graphFingerprint(options.nodes);
    const threads = [...keysOf].map(
      ([thread, subtasks]) =>
        new TaskThread(
          {
            thread,
            pipelines: options.spec.pipelines,
            environment: options.spec.environment,
            settings: options.settings,
            fingerprint,
            subtasks,
            restored: options.restored,
            channels: options.links.endsOf(thread),
            metricsIntervalMs: METRICS_INTERVAL_MS,
          },
          options,
        ),
    );
    const built = await Promise.allSettled(threads.map((thread) => thread.built));
    const failed = built.find((result) => result.status === 'rejected');
    if (failed !== undefined) {
      await Promise.all(threads.map((thread) => thread.terminate(false)));
      throw failed.reason;
    }
    const subtasks = threads.flatMap((thread) => thread.subtasks);
    return new TaskThreadPool(threads, subtasks);
  }

  /** The latest metrics of every task thread. */
  samples(): MetricSample[] {
    return this.threads.flatMap((thread) => thread.samples);
  }

  /**
   * Collects the threads' last metrics and ends the attempt on them. `reuse` (the job finished
   * normally, every subtask closed): the workers wait for the next job; otherwise they end.
   */
  async terminate(options: { reuse?: boolean } = {}): Promise<void> {
    await Promise.all(this.threads.map((thread) => thread.terminate(options.reuse === true)));
  }
}

/** One worker thread and the calls in flight to it. */
class TaskThread {
  readonly built: Promise<void>;
  subtasks: RemoteSubtask[] = [];
  samples: MetricSample[] = [];
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private exited: Error | undefined;
  private terminating = false;
  private readonly byKey = new Map<string, RemoteSubtask>();

  constructor(
    private readonly init: TaskThreadInit,
    private readonly options: TaskThreadPoolOptions,
  ) {
    this.worker = takeWorker();
    let settleBuilt!: { resolve: () => void; reject: (error: Error) => void };
    this.built = new Promise<void>((resolve, reject) => {
      settleBuilt = { resolve, reject };
    });
    this.onMessage = (message: FromTaskThread) => {
      if (message.type === 'built') {
        this.subtasks = init.subtasks.map((key) => new RemoteSubtask(key, message.sources.includes(key), this));
        for (const subtask of this.subtasks) this.byKey.set(subtask.key, subtask);
        settleBuilt.resolve();
      } else if (message.type === 'buildFailed') {
        settleBuilt.reject(errorFromData(message.error));
      } else {
        this.receive(message);
      }
    };
    this.onError = (error: Error) => {
      settleBuilt.reject(error);
      if (!this.terminating) options.host.fail(this.threadError(`failed: ${error.message}`, error));
    };
    this.onExit = (code: number) => {
      this.exited = this.threadError(`exited with code ${code}`);
      settleBuilt.reject(this.exited);
      for (const call of this.pending.values()) call.reject(this.exited);
      this.pending.clear();
      if (!this.terminating) options.host.fail(this.exited);
    };
    this.worker.on('message', this.onMessage).on('error', this.onError).on('exit', this.onExit);
    const begin: ToTaskThread = { type: 'attempt', init };
    this.worker.postMessage(begin, [...init.channels.values()].map((end) => end.port));
  }

  private readonly onMessage: (message: FromTaskThread) => void;
  private readonly onError: (error: Error) => void;
  private readonly onExit: (code: number) => void;

  /** Calls `method` of subtask `key` on the thread; resolves with what it returned. */
  call(key: string, method: SubtaskMethod, args: unknown[] = []): Promise<unknown> {
    if (this.exited !== undefined) return Promise.reject(this.exited);
    return this.request({ type: 'call', id: this.nextId++, key, method, args, stopping: this.options.host.stopping });
  }

  /** A call whose outcome nobody waits for (a dead thread reports itself through `exit`). */
  send(key: string, method: SubtaskMethod, args: unknown[] = []): void {
    this.call(key, method, args).catch(() => undefined);
  }

  /** Collects the thread's last metrics; then releases the worker for the next job (`reuse`) or ends it. */
  async terminate(reuse: boolean): Promise<void> {
    if (this.terminating) return;
    const live = this.exited === undefined;
    const replied = (message: Extract<ToTaskThread, { id: number }>): Promise<boolean> =>
      this.request(message).then(
        () => true,
        () => false,
      );
    if (live) await replied({ type: 'flushMetrics', id: this.nextId++ });
    this.terminating = true;
    if (live && reuse && (await replied({ type: 'release', id: this.nextId++ }))) {
      this.worker.off('message', this.onMessage).off('error', this.onError).off('exit', this.onExit);
      parkWorker(this.worker);
      return;
    }
    await this.worker.terminate();
  }

  /** Posts `message`; resolves with the thread's reply, rejects with its error or when it ends first. */
  private request(message: Extract<ToTaskThread, { id: number }>): Promise<unknown> {
    const replied = new Promise<unknown>((resolve, reject) => this.pending.set(message.id, { resolve, reject }));
    this.post(message);
    return replied;
  }

  private post(message: ToTaskThread): void {
    this.worker.postMessage(message);
  }

  private receive(message: Exclude<FromTaskThread, { type: 'built' | 'buildFailed' }>): void {
    if (message.type === 'metrics') {
      this.samples = message.samples;
      return;
    }
    if (message.type === 'reply') {
      const call = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.error !== undefined) call?.reject(errorFromData(message.error));
      else call?.resolve(message.value);
      return;
    }
    if (this.terminating) return;
    const host = this.options.host;
    switch (message.type) {
      case 'ack':
        host.acknowledge({ checkpointId: message.checkpointId, subtask: this.subtask(message.key), states: message.states });
        break;
      case 'fail':
        host.fail(errorFromData(message.error));
        break;
      case 'sourceFinished':
        host.sourceFinished(this.subtask(message.key));
        break;
      case 'done':
        this.subtask(message.key).finished();
        break;
      case 'alignment':
        host.alignmentDone?.(message);
        break;
      case 'warning':
        this.options.onWarning(errorFromData(message.error));
        break;
    }
  }

  private subtask(key: string): RemoteSubtask {
    return this.byKey.get(key) as RemoteSubtask;
  }

  private threadError(what: string, cause?: Error): JobExecutionError {
    return new JobExecutionError(
      `Task thread ${this.init.thread} (subtasks ${this.init.subtasks.join(', ')}) ${what}.`,
      { code: CoreErrorCode.JOB_TASK_FAILED, ...(cause === undefined ? {} : { cause }) },
    );
  }
}

/** A subtask that runs on a task thread, as the runner and the coordinator see it. */
export class RemoteSubtask implements RunnableSubtask {
  readonly done: Promise<void>;
  private resolveDone!: () => void;

  constructor(
    readonly key: string,
    readonly isSource: boolean,
    private readonly thread: TaskThread,
  ) {
    this.done = new Promise<void>((resolve) => {
      this.resolveDone = resolve;
    });
  }

  /** The subtask ended on its thread. */
  finished(): void {
    this.resolveDone();
  }

  async initializeState(restoredIds: ReadonlyMap<string, number>): Promise<void> {
    await this.thread.call(this.key, 'initializeState', [new Map(restoredIds)]);
  }

  async open(): Promise<void> {
    await this.thread.call(this.key, 'open');
  }

  async close(): Promise<Error | undefined> {
    try {
      const error = (await this.thread.call(this.key, 'close')) as ErrorData | undefined;
      return error === undefined ? undefined : errorFromData(error);
    } catch (error) {
      return error as Error;
    }
  }

  start(): void {
    this.thread.send(this.key, 'start');
  }

  async whenSourceSettled(): Promise<void> {
    await this.thread.call(this.key, 'whenSourceSettled').catch(() => undefined);
  }

  cancelSource(): void {
    this.thread.send(this.key, 'cancelSource');
  }

  endSource(): void {
    this.thread.send(this.key, 'endSource');
  }

  stop(): void {
    this.thread.send(this.key, 'stop');
  }

  triggerCheckpoint(checkpointId: number, timestamp: number): void {
    this.thread.send(this.key, 'triggerCheckpoint', [checkpointId, timestamp]);
  }

  async notifyComplete(checkpointId: number): Promise<void> {
    await this.thread.call(this.key, 'notifyComplete', [checkpointId]);
  }

  async notifyAborted(checkpointId: number): Promise<void> {
    await this.thread.call(this.key, 'notifyAborted', [checkpointId]);
  }
}
