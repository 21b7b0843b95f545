/**
 * Fault-test job: a replayable numbered source → map → a file sink, run as a child process by
 * `test/sigkill-exactly-once.test.ts` and SIGKILLed at random or injected points.
 *
 * The source and both sinks are written here the way a plugin author would write them, on the
 * public SDK: the exactly-once sink (file-transaction-sink.ts, shared with keyed-sum-job.ts) extends
 * `TwoPhaseCommitSink` (a transaction is a temp file in
 * `pending/`, committed by renaming it into `committed/`); the at-least-once control sink appends
 * straight into `committed/`.
 *
 * Configuration (environment):
 * - `SLUICE_JOB_DIR`: working directory (holds `checkpoints/`, `pending/`, `committed/`)
 * - `SLUICE_JOB_NAME`: job name (auto-resume key) · `SLUICE_SEQ_COUNT`: records 0..N-1
 * - `SLUICE_PARALLELISM` · `SLUICE_CHECKPOINT_INTERVAL_MS`
 * - `SLUICE_SINK_PARALLELISM`: when set, a rebalance edge before map → sink, which run with this
 *   parallelism (may change between runs: a rescale on restore)
 * - `SLUICE_SINK_MODE`: `exactly-once` (default); controls that must fail the check: `direct`
 *   (at-least-once, no transactions) and `eager-commit` (2PC that commits at preCommit)
 * - `SLUICE_PAUSE_EVERY`: the sequence source yields to the event loop every that many records
 * - `SLUICE_INPUT_FILE`: read the numbers from the lines of this file instead of generating them
 * - `SLUICE_ASYNC=1`: the map returns promises and the sink writes each record after an await
 * - `SLUICE_TASK_THREADS`: task threads (default 1); with n > 1 the operators come from
 *   {@link pipeline} through `env.addPipeline` (this module, imported by every thread) and
 *   subtask i of every chain runs on thread i mod n
 * - `SLUICE_KILL_AT`: `<point>:<n>`, see `kill-points.ts` (counted per thread)
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type {
  CheckpointedFunction,
  CheckpointListener,
  FunctionInitializationContext,
  FunctionSnapshotContext,
  ListState,
  RichFunction,
  RuntimeContext,
  Sink,
  Source,
  SourceContext,
} from '@sluice/core';
import { CheckpointingMode, StreamExecutionEnvironment, Types } from '@sluice/core';
import { FileTransactionSink, KillableCheckpointStorage } from './file-transaction-sink.js';
import { declarePipeline, runJobMain, setting } from './job-main.js';
import { killPoint } from './kill-points.js';

const jobDir = setting('SLUICE_JOB_DIR');
const jobName = setting('SLUICE_JOB_NAME', 'sequence-file-job');
const count = Number(setting('SLUICE_SEQ_COUNT', '2000'));
const parallelism = Number(setting('SLUICE_PARALLELISM', '2'));
const sinkParallelism =
  process.env['SLUICE_SINK_PARALLELISM'] ? Number(process.env['SLUICE_SINK_PARALLELISM']) : undefined;
const intervalMs = Number(setting('SLUICE_CHECKPOINT_INTERVAL_MS', '50'));
const asyncSteps = process.env['SLUICE_ASYNC'] === '1';
const sinkMode = setting('SLUICE_SINK_MODE', 'exactly-once');
const pauseEvery = Number(setting('SLUICE_PAUSE_EVERY', '10'));
const inputFile = process.env['SLUICE_INPUT_FILE'] || undefined;
const pendingDir = join(jobDir, 'pending');
const committedDir = join(jobDir, 'committed');

/**
 * Emits `subtask, subtask + p, subtask + 2p, ...` below `count`. Its state is the index of the
 * next record of its stride, updated in the same synchronous step as `collect` (SourceContext's
 * atomicity rule), so a snapshot always equals what was emitted.
 */
class SequenceSource implements Source<number>, CheckpointedFunction, RichFunction {
  private next = 0;
  private subtask = 0;
  private stride = 1;
  private running = true;
  private state: ListState<number> | undefined;

  initializeState(context: FunctionInitializationContext): void {
    this.state = context.operatorStateStore.getListState({ name: 'next', type: Types.number() });
    if (context.isRestored) {
      const restored = this.state.get();
      if (restored.length !== 1) throw new Error(`expected one position, restored ${restored.length}`);
      this.next = restored[0] ?? 0;
    }
  }

  open(context: RuntimeContext): void {
    this.subtask = context.subtaskIndex;
    this.stride = context.parallelism;
  }

  snapshotState(_context: FunctionSnapshotContext): void {
    killPoint('source.snapshot');
    this.state?.update([this.next]);
  }

  async run(context: SourceContext<number>): Promise<void> {
    while (this.running) {
      const value = this.subtask + this.next * this.stride;
      if (value >= count) return;
      const backPressure = context.collect(value);
      this.next += 1;
      killPoint('source.emit');
      if (backPressure !== undefined) await backPressure;
      if (this.next % pauseEvery === 0) await delay(1);
    }
  }

  cancel(): void {
    this.running = false;
  }
}

/**
 * Reads the lines of a local file; subtask s emits the lines whose number ≡ s (mod parallelism).
 * Its state is the byte offset just after the last line it emitted and that line's number, both
 * updated in the same synchronous step as `collect`. Reading the next chunk is an await other
 * than `collect`'s, where a snapshot may happen: the buffered, not yet emitted lines are then not
 * in the state, and are read again after a restore.
 */
class FileLinesSource implements Source<number>, CheckpointedFunction, RichFunction {
  private offset = 0;
  private line = 0;
  private subtask = 0;
  private stride = 1;
  private running = true;
  private state: ListState<{ offset: number; line: number }> | undefined;

  constructor(private readonly path: string) {}

  initializeState(context: FunctionInitializationContext): void {
    this.state = context.operatorStateStore.getListState({
      name: 'position',
      type: Types.row({ offset: Types.safeInteger(), line: Types.safeInteger() }),
    });
    if (context.isRestored) {
      const restored = this.state.get();
      if (restored.length !== 1) throw new Error(`expected one position, restored ${restored.length}`);
      this.offset = restored[0]?.offset ?? 0;
      this.line = restored[0]?.line ?? 0;
    }
  }

  open(context: RuntimeContext): void {
    this.subtask = context.subtaskIndex;
    this.stride = context.parallelism;
  }

  snapshotState(_context: FunctionSnapshotContext): void {
    killPoint('source.snapshot');
    this.state?.update([{ offset: this.offset, line: this.line }]);
  }

  async run(context: SourceContext<number>): Promise<void> {
    const file = await open(this.path, 'r');
    try {
      const chunk = Buffer.alloc(24);
      let carry = Buffer.alloc(0);
      let readAt = this.offset;
      while (this.running) {
        const { bytesRead } = await file.read(chunk, 0, chunk.length, readAt);
        if (bytesRead === 0) return;
        readAt += bytesRead;
        let data = Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
        for (let newline = data.indexOf(10); newline >= 0; newline = data.indexOf(10)) {
          const text = data.subarray(0, newline).toString('utf8');
          data = data.subarray(newline + 1);
          const mine = this.line % this.stride === this.subtask;
          // Position and emission in one synchronous step.
          const backPressure = mine ? context.collect(Number(text)) : undefined;
          this.offset += newline + 1;
          this.line += 1;
          if (mine) killPoint('source.emit');
          if (backPressure !== undefined) await backPressure;
        }
        carry = Buffer.from(data);
        await delay(1);
      }
    } finally {
      await file.close();
    }
  }

  cancel(): void {
    this.running = false;
  }
}

/**
 * At-least-once control sink: appends each record straight into `committed/`. After a kill the
 * records written since the last completed checkpoint are replayed, so they appear twice.
 */
class DirectFileSink implements Sink<string>, CheckpointListener {
  /** Set at the first record: the runtime copies the sink per subtask before that. */
  private path: string | undefined;
  private checkpointsCompleted = 0;

  invoke(value: string): void {
    this.path ??= join(committedDir, `direct-${process.pid}-${randomUUID().slice(0, 8)}.txt`);
    appendFileSync(this.path, `${value}\n`);
    if (this.checkpointsCompleted > 0) killPoint('sink.invoke');
  }

  notifyCheckpointComplete(): void {
    this.checkpointsCompleted += 1;
  }
}

/** The map step; asynchronous with SLUICE_ASYNC=1. */
function toText(value: number): string | Promise<string> {
  return asyncSteps ? Promise.resolve(String(value)) : String(value);
}

/**
 * Declares the job's operators: source → map → sink, chained, or with a rebalance edge before a
 * map and sink of `SLUICE_SINK_PARALLELISM`. With `SLUICE_TASK_THREADS` > 1 every task thread
 * imports this module and calls it (settings come from process.env, which threads inherit).
 */
export function pipeline(environment: StreamExecutionEnvironment): void {
  const sink: Sink<string> =
    sinkMode === 'direct'
      ? new DirectFileSink()
      : new FileTransactionSink({
          pendingDir,
          committedDir,
          // With SLUICE_ASYNC=1 each record is written after an await.
          invoke: asyncSteps ? 'async-yield' : 'async',
          eagerCommit: sinkMode === 'eager-commit',
        });
  const source = inputFile === undefined ? new SequenceSource() : new FileLinesSource(inputFile);
  const numbers = environment.addSource(source, { name: 'seq' }).uid('seq');
  if (sinkParallelism === undefined) {
    // source → map → sink chained in one task per subtask (dealt out over the task threads).
    numbers
      .map(toText)
      .uid('map')
      .addSink(sink)
      .uid('sink');
  } else {
    // A network edge with barrier alignment, and a sink whose parallelism may change between runs
    // (its two-phase-commit state is then redistributed by even split). On task threads the
    // edge's channels between subtasks on different threads are message ports.
    numbers
      .rebalance()
      .map(toText)
      .uid('map')
      .setParallelism(sinkParallelism)
      .addSink(sink)
      .uid('sink')
      .setParallelism(sinkParallelism);
  }
}

async function main(): Promise<void> {
  mkdirSync(pendingDir, { recursive: true });
  mkdirSync(committedDir, { recursive: true });
  const environment = StreamExecutionEnvironment.create();
  environment.setParallelism(parallelism);
  environment.enableCheckpointing(intervalMs, CheckpointingMode.EXACTLY_ONCE);
  environment
    .getCheckpointConfig()
    .setCheckpointStorage(new KillableCheckpointStorage({ directory: join(jobDir, 'checkpoints') }));
  await declarePipeline(environment, { module: new URL(import.meta.url), pipeline });
  await environment.execute(jobName);
}

runJobMain(main);

