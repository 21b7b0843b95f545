/**
 * Fault-test job for keyed streams: a replayable numbered source (parallelism 2, offsets in
 * operator state) → event-time timestamps and watermarks → keyBy → per-key running sum with
 * event-time window timers (keyed state + timers in checkpoints) → an exactly-once two-phase-commit
 * file sink. Run as a child process by `test/sigkill-keyed-exactly-once.test.ts`.
 *
 * Output lines: `sum <key> <value> <running sum>` per record and `window <key> <end> <count>` per
 * window of `SLUICE_WINDOW_MS` when the watermark passes its end.
 *
 * Environment: `SLUICE_JOB_DIR`, `SLUICE_JOB_NAME`, `SLUICE_SEQ_COUNT`, `SLUICE_KEYS`,
 * `SLUICE_WINDOW_MS`, `SLUICE_PARALLELISM` (keyed operator and sink; may change between runs:
 * rescale), `SLUICE_CHECKPOINT_INTERVAL_MS`, `SLUICE_PAUSE_EVERY`, `SLUICE_TASK_THREADS` (default 1;
 * with n > 1 the operators come from {@link pipeline} through `env.addPipeline`, subtask i of every
 * chain on thread i mod n, so the keyBy exchange crosses threads), `SLUICE_KILL_AT` (see
 * kill-points.ts; counted per thread).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type {
  CheckpointedFunction,
  Collector,
  FunctionInitializationContext,
  KeyedProcessContext,
  KeyedProcessFunction,
  KeyedRuntimeContext,
  ListState,
  MapState,
  OnTimerContext,
  RichFunction,
  RuntimeContext,
  Source,
  SourceContext,
  ValueState,
} from '@sluice/core';
import { StreamExecutionEnvironment, Types, WatermarkStrategies } from '@sluice/core';
import { FileTransactionSink, KillableCheckpointStorage } from './file-transaction-sink.js';
import { declarePipeline, runJobMain, setting } from './job-main.js';
import { killPoint } from './kill-points.js';

const jobDir = setting('SLUICE_JOB_DIR');
const jobName = setting('SLUICE_JOB_NAME', 'keyed-sum-job');
const count = Number(setting('SLUICE_SEQ_COUNT', '3000'));
const keys = Number(setting('SLUICE_KEYS', '11'));
const windowMs = Number(setting('SLUICE_WINDOW_MS', '50'));
const parallelism = Number(setting('SLUICE_PARALLELISM', '2'));
const intervalMs = Number(setting('SLUICE_CHECKPOINT_INTERVAL_MS', '40'));
const pauseEvery = Number(setting('SLUICE_PAUSE_EVERY', '4'));
const pendingDir = join(jobDir, 'pending');
const committedDir = join(jobDir, 'committed');

/** Subtask s of 2 emits s, s+2, s+4, … below `count`, with timestamp = value. */
class SequenceSource implements Source<number>, CheckpointedFunction, RichFunction {
  private next = 0;
  private subtask = 0;
  private stride = 1;
  private running = true;
  private state: ListState<number> | undefined;

  initializeState(context: FunctionInitializationContext): void {
    this.state = context.operatorStateStore.getListState({ name: 'next', type: Types.number() });
    if (context.isRestored) this.next = this.state.get()[0] ?? 0;
  }

  open(context: RuntimeContext): void {
    this.subtask = context.subtaskIndex;
    this.stride = context.parallelism;
  }

  snapshotState(): void {
    killPoint('source.snapshot');
    this.state?.update([this.next]);
  }

  async run(context: SourceContext<number>): Promise<void> {
    while (this.running) {
      const value = this.subtask + this.next * this.stride;
      if (value >= count) return;
      const wait = context.collectWithTimestamp(value, value);
      this.next += 1;
      killPoint('source.emit');
      if (wait !== undefined) await wait;
      if (this.next % pauseEvery === 0) await delay(1);
    }
  }

  cancel(): void {
    this.running = false;
  }
}

/** Running sum per key and a count per event-time window, emitted by an event-time timer. */
class RunningSumWithWindows implements KeyedProcessFunction<string, number, string> {
  private sum: ValueState<number> | undefined;
  private windows: MapState<number, number> | undefined;

  open(context: KeyedRuntimeContext): void {
    this.sum = context.getState({ name: 'sum', type: Types.number(), defaultValue: 0 });
    this.windows = context.getMapState({ name: 'windows', keyType: Types.number(), valueType: Types.number() });
  }

  processElement(value: number, ctx: KeyedProcessContext<string>, out: Collector<string>): void {
    const sum = (this.sum?.value() ?? 0) + value;
    this.sum?.update(sum);
    out.collect(`sum ${ctx.getCurrentKey()} ${value} ${sum}`);
    const end = Math.floor(value / windowMs) * windowMs + windowMs - 1;
    this.windows?.put(end, (this.windows.get(end) ?? 0) + 1);
    ctx.timerService.registerEventTimeTimer(end);
  }

  onTimer(timestamp: number, ctx: OnTimerContext<string>, out: Collector<string>): void {
    out.collect(`window ${ctx.getCurrentKey()} ${timestamp} ${this.windows?.get(timestamp) ?? 0}`);
    this.windows?.remove(timestamp);
  }
}

/**
 * Declares the job's operators: source (parallelism 2) → timestamps and watermarks → keyBy →
 * running sums and window timers → sink (the environment's parallelism, `SLUICE_PARALLELISM`).
 * With `SLUICE_TASK_THREADS` > 1 every task thread imports this module and calls it.
 */
export function pipeline(environment: StreamExecutionEnvironment): void {
  environment
    .addSource(new SequenceSource(), { name: 'seq' })
    .uid('seq')
    .setParallelism(2)
    .assignTimestampsAndWatermarks(WatermarkStrategies.forMonotonousTimestamps<number>())
    .setParallelism(2)
    .keyBy((value) => `k${value % keys}`, Types.string())
    .process(new RunningSumWithWindows())
    .uid('running-sum')
    .addSink(new FileTransactionSink({ pendingDir, committedDir }))
    .uid('sink');
}

async function main(): Promise<void> {
  mkdirSync(pendingDir, { recursive: true });
  mkdirSync(committedDir, { recursive: true });
  const environment = StreamExecutionEnvironment.create({ parallelism, autoWatermarkInterval: 10 });
  environment.enableCheckpointing(intervalMs);
  environment
    .getCheckpointConfig()
    .setCheckpointStorage(new KillableCheckpointStorage({ directory: join(jobDir, 'checkpoints') }));
  await declarePipeline(environment, { module: new URL(import.meta.url), pipeline });
  await environment.execute(jobName);
}

runJobMain(main);
