/**
 * Runs one job: restores state, builds the subtasks and channels, runs the lifecycle, drives the
 * checkpoint coordinator, ends bounded jobs with a final checkpoint, and cancels or fails the
 * whole job when asked or when a task fails.
 */
import { randomUUID } from 'node:crypto';
import type { RuntimeContext } from '../api/functions.js';
import type { JobStatus } from '../metrics/job-status.js';
import { ConfigError, CoreErrorCode, JobExecutionError, StateError, isSluiceError } from '../errors.js';
import { BoundedChannel } from './bounded-channel.js';
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
import { OperatorStateBackend, assignOperatorState } from './operator-state-backend.js';
import type { StoredListState } from './operator-state-backend.js';
import { createOperator } from './operator-factory.js';
import type { TaskFrame } from './operators.js';
import { BroadcastOutput, KeyGroupOutput, NetworkOutput, Subtask } from './subtask.js';
import type { SubtaskAck, SubtaskHost } from './subtask.js';

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
  private subtasks: Subtask[] = [];
  private sources: Subtask[] = [];
  private finishedSources = new Set<Subtask>();
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
    this.build({ assigned, keyed: keyedAssigned });
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

  private build(restored: {
    assigned: ReadonlyMap<string, Map<string, StoredListState>[]>;
    keyed: ReadonlyMap<string, (KeyedSection | undefined)[]>;
  }): void {
    const { assigned, keyed } = restored;
    const spec = this.spec;
    const chains = buildChains(spec.nodes);
    // channels.get(`${consumer}/${upstream}`)[u][d]: upstream subtask u → consumer subtask d
    const channels = new Map<string, BoundedChannel<unknown>[][]>();
    const inputsOf = new Map<number, BoundedChannel<unknown>[][]>();
    for (const chain of chains) {
      if (chain.inputChainId === undefined) continue;
      const perSubtask: BoundedChannel<unknown>[][] = Array.from({ length: chain.parallelism }, () => []);
      for (const upstreamId of [chain.inputChainId, ...chain.extraInputChainIds]) {
        const upstream = chains[upstreamId];
        if (upstream === undefined) continue;
        const grid = Array.from({ length: upstream.parallelism }, () =>
          Array.from({ length: chain.parallelism }, () => new BoundedChannel<unknown>({ capacity: spec.channelCapacity })),
        );
        channels.set(`${chain.id}/${upstreamId}`, grid);
        for (let d = 0; d < chain.parallelism; d += 1) {
          for (const row of grid) perSubtask[d]?.push(row[d] as BoundedChannel<unknown>);
        }
      }
      inputsOf.set(chain.id, perSubtask);
    }
    const checkpointing = spec.checkpointing !== undefined;
    const settings = { autoWatermarkInterval: spec.autoWatermarkInterval ?? 200, maxParallelism: spec.maxParallelism };
    for (const chain of chains) {
      const consumers = chains.filter((c) => c.inputChainId === chain.id || c.extraInputChainIds.includes(chain.id));
      for (let index = 0; index < chain.parallelism; index += 1) {
        const frame: TaskFrame = { timestamp: undefined, watermark: -Infinity };
        const operators = chain.operators.map((node) =>
          createOperator({
            node,
            fn: this.functionFor(node, index),
            context: this.runtimeContext({ node, index, checkpointing }),
            stateBackend: new OperatorStateBackend(assigned.get(node.uid)?.[index]),
            frame,
            settings,
            keyed: keyed.get(node.uid)?.[index],
          }),
        );
        const outputs = consumers.map((consumer) =>
          this.networkOutput({ consumer, channels: channels.get(`${consumer.id}/${chain.id}`)?.[index] ?? [], frame, index }),
        );
        this.registerBackPressure({ chain, index, channels: consumers.flatMap((c) => channels.get(`${c.id}/${chain.id}`)?.[index] ?? []) });
        const subtask = new Subtask({
          chain,
          index,
          operators,
          inputs: inputsOf.get(chain.id)?.[index] ?? [],
          outputs,
          frame,
          host: this,
          alignment: spec.checkpointing?.mode ?? 'exactly-once',
        });
        this.subtasks.push(subtask);
        if (subtask.isSource) this.sources.push(subtask);
      }
    }
  }

  /** Back-pressure metrics of a subtask: time its producer waited on full output channels. */
  private registerBackPressure(options: { chain: Chain; index: number; channels: BoundedChannel<unknown>[] }): void {
    const tail = options.chain.operators.at(-1) as OperatorNode;
    const group = this.registry.group([this.spec.jobName, tail.uid, String(options.index)]);
    const blocked = (): number => options.channels.reduce((sum, channel) => sum + channel.backPressuredTimeMs, 0);
    group.gauge('accumulatedBackPressuredTimeMs', () => Math.round(blocked()));
    group.meter?.('backPressuredTimeMsPerSecond', { count: blocked });
  }

  private functionFor(node: OperatorNode, index: number): object {
    if (this.attempt > 0 && this.pristine !== undefined) return copyFunction(this.pristine.get(node.id) as object);
    return index === 0 ? node.function : copyFunction(node.function);
  }

  private networkOutput(options: {
    consumer: Chain;
    channels: BoundedChannel<unknown>[];
    frame: TaskFrame;
    index: number;
  }): NetworkOutput {
    const head = options.consumer.operators[0] as OperatorNode;
    let output: NetworkOutput;
    if (head.inputPartitioning === 'hash' && head.key !== undefined) {
      output = new KeyGroupOutput(options.channels, options.frame, {
        spec: head.key,
        serializer: head.key.type.createSerializer(),
        maxParallelism: this.spec.maxParallelism,
      });
    } else if (head.inputPartitioning === 'broadcast') {
      output = new BroadcastOutput(options.channels, options.frame, 0);
    } else {
      output = new NetworkOutput(options.channels, options.frame, options.index);
    }
    output.tag = head.kind === 'sideOutput' ? head.sideOutputTag : undefined;
    return output;
  }

  private runtimeContext(options: { node: OperatorNode; index: number; checkpointing: boolean }): RuntimeContext {
    const { node, index } = options;
    return {
      jobName: this.spec.jobName,
      jobId: this.jobId,
      operatorUid: node.uid,
      operatorName: node.name,
      subtaskIndex: index,
      parallelism: node.parallelism,
      maxParallelism: this.spec.maxParallelism,
      attemptNumber: this.attempt,
      isCheckpointingEnabled: options.checkpointing,
      metricGroup: this.registry.group([this.spec.jobName, node.uid, String(index)]),
    };
  }

  private async initialize(restoredIds: ReadonlyMap<string, number>): Promise<void> {
    try {
      for (const subtask of this.subtasks) await subtask.initializeState(restoredIds);
      for (const subtask of [...this.subtasks].reverse()) await subtask.open();
    } catch (error) {
      this.stopping = true;
      for (const subtask of this.subtasks) await subtask.close();
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

  sourceFinished(subtask: Subtask): void {
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
  }

  private finishNormally(): void {
    if (this.stopping) return;
    this.coordinator?.shutdown();
    this.end();
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
