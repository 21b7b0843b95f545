/**
 * Entry point of a streaming job (Flink's `StreamExecutionEnvironment`): declare sources,
 * transformations and sinks, configure parallelism and checkpoints, then `execute`.
 */
import type { Source } from '../api/functions.js';
import { hasMethod } from '../api/functions.js';
import type { RestartStrategyConfig } from '../api/restart-strategy.js';
import { isStatefulNode } from '../runtime/job-graph.js';
import { validateRestartStrategy } from '../runtime/restart-policy.js';
import { ConfigError, CoreErrorCode } from '../errors.js';
import type { CheckpointStorage } from '../runtime/checkpoint-storage.js';
import type { JobSpec, OperatorNode } from '../runtime/job-graph.js';
import { startJob } from '../runtime/job-runner.js';
import { checkPipelineArgs, loadPipelineFunction, pipelineModuleUrl } from '../runtime/task-threads/pipeline-module.js';
import type { PipelineRef } from '../runtime/task-threads/pipeline-module.js';
import type { JobExecutionResult, JobHandle } from '../runtime/job-runner.js';
import { LocalCheckpointStorage } from '../runtime/local-checkpoint-storage.js';
import { CheckpointConfig, CheckpointingMode } from './checkpoint-config.js';
import { DataStream } from './data-stream.js';
import type { FunctionExtras, OperatorDraft, OperatorRegistry } from './data-stream.js';

/** Options of {@link StreamExecutionEnvironment.create}. */
export interface StreamExecutionEnvironmentOptions {
  /**
   * Default parallelism of every operator.
   * @defaultValue 1
   */
  readonly parallelism?: number;
  /**
   * Upper bound of any parallelism (the number of key groups for keyed state).
   * @defaultValue 128
   */
  readonly maxParallelism?: number;
  /**
   * Records a channel between two subtasks holds before the producer waits (back-pressure).
   * @defaultValue 1024
   */
  readonly channelCapacity?: number;
  /**
   * Receives non-fatal problems: timed-out checkpoints, unreadable checkpoints skipped on restore,
   * errors while closing a cancelled job.
   * @defaultValue `process.emitWarning(error)`
   */
  readonly onWarning?: (warning: Error) => void;
  /**
   * Period in ms at which watermark generators' `onPeriodicEmit` runs (`> 0`).
   * @defaultValue 200
   */
  readonly autoWatermarkInterval?: number;
  /**
   * What happens when a task fails (see `RestartStrategies`).
   * @defaultValue `RestartStrategies.noRestart()`
   */
  readonly restartStrategy?: RestartStrategyConfig;
  /**
   * Worker threads the job's subtasks run on, so that parallel subtasks use several cores (see
   * {@link StreamExecutionEnvironment.setTaskThreads}).
   * @defaultValue 1: every subtask runs on the thread that calls `execute`
   */
  readonly taskThreads?: number;
}

/** Options of {@link StreamExecutionEnvironment.addPipeline}. */
export interface AddPipelineOptions<TArgs> {
  /**
   * Second argument of the pipeline function. It is structured-cloned into every task thread, so
   * it must be plain data.
   * @defaultValue `undefined`
   */
  readonly args?: TArgs;
  /**
   * Name of the module's export that declares the pipeline.
   * @defaultValue `'default'`
   */
  readonly exportName?: string;
}

/**
 * The function a pipeline module exports: declares sources, transformations and sinks on `env`.
 * It runs once on the calling thread and once on every task thread, so it must declare the same
 * operators each time and do nothing else with side effects (no topic creation, no file cleanup).
 */
export type PipelineFunction<TArgs = undefined> = (env: StreamExecutionEnvironment, args: TArgs) => void | Promise<void>;

/** Options of {@link StreamExecutionEnvironment.addSource}. */
export interface AddSourceOptions {
  /**
   * Display name of the source.
   * @defaultValue `'Source'`
   */
  readonly name?: string;
}

const MAX_MAX_PARALLELISM = 32_768;
const MAX_TASK_THREADS = 256;

let resolveDeclared: (env: StreamExecutionEnvironment) => OperatorNode[];

/** The operators an environment declared, resolved (task threads build the graph anew from them). */
export function declaredGraph(env: StreamExecutionEnvironment): OperatorNode[] {
  return resolveDeclared(env);
}

/** Builds and runs a streaming job. */
export class StreamExecutionEnvironment implements OperatorRegistry {
  private parallelism: number;
  private maxParallelism: number;
  private readonly channelCapacity: number;
  private readonly onWarning: (warning: Error) => void;
  private readonly checkpointConfig = new CheckpointConfig();
  private readonly drafts: OperatorDraft[] = [];

  private constructor(options: StreamExecutionEnvironmentOptions) {
    this.parallelism = options.parallelism ?? 1;
    this.maxParallelism = options.maxParallelism ?? 128;
    this.channelCapacity = options.channelCapacity ?? 1024;
    this.onWarning = options.onWarning ?? ((warning) => process.emitWarning(warning));
    this.autoWatermarkInterval = options.autoWatermarkInterval ?? 200;
    this.restartStrategy = options.restartStrategy ?? { type: 'none' };
    this.taskThreads = options.taskThreads ?? 1;
  }

  private taskThreads: number;
  /** Pipeline modules added, with the range of drafts each declared. */
  private readonly pipelines: { ref: PipelineRef; from: number; to: number }[] = [];

  /**
   * Sets how many threads run the job's subtasks (like a Flink cluster's task managers, on one
   * machine): thread 0 is the calling thread, the others are worker threads. Subtask i of every
   * chain runs on thread i mod n; records of an exchange between subtasks on different threads
   * are structured-cloned through a `MessagePort` (plain data only). Checkpoints are coordinated
   * and written on the calling thread.
   *
   * With more than one thread, every operator must come from {@link addPipeline}: each thread
   * imports the pipeline module and builds its own operators.
   * @defaultValue 1
   */
  setTaskThreads(threads: number): this {
    this.taskThreads = threads;
    return this;
  }

  /** The number of task threads. */
  getTaskThreads(): number {
    return this.taskThreads;
  }

  /**
   * Imports a pipeline module and calls its pipeline function (see {@link PipelineFunction}) with
   * this environment and `options.args`. Task threads import the same module to build their own
   * operators, so a job that runs on {@link setTaskThreads | several threads} declares its
   * operators this way.
   *
   * @param module - The module: `new URL('./pipeline.js', import.meta.url)`, a `file:` URL or a
   *   file path (relative paths resolve against the working directory).
   */
  async addPipeline<TArgs>(module: URL | string, options: AddPipelineOptions<TArgs> = {}): Promise<this> {
    const ref: PipelineRef = {
      module: pipelineModuleUrl(module),
      exportName: options.exportName ?? 'default',
      args: options.args,
    };
    checkPipelineArgs(ref.args, ref.module);
    const define = await loadPipelineFunction(ref, this.onWarning);
    const from = this.drafts.length;
    await define(this as never, ref.args);
    this.pipelines.push({ ref, from, to: this.drafts.length });
    return this;
  }

  private autoWatermarkInterval: number;
  private restartStrategy: RestartStrategyConfig;

  /**
   * Sets the restart strategy (Flink's `setRestartStrategy`).
   * @defaultValue `RestartStrategies.noRestart()`
   */
  setRestartStrategy(strategy: RestartStrategyConfig): this {
    this.restartStrategy = strategy;
    return this;
  }

  /**
   * Sets the period of periodic watermark emission, ms.
   * @defaultValue 200
   */
  setAutoWatermarkInterval(intervalMs: number): this {
    this.autoWatermarkInterval = intervalMs;
    return this;
  }

  /** A new environment; nothing is shared between environments. */
  static create(options: StreamExecutionEnvironmentOptions = {}): StreamExecutionEnvironment {
    return new StreamExecutionEnvironment(options);
  }

  /**
   * Default parallelism of operators that do not set their own.
   * @defaultValue 1
   */
  setParallelism(parallelism: number): this {
    this.parallelism = parallelism;
    return this;
  }

  /** The default parallelism. */
  getParallelism(): number {
    return this.parallelism;
  }

  /**
   * Upper bound of any operator's parallelism.
   * @defaultValue 128
   */
  setMaxParallelism(maxParallelism: number): this {
    this.maxParallelism = maxParallelism;
    return this;
  }

  /** The max parallelism. */
  getMaxParallelism(): number {
    return this.maxParallelism;
  }

  /**
   * Takes a checkpoint every `interval` ms. Also set a storage with
   * `getCheckpointConfig().setCheckpointStorage(dir)`.
   * @defaultValue mode `CheckpointingMode.EXACTLY_ONCE`
   */
  enableCheckpointing(interval: number, mode: CheckpointingMode = CheckpointingMode.EXACTLY_ONCE): this {
    this.checkpointConfig.interval = interval;
    this.checkpointConfig.setCheckpointingMode(mode);
    return this;
  }

  /** The checkpoint settings (timeout, pause, retention, storage, restore, stop mode). */
  getCheckpointConfig(): CheckpointConfig {
    return this.checkpointConfig;
  }

  /** Adds a source; each parallel subtask runs its own copy of `source` (subtask 0 the object itself). */
  addSource<TRecord>(source: Source<TRecord> & FunctionExtras, options: AddSourceOptions = {}): DataStream<TRecord> {
    if (!hasMethod(source, 'run') || !hasMethod(source, 'cancel')) {
      throw new ConfigError('addSource expects a Source: an object with run(context) and cancel() methods.', {
        option: 'source',
      });
    }
    const draft = this.addOperator({
      kind: 'source',
      function: source,
      name: options.name ?? 'Source',
      uid: undefined,
      parallelism: undefined,
      inputId: undefined,
      inputPartitioning: 'forward',
    });
    return new DataStream<TRecord>(this, draft);
  }

  /** @internal */
  addOperator(draft: Omit<OperatorDraft, 'id'>): OperatorDraft {
    const full: OperatorDraft = { ...draft, id: this.drafts.length };
    this.drafts.push(full);
    return full;
  }

  /**
   * Runs the job and resolves when it ended: every bounded source finished (after a final
   * checkpoint when checkpointing is enabled) or the job was cancelled. Rejects with a
   * `ConfigError`/`StateError`/`CheckpointError` for bad configuration or unrestorable state, and with
   * a `JobExecutionError` when the job fails.
   * @defaultValue jobName `'sluice-job'`
   */
  async execute(jobName = 'sluice-job'): Promise<JobExecutionResult> {
    const handle = await this.executeAsync(jobName);
    return handle.result;
  }

  /** Starts the job and resolves with its handle once it runs (state restored, functions opened). */
  async executeAsync(jobName = 'sluice-job'): Promise<JobHandle> {
    return startJob(this.buildSpec(jobName));
  }

  private buildSpec(jobName: string): JobSpec {
    if (typeof jobName !== 'string' || jobName.trim().length === 0) {
      throw new ConfigError(`The job name must be a non-empty string, got ${JSON.stringify(jobName)}.`, {
        option: 'jobName',
      });
    }
    const maxParallelism = this.maxParallelism;
    if (!Number.isInteger(maxParallelism) || maxParallelism < 1 || maxParallelism > MAX_MAX_PARALLELISM) {
      throw new ConfigError(
        `maxParallelism must be an integer in [1, ${MAX_MAX_PARALLELISM}], got ${maxParallelism}; fix env.setMaxParallelism(...).`,
        { option: 'maxParallelism' },
      );
    }
    checkParallelism(this.parallelism, { maxParallelism, where: 'env.setParallelism(...)' });
    if (!Number.isInteger(this.channelCapacity) || this.channelCapacity < 1) {
      throw new ConfigError(`channelCapacity must be a positive integer, got ${this.channelCapacity}.`, {
        option: 'channelCapacity',
      });
    }
    if (!this.drafts.some((draft) => draft.kind === 'source')) {
      throw new ConfigError('The job has no source: add one with env.addSource(...) before execute.', {
        option: 'source',
      });
    }
    const nodes = this.resolveNodes(maxParallelism);
    const config = this.checkpointConfig;
    const checkpointing = config.isCheckpointingEnabled() ? this.resolveCheckpointing() : undefined;
    const storage = resolveStorage(config.getCheckpointStorage());
    if (checkpointing !== undefined && storage === undefined) {
      throw new ConfigError(
        'Checkpointing is enabled but no checkpoint storage is set: call ' +
          'env.getCheckpointConfig().setCheckpointStorage(directoryOrStorage).',
        { option: 'checkpointStorage' },
      );
    }
    const restore = config.getRestore();
    if (typeof restore !== 'string' || restore.length === 0) {
      throw new ConfigError(`restore must be 'latest', 'none' or a checkpoint path, got ${JSON.stringify(restore)}.`, {
        option: 'restore',
      });
    }
    if (!Number.isFinite(this.autoWatermarkInterval) || this.autoWatermarkInterval <= 0) {
      throw new ConfigError(
        `autoWatermarkInterval must be > 0 ms, got ${this.autoWatermarkInterval}; fix env.setAutoWatermarkInterval(ms).`,
        { option: 'autoWatermarkInterval' },
      );
    }
    validateRestartStrategy(this.restartStrategy);
    return {
      ...this.resolveTaskThreads(),
      restartStrategy: this.restartStrategy,
      autoWatermarkInterval: this.autoWatermarkInterval,
      jobName,
      nodes,
      maxParallelism,
      checkpointing,
      storage,
      restore,
      allowNonRestoredState: config.getAllowNonRestoredState(),
      channelCapacity: this.channelCapacity,
      onWarning: this.onWarning,
    };
  }

  private resolveTaskThreads(): Pick<JobSpec, 'taskThreads'> {
    const threads = this.taskThreads;
    if (!Number.isInteger(threads) || threads < 1 || threads > MAX_TASK_THREADS) {
      throw new ConfigError(
        `taskThreads must be an integer in [1, ${MAX_TASK_THREADS}], got ${threads}; fix env.setTaskThreads(n).`,
        { option: 'taskThreads' },
      );
    }
    if (threads === 1) return {};
    const outside = this.drafts.find((draft) => !this.pipelines.some((p) => draft.id >= p.from && draft.id < p.to));
    if (outside !== undefined) {
      throw new ConfigError(
        `Operator "${outside.name}" (${outside.kind} #${outside.id}) was not declared by a pipeline module, but the job ` +
          `runs on ${threads} task threads, which build their operators by importing the pipeline modules. Declare ` +
          'every operator in a module function and add it with env.addPipeline(new URL(...), { args }), or use one task thread.',
        { option: 'taskThreads', operator: outside.name },
      );
    }
    return {
      taskThreads: {
        count: threads,
        pipelines: this.pipelines.map((p) => p.ref),
        environment: {
          parallelism: this.parallelism,
          maxParallelism: this.maxParallelism,
          channelCapacity: this.channelCapacity,
          autoWatermarkInterval: this.autoWatermarkInterval,
        },
      },
    };
  }

  private resolveCheckpointing(): JobSpec['checkpointing'] {
    const config = this.checkpointConfig;
    const interval = config.getCheckpointInterval() as number;
    positive(interval, { option: 'checkpointInterval', fix: 'env.enableCheckpointing(intervalMs)' });
    positive(config.getCheckpointTimeout(), {
      option: 'checkpointTimeout',
      fix: 'getCheckpointConfig().setCheckpointTimeout(ms)',
    });
    const minPause = config.getMinPauseBetweenCheckpoints();
    if (!Number.isFinite(minPause) || minPause < 0) {
      throw new ConfigError(
        `minPauseBetweenCheckpoints must be ≥ 0 ms, got ${minPause}; fix getCheckpointConfig().setMinPauseBetweenCheckpoints(ms).`,
        { option: 'minPauseBetweenCheckpoints' },
      );
    }
    const retain = config.getMaxRetainedCheckpoints();
    if (!Number.isInteger(retain) || retain < 1) {
      throw new ConfigError(
        `maxRetainedCheckpoints must be an integer ≥ 1, got ${retain}; fix getCheckpointConfig().setMaxRetainedCheckpoints(n).`,
        { option: 'maxRetainedCheckpoints' },
      );
    }
    const mode = config.getCheckpointingMode();
    if (mode !== CheckpointingMode.EXACTLY_ONCE && mode !== CheckpointingMode.AT_LEAST_ONCE) {
      throw new ConfigError(`Unknown checkpointing mode ${JSON.stringify(mode)}; use CheckpointingMode.`, {
        option: 'checkpointingMode',
      });
    }
    const stopMode = config.getStopMode();
    if (stopMode !== 'checkpoint' && stopMode !== 'abort') {
      throw new ConfigError(`stopMode must be 'checkpoint' or 'abort', got ${JSON.stringify(stopMode)}.`, {
        option: 'stopMode',
      });
    }
    return { interval, mode, timeout: config.getCheckpointTimeout(), minPause, retain, stopMode };
  }

  static {
    resolveDeclared = (env) => env.resolveNodes(env.maxParallelism);
  }

  private resolveNodes(maxParallelism: number): OperatorNode[] {
    const seen = new Map<string, OperatorDraft>();
    for (const draft of this.drafts) {
      if (draft.uid === undefined) continue;
      const other = seen.get(draft.uid);
      if (other !== undefined) {
        throw new ConfigError(
          `Operators "${other.name}" and "${draft.name}" both have uid "${draft.uid}"; uids must be unique in a job.`,
          { code: CoreErrorCode.OPERATOR_UID_DUPLICATE, operator: draft.uid },
        );
      }
      seen.set(draft.uid, draft);
    }
    return this.drafts.map((draft) => {
      if (draft.uid === undefined && isStatefulNode(draft)) {
        throw new ConfigError(
          `Operator "${draft.name}" (${draft.kind} #${draft.id}) keeps checkpointed state but has no uid, so its ` +
            'state could not be matched after a change of the job. Set one with .uid("...").',
          { code: CoreErrorCode.OPERATOR_UID_MISSING, operator: draft.name },
        );
      }
      const parallelism = draft.parallelism ?? this.parallelism;
      checkParallelism(parallelism, { maxParallelism, where: `setParallelism(...) of operator "${draft.name}"` });
      let uid = draft.uid;
      if (uid === undefined) {
        uid = `auto-${draft.kind}-${draft.id}`;
        while (seen.has(uid)) uid = `${uid}'`;
      }
      return {
        id: draft.id,
        kind: draft.kind,
        uid,
        uidExplicit: draft.uid !== undefined,
        name: draft.name,
        parallelism,
        function: draft.function,
        inputId: draft.inputId,
        inputPartitioning: draft.inputPartitioning,
        ...(draft.extraInputIds === undefined ? {} : { extraInputIds: draft.extraInputIds }),
        ...(draft.key === undefined ? {} : { key: draft.key }),
        ...(draft.sideOutputTag === undefined ? {} : { sideOutputTag: draft.sideOutputTag }),
      };
    });
  }
}

function checkParallelism(parallelism: number, options: { maxParallelism: number; where: string }): void {
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > options.maxParallelism) {
    throw new ConfigError(
      `Parallelism must be an integer in [1, maxParallelism=${options.maxParallelism}], got ${parallelism}; ` +
        `fix ${options.where} or raise env.setMaxParallelism(...).`,
      { option: 'parallelism' },
    );
  }
}

function positive(value: number, options: { option: string; fix: string }): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(`${options.option} must be > 0 ms, got ${value}; fix ${options.fix}.`, {
      option: options.option,
    });
  }
}

function resolveStorage(storage: CheckpointStorage | string | undefined): CheckpointStorage | undefined {
  if (storage === undefined) return undefined;
  if (typeof storage === 'string') return new LocalCheckpointStorage({ directory: storage });
  return storage;
}
