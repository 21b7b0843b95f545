/**
 * Runs one job: restores state, builds the subtasks and channels, runs the lifecycle, drives the
 * checkpoint coordinator, ends bounded jobs with a final checkpoint, and cancels or fails the
 * whole job when asked or when a task fails.
 */
import { randomUUID } from 'node:crypto';
import type { JobStatus } from '../metrics/job-status.js';
import { ConfigError, CoreErrorCode, JobExecutionError, StateError, isSluiceError } from '../errors.js';
import { CheckpointCoordinator } from './checkpoint-coordinator.js';
import type { CheckpointStorage } from './checkpoint-storage.js';
import { findLatestCheckpoint, loadCheckpoint, readStateFiles } from './checkpoint-store.js';
import type { CompletedCheckpoint } from './checkpoint-store.js';
import { copyFunction } from './function-copy.js';
import { buildChains, isStatefulNode } from './job-graph.js';
import { keyGroupRangeForSubtask } from './key-groups.js';
import type { KeyedSection } from './keyed-state-backend.js';
import { createRestartPolicy } from './restart-policy.js';
import type { RestartPolicy } from './restart-policy.js';
import type { FailureRecord } from '../api/restart-strategy.js';
import type { Chain, JobSpec, OperatorNode } from './job-graph.js';
import { LocalCheckpointStorage } from './local-checkpoint-storage.js';
import { MetricRegistry } from './metric-registry.js';
import type { MetricValue } from './metric-registry.js';
import { assignOperatorState } from './operator-state-backend.js';
import type { StoredListState } from './operator-state-backend.js';
import type { RunnableSubtask, SubtaskAck, SubtaskHost } from './subtask.js';
import { buildSubtasks, functionsOf } from './subtask-factory.js';
import type { AssignedState, TaskSettings } from './subtask-factory.js';
import { crossThreadChannels, placeSubtasks } from './task-threads/placement.js';
import type { Placement } from './task-threads/placement.js';
import { ThreadLinks } from './task-threads/thread-channels.js';
import { TaskThreadPool } from './task-threads/task-thread-pool.js';

/** How a job run ended. */
export interface JobExecutionResult {
  /** Id of this run. */
  readonly jobId: string;
  readonly jobName: string;
  /**
   * `finished`: every source ended by itself; `cancelled`: the job was cancelled (with a final
   * checkpoint or without, see {@link CancelOptions}).
   */
  readonly status: 'finished' | 'cancelled';
  /** Checkpoint the run restored from, if any. */
  readonly restoredCheckpointId: number | undefined;
  /** Newest checkpoint this run completed, if any. */
  readonly lastCheckpointId: number | undefined;
  /** Wall-clock run time in ms. */
  readonly netRuntimeMs: number;
  /** Every metric at the end of the run, by dotted scope name. */
  readonly metrics: Readonly<Record<string, MetricValue>>;
}

/** Options of {@link JobHandle.cancel}. */
export interface CancelOptions {
  /**
   * Take a final checkpoint after the sources stopped (and let exactly-once sinks commit), or
   * abort without one.
   * @defaultValue `true` when the checkpoint config's stop mode is `'checkpoint'` and checkpointing is enabled
   */
  readonly withCheckpoint?: boolean;
}

/** A running job. */
export interface JobHandle {
  readonly jobId: string;
  /** Settles when the job ended: resolves with the result, rejects with a `JobExecutionError`. */
  readonly result: Promise<JobExecutionResult>;
  /** Cancels the sources, then takes a final checkpoint or aborts; resolves when the job ended. */
  cancel(options?: CancelOptions): Promise<void>;
  /** Triggers a checkpoint now (after the one in flight) and resolves with its id once complete. */
  triggerCheckpoint(): Promise<number>;
  /**
   * Cancels the job (as {@link JobHandle.cancel}) when the process receives one of `signals`; a
   * second signal aborts at once, without the final checkpoint. Returns a function that removes the listeners; they are removed when the job ends anyway.
   * @defaultValue signals `['SIGTERM', 'SIGINT']`
   */
  cancelOnSignals(signals?: readonly NodeJS.Signals[]): () => void;
  /** Current metrics by dotted scope name. */
  metrics(): Record<string, MetricValue>;
  /** Graph, state, checkpoint history, exceptions and every metric with labels (for monitoring). */
  status(): JobStatus;
}

/** Starts a job; rejects for bad configuration or state that cannot be restored. */
export async function startJob(spec: JobSpec): Promise<JobHandle> {
  const run = new JobRun(spec);
  await run.prepare();
  run.launch();
  return run.handle();
}

/** A `JOB_RESTARTS_EXHAUSTED` error: the restart strategy gave up; lists every failure. */
export interface RestartsExhaustedError extends JobExecutionError {
  readonly failureHistory: readonly FailureRecord[];
}

class JobRun implements SubtaskHost {
  readonly jobId = randomUUID();
  stopping = false;
  private readonly registry = new MetricRegistry();
  private subtasks: RunnableSubtask[] = [];
  private sources: RunnableSubtask[] = [];
  private finishedSources = new Set<RunnableSubtask>();
  /** The task threads of the current attempt, when the job runs on several threads. */
  private threads: TaskThreadPool | undefined;
  /** The current attempt's channels between threads. */
  private links: ThreadLinks | undefined;
  /** The thread of every subtask of the current attempt, when the job runs on task threads. */
  private threadOf: ReadonlyMap<string, number> | undefined;
  private coordinator: CheckpointCoordinator | undefined;
  private restored: CompletedCheckpoint | undefined;
  private ended = false;
  private cancelled = false;
  private endingInput = false;
  private failure: Error | undefined;
  private readonly startedAt = performance.now();
  private resolveResult!: (result: JobExecutionResult) => void;
  private rejectResult!: (error: Error) => void;
  readonly result: Promise<JobExecutionResult>;
  private readonly signalCleanups = new Set<() => void>();
  private attempt = 0;
  private attemptStartedAt = Date.now();
  private restarting = false;
  private readonly failureHistory: FailureRecord[] = [];
  private readonly restartPolicy: RestartPolicy;
  private readonly pristine: Map<number, object> | undefined;
  private storage: CheckpointStorage | undefined;

  constructor(private readonly spec: JobSpec) {
    const strategy = spec.restartStrategy ?? { type: 'none' };
    this.restartPolicy = createRestartPolicy(strategy);
    // Fresh copies of every function for restarts (the running ones have mutated fields).
    this.pristine =
      strategy.type === 'none' ? undefined : new Map(spec.nodes.map((node) => [node.id, copyFunction(node.function)]));
    this.result = new Promise<JobExecutionResult>((resolve, reject) => {
      this.resolveResult = resolve;
      this.rejectResult = reject;
    });
    this.result.catch(() => undefined);
    this.registry.group([spec.jobName]).gauge('numRestarts', () => this.attempt);
  }

  async prepare(): Promise<void> {
    const spec = this.spec;
    this.registry.describeJob({ jobId: this.jobId, jobName: spec.jobName, nodes: spec.nodes });
    const storage = spec.storage ?? (isPath(spec.restore) ? new LocalCheckpointStorage({ directory: '.' }) : undefined);
    this.storage = storage;
    this.restored = await resolveRestore(spec, storage);
    await this.prepareAttempt(this.restored);
  }

  private async prepareAttempt(from: CompletedCheckpoint | undefined): Promise<void> {
    const spec = this.spec;
    const storage = this.storage;
    const assigned = new Map<string, Map<string, StoredListState>[]>();
    const keyedAssigned = new Map<string, (KeyedSection | undefined)[]>();
    const restoredIds = new Map<string, number>();
    if (from !== undefined && storage !== undefined) {
      const stateful = new Map(spec.nodes.filter((node) => isStatefulNode(node)).map((node) => [node.uid, node]));
      const unmatched = from.metadata.operators.filter((op) => !stateful.has(op.uid));
      if (unmatched.length > 0 && !spec.allowNonRestoredState) {
        throw new StateError(
          `Checkpoint ${from.path} holds state for operator uid(s) ` +
            `${unmatched.map((op) => `"${op.uid}"`).join(', ')} that this job does not have (as stateful operators). ` +
            'Give the operator its old uid back, or set allowNonRestoredState (getCheckpointConfig().' +
            "setAllowNonRestoredState(true)) to drop that state, or start with setRestore('none').",
          { code: CoreErrorCode.STATE_UNMATCHED_OPERATOR, path: from.path, operator: unmatched[0]?.uid },
        );
      }
      for (const entry of from.metadata.operators) {
        const node = stateful.get(entry.uid);
        if (node === undefined) continue;
        const files = await readStateFiles(storage, { path: from.path, operator: entry });
        assigned.set(entry.uid, assignOperatorState(files.operator, node.parallelism));
        if (files.keyed !== undefined) keyedAssigned.set(entry.uid, assignKeyGroups(files.keyed, { node, maxParallelism: spec.maxParallelism }));
        restoredIds.set(entry.uid, from.metadata.checkpointId);
      }
    }
    await this.build({ operator: assigned, keyed: keyedAssigned });
    if (spec.checkpointing !== undefined && spec.storage !== undefined) {
      const existing = await spec.storage.listCheckpoints(spec.jobName);
      const firstCheckpointId =
        Math.max(
          from?.metadata.checkpointId ?? 0,
          existing.at(-1)?.checkpointId ?? 0,
          this.coordinator?.lastCompletedId ?? 0,
          this.lastTriggeredId,
        ) + 1;
      const stateful = spec.nodes.filter((node) => isStatefulNode(node));
      this.coordinator = new CheckpointCoordinator({
        storage: spec.storage,
        jobName: spec.jobName,
        jobId: this.jobId,
        maxParallelism: spec.maxParallelism,
        interval: spec.checkpointing.interval,
        timeout: spec.checkpointing.timeout,
        minPause: spec.checkpointing.minPause,
        retain: spec.checkpointing.retain,
        firstCheckpointId,
        subtasks: this.subtasks,
        operators: stateful.map((node) => ({ uid: node.uid, name: node.name, parallelism: node.parallelism })),
        metrics: this.registry.group([spec.jobName]),
        onCheckpoint: (event) => this.registry.tracker.checkpoint(event),
        onFatal: (error) => this.fail(error),
        onWarning: spec.onWarning,
      });
    }
    await this.initialize(restoredIds);
  }

  /**
   * Builds the attempt's subtasks: those placed on the calling thread here, the others on task
   * threads (when the job runs on several), all in chain order.
   */
  private async build(restored: AssignedState): Promise<void> {
    const spec = this.spec;
    const chains = buildChains(spec.nodes);
    const settings: TaskSettings = {
      jobName: spec.jobName,
      jobId: this.jobId,
      maxParallelism: spec.maxParallelism,
      channelCapacity: spec.channelCapacity,
      autoWatermarkInterval: spec.autoWatermarkInterval ?? 200,
      checkpointing: spec.checkpointing !== undefined,
      alignment: spec.checkpointing?.mode ?? 'exactly-once',
      attempt: this.attempt,
    };
    const placement = spec.taskThreads === undefined ? undefined : placeSubtasks(chains, spec.taskThreads.count);
    const threaded = spec.taskThreads !== undefined && placement !== undefined && placement.threadCount > 1;
    const links = threaded ? new ThreadLinks(crossThreadChannels(chains, placement), { capacity: spec.channelCapacity }) : undefined;
    this.links = links;
    this.threadOf = placement?.threadOf;
    // Task threads start (and import the pipeline modules) while this thread builds its subtasks.
    const starting =
      links === undefined || spec.taskThreads === undefined || placement === undefined
        ? undefined
        : TaskThreadPool.start({
            spec: spec.taskThreads,
            settings,
            nodes: spec.nodes,
            restored,
            placement,
            links,
            host: this,
            onWarning: spec.onWarning,
          });
    starting?.catch(() => undefined);
    try {
      const subtasks = await this.buildLocalAndJoin({ settings, chains, restored, placement, links, starting });
      this.subtasks = subtasks.sort(byChainAndIndex);
    } catch (error) {
      this.closeLinks();
      throw error;
    }
    this.sources = this.subtasks.filter((subtask) => subtask.isSource);
  }

  /** Builds this thread's subtasks, then waits for the task threads'; returns them all. */
  private async buildLocalAndJoin(options: {
    settings: TaskSettings;
    chains: Chain[];
    restored: AssignedState;
    placement: Placement | undefined;
    links: ThreadLinks | undefined;
    starting: Promise<TaskThreadPool> | undefined;
  }): Promise<RunnableSubtask[]> {
    const { settings, chains, restored, placement, links, starting } = options;
    const pristine = this.attempt > 0 ? this.pristine : undefined;
    let local: RunnableSubtask[];
    try {
      local = buildSubtasks({
        settings,
        chains,
        restored,
        host: this,
        registry: this.registry,
        include: (chain, index) => (placement?.threadOf.get(`${chain.id}/${index}`) ?? 0) === 0,
        functionFor:
          pristine === undefined ? functionsOf((node) => node.function) : (node) => copyFunction(pristine.get(node.id) as object),
        ...(links === undefined ? {} : { threadChannels: links.endsOf(0) }),
      });
    } catch (error) {
      await starting?.then((pool) => pool.terminate(), () => undefined);
      throw error;
    }
    if (starting === undefined) return local;
    const threads = await starting;
    this.threads = threads;
    this.registry.setRemoteSamples(() => threads.samples());
    return [...local, ...threads.subtasks];
  }

  /**
   * Initializes the state of every subtask, then opens them (tail first). The subtasks of one
   * thread go one after another, the threads side by side.
   */
  private async initialize(restoredIds: ReadonlyMap<string, number>): Promise<void> {
    const byThread = new Map<number, RunnableSubtask[]>();
    for (const subtask of this.subtasks) {
      const thread = this.threadOf?.get(subtask.key) ?? 0;
      byThread.set(thread, [...(byThread.get(thread) ?? []), subtask]);
    }
    const eachThread = async (step: (subtasks: RunnableSubtask[]) => Promise<void>): Promise<void> => {
      const results = await Promise.allSettled([...byThread.values()].map(step));
      const failed = results.find((result) => result.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    };
    try {
      await eachThread(async (subtasks) => {
        for (const subtask of subtasks) await subtask.initializeState(restoredIds);
      });
      await eachThread(async (subtasks) => {
        for (const subtask of [...subtasks].reverse()) await subtask.open();
      });
    } catch (error) {
      this.stopping = true;
      for (const subtask of this.subtasks) await subtask.close();
      await this.terminateThreads();
      throw error;
    }
  }

  launch(): void {
    const attempt = this.attempt;
    this.attemptStartedAt = Date.now();
    for (const subtask of this.subtasks) if (!subtask.isSource) subtask.start();
    for (const subtask of this.sources) subtask.start();
    this.coordinator?.start();
    void Promise.all(this.subtasks.map((subtask) => subtask.done)).then(() => {
      if (attempt === this.attempt) this.finishNormally();
    });
  }

  private lastTriggeredId = 0;

  /** Restarts in-process from the latest checkpoint this run completed (or the one it started from). */
  private async restartAttempt(): Promise<void> {
    this.lastTriggeredId = Math.max(this.lastTriggeredId, this.coordinator?.lastCompletedId ?? 0);
    const storage = this.storage;
    const from =
      this.coordinator?.lastCompletedId !== undefined && storage !== undefined
        ? await findLatestCheckpoint(storage, { jobName: this.spec.jobName, onWarning: this.spec.onWarning })
        : this.latestRestored;
    this.latestRestored = from;
    this.attempt += 1;
    this.registry.tracker.restarted();
    this.subtasks = [];
    this.sources = [];
    this.finishedSources = new Set();
    this.endingInput = false;
    this.stopping = false;
    this.restarting = false;
    await this.prepareAttempt(from);
    if (this.cancelled) {
      await this.stopAll();
      this.end();
      return;
    }
    this.launch();
  }

  private latestRestored: CompletedCheckpoint | undefined;

  handle(): JobHandle {
    return {
      jobId: this.jobId,
      result: this.result,
      cancel: (options) => this.cancel(options),
      triggerCheckpoint: () => {
        if (this.coordinator === undefined) {
          return Promise.reject(
            new ConfigError('Checkpointing is not enabled: call env.enableCheckpointing(interval) first.', {
              option: 'checkpointInterval',
            }),
          );
        }
        if (this.endingInput || this.ended) {
          return Promise.reject(
            new JobExecutionError('The job is ending; no more checkpoints can be triggered.', {
              code: CoreErrorCode.JOB_CANCELLED,
            }),
          );
        }
        return this.coordinator.trigger();
      },
      cancelOnSignals: (signals) => this.cancelOnSignals(signals ?? ['SIGTERM', 'SIGINT']),
      metrics: () => this.registry.snapshot(),
      status: () => this.registry.status(),
    };
  }

  private cancelOnSignals(signals: readonly NodeJS.Signals[]): () => void {
    let received = 0;
    const listener = (): void => {
      received += 1;
      // The first signal stops as configured; a second one aborts without a final checkpoint.
      void this.cancel(received === 1 ? {} : { withCheckpoint: false });
    };
    for (const signal of signals) process.on(signal, listener);
    const cleanup = (): void => {
      for (const signal of signals) process.off(signal, listener);
      this.signalCleanups.delete(cleanup);
    };
    this.signalCleanups.add(cleanup);
    return cleanup;
  }

  async cancel(options: { withCheckpoint?: boolean } = {}): Promise<void> {
    const checkpointing = this.coordinator !== undefined;
    const withCheckpoint =
      checkpointing && (options.withCheckpoint ?? this.spec.checkpointing?.stopMode === 'checkpoint');
    if (!this.ended && !this.cancelled) {
      this.cancelled = true;
      if (withCheckpoint) {
        for (const source of this.sources) source.cancelSource();
      } else {
        await this.stopAll();
        this.end();
      }
    } else if (!this.ended && !this.stopping && options.withCheckpoint === false) {
      // A graceful stop is under way and an abort was asked for: abort now.
      await this.stopAll();
      this.end();
    }
    await this.result.then(
      () => undefined,
      () => undefined,
    );
  }

  alignmentDone(alignment: { checkpointId: number; durationMs: number }): void {
    this.registry.tracker.alignment(alignment.checkpointId, Math.round(alignment.durationMs));
  }

  acknowledge(ack: SubtaskAck): void {
    this.coordinator?.acknowledge(ack.checkpointId, ack.subtask.key, ack.states);
  }

  sourceFinished(subtask: RunnableSubtask): void {
    if (this.stopping) return;
    this.finishedSources.add(subtask);
    if (this.coordinator === undefined) {
      subtask.endSource();
      return;
    }
    if (this.finishedSources.size < this.sources.length || this.endingInput) return;
    this.endingInput = true;
    const coordinator = this.coordinator;
    coordinator.stopPeriodic();
    coordinator.trigger({ final: true }).then(
      () => {
        for (const source of this.sources) source.endSource();
      },
      (error: unknown) => this.fail(error instanceof Error ? error : new Error(String(error))),
    );
  }

  fail(error: Error): void {
    if (this.ended || this.failure !== undefined || this.restarting) return;
    this.registry.tracker.exception(error);
    if (this.cancelled || this.spec.restartStrategy === undefined || this.spec.restartStrategy.type === 'none') {
      this.failure = error;
      void this.stopAll().then(() => this.end());
      return;
    }
    const now = Date.now();
    this.failureHistory.push({ timestamp: now, attempt: this.attempt, error });
    const decision = this.restartPolicy.onFailure({ now, attemptStartedAt: this.attemptStartedAt });
    if (!decision.restart) {
      this.failure = restartsExhausted({ error, reason: decision.reason, history: this.failureHistory, jobName: this.spec.jobName });
      void this.stopAll().then(() => this.end());
      return;
    }
    this.restarting = true;
    this.spec.onWarning(
      new JobExecutionError(
        `Job "${this.spec.jobName}" attempt ${this.attempt} failed (${error.message}); restarting in ${decision.delayMs} ms.`,
        { code: CoreErrorCode.JOB_TASK_FAILED, cause: error },
      ),
    );
    void this.stopAll()
      .then(() => new Promise((resolve) => setTimeout(resolve, decision.delayMs)))
      .then(() => this.restartAttempt())
      .catch((restartError: unknown) => {
        this.restarting = false;
        this.stopping = false;
        this.fail(restartError instanceof Error ? restartError : new Error(String(restartError)));
      });
  }

  private async stopAll(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.coordinator?.shutdown();
    for (const source of this.sources) source.cancelSource();
    for (const subtask of this.subtasks) subtask.stop();
    await Promise.all(this.sources.map((source) => source.whenSourceSettled()));
    for (const subtask of this.subtasks) {
      const error = await subtask.close();
      if (error !== undefined && this.failure === undefined && !this.cancelled && !this.restarting) this.failure = error;
      else if (error !== undefined) this.spec.onWarning(error);
    }
    await this.terminateThreads();
  }

  /**
   * Ends the attempt on its task threads (after their subtasks closed), keeping their last
   * metrics; `reuse` (the job finished normally) keeps the workers for the next job.
   */
  private async terminateThreads(options: { reuse?: boolean } = {}): Promise<void> {
    this.closeLinks();
    const threads = this.threads;
    if (threads === undefined) return;
    this.threads = undefined;
    await threads.terminate(options);
    const last = threads.samples();
    this.registry.setRemoteSamples(() => last);
  }

  private closeLinks(): void {
    this.links?.close();
    this.links = undefined;
  }

  private finishNormally(): void {
    if (this.stopping) return;
    this.coordinator?.shutdown();
    void this.terminateThreads({ reuse: true }).then(() => this.end());
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const cleanup of [...this.signalCleanups]) cleanup();
    const state = this.failure !== undefined ? 'failed' : this.stopping || this.cancelled ? 'cancelled' : 'finished';
    this.registry.tracker.ended(state);
    if (this.failure !== undefined) {
      this.rejectResult(asJobError(this.failure, this.spec.jobName));
      return;
    }
    this.resolveResult({
      jobId: this.jobId,
      jobName: this.spec.jobName,
      status: this.stopping || this.cancelled ? 'cancelled' : 'finished',
      restoredCheckpointId: this.restored?.metadata.checkpointId,
      lastCheckpointId: this.coordinator?.lastCompletedId,
      netRuntimeMs: Math.round(performance.now() - this.startedAt),
      metrics: this.registry.snapshot(),
    });
  }
}

function restartsExhausted(options: {
  error: Error;
  reason: string;
  history: readonly FailureRecord[];
  jobName: string;
}): RestartsExhaustedError {
  const lines = options.history.map(
    (record) => `attempt ${record.attempt} at ${new Date(record.timestamp).toISOString()}: ${record.error.message}`,
  );
  const error = new JobExecutionError(
    `Job "${options.jobName}" failed and is not restarted: ${options.reason}. Last error: ${options.error.message}\n` +
      `Failure history (${lines.length}):\n  ${lines.join('\n  ')}`,
    {
      code: CoreErrorCode.JOB_RESTARTS_EXHAUSTED,
      cause: options.error,
      ...(isSluiceError(options.error) && options.error.operator !== undefined ? { operator: options.error.operator } : {}),
      ...(isSluiceError(options.error) && options.error.subtask !== undefined ? { subtask: options.error.subtask } : {}),
    },
  );
  Object.defineProperty(error, 'failureHistory', { value: [...options.history], enumerable: true });
  return error as RestartsExhaustedError;
}

/** The key groups of each new subtask of a keyed operator. */
function assignKeyGroups(section: KeyedSection, options: { node: OperatorNode; maxParallelism: number }): KeyedSection[] {
  const parallelism = options.node.parallelism;
  return Array.from({ length: parallelism }, (_, index) => {
    const range = keyGroupRangeForSubtask(index, { parallelism, maxParallelism: options.maxParallelism });
    const groups = new Map<number, Uint8Array>();
    for (const [kg, blob] of section.groups) if (kg >= range.start && kg <= range.end) groups.set(kg, blob);
    return { keySnapshot: section.keySnapshot, groups };
  });
}

/** Orders subtasks by chain, then index (sources before their consumers). */
function byChainAndIndex(a: RunnableSubtask, b: RunnableSubtask): number {
  const [chainA = 0, indexA = 0] = a.key.split('/').map(Number);
  const [chainB = 0, indexB = 0] = b.key.split('/').map(Number);
  return chainA - chainB || indexA - indexB;
}

function isPath(restore: string): boolean {
  return restore !== 'latest' && restore !== 'none';
}

async function resolveRestore(
  spec: JobSpec,
  storage: CheckpointStorage | undefined,
): Promise<CompletedCheckpoint | undefined> {
  if (spec.restore === 'none' || storage === undefined) return undefined;
  if (spec.restore === 'latest') {
    return findLatestCheckpoint(storage, { jobName: spec.jobName, onWarning: spec.onWarning });
  }
  return loadCheckpoint(storage, spec.restore);
}

function asJobError(error: Error, jobName: string): JobExecutionError {
  if (error instanceof JobExecutionError) return error;
  const code = isSluiceError(error) ? error.code : CoreErrorCode.JOB_TASK_FAILED;
  return new JobExecutionError(`Job "${jobName}" failed: ${error.message}`, {
    code,
    cause: error,
    ...(isSluiceError(error) && error.checkpointId !== undefined ? { checkpointId: error.checkpointId } : {}),
  });
}
