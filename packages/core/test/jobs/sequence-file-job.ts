/**
 * Fault-test job: a replayable numbered source → map → a file sink, run as a child process by
 * `test/sigkill-exactly-once.test.ts` and SIGKILLed at random or injected points.
 *
 * The source and both sinks are written here the way a plugin author would write them, on the
 * public SDK: the exactly-once sink extends `TwoPhaseCommitSink` (a transaction is a temp file in
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
 * - `SLUICE_KILL_AT`: `<point>:<n>`, see `kill-points.ts`
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { open, rename, stat, unlink, writeFile } from 'node:fs/promises';
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
} from '../../src/index.js';
import { CheckpointingMode, LocalCheckpointStorage, StreamExecutionEnvironment } from '../../src/index.js';
// Not in the public barrel yet: imported from their modules inside the package.
import { TwoPhaseCommitSink } from '../../src/api/two-phase-commit-sink.js';
import { Types } from '../../src/types/types.js';
import { killPoint } from './kill-points.js';

function env(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
}

const jobDir = env('SLUICE_JOB_DIR');
const jobName = env('SLUICE_JOB_NAME', 'sequence-file-job');
const count = Number(env('SLUICE_SEQ_COUNT', '2000'));
const parallelism = Number(env('SLUICE_PARALLELISM', '2'));
const sinkParallelism =
  process.env['SLUICE_SINK_PARALLELISM'] ? Number(process.env['SLUICE_SINK_PARALLELISM']) : undefined;
const intervalMs = Number(env('SLUICE_CHECKPOINT_INTERVAL_MS', '50'));
const asyncSteps = process.env['SLUICE_ASYNC'] === '1';
const sinkMode = env('SLUICE_SINK_MODE', 'exactly-once');
const pauseEvery = Number(env('SLUICE_PAUSE_EVERY', '10'));
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
 * Exactly-once file sink: a transaction is `pending/<id>.tmp`, filled at preCommit (then
 * fsynced) and committed by renaming it to `committed/<id>.txt`. A commit whose temp file is gone
 * but whose target exists was already done (idempotent).
 */
class FileTransactionSink extends TwoPhaseCommitSink<string, string> {
  private readonly buffers = new Map<string, string[]>();
  /** Set at the first transaction: the runtime copies the sink per subtask before that. */
  private nonce: string | undefined;
  private counter = 0;

  constructor() {
    super({ transactionType: Types.string() });
  }

  protected async beginTransaction(): Promise<string> {
    // The runtime context is there: TwoPhaseCommitSink begins transactions from open() on.
    this.nonce ??= `${this.getRuntimeContext().subtaskIndex}-${process.pid}-${randomUUID().slice(0, 8)}`;
    const id = `${this.nonce}-${this.counter++}`;
    await writeFile(join(pendingDir, `${id}.tmp`), '');
    this.buffers.set(id, []);
    return id;
  }

  protected async invokeInTransaction(txn: string, value: string): Promise<void> {
    // With SLUICE_ASYNC=1 the record is written after an await: a runtime that let a snapshot
    // run meanwhile would put it into a pre-committed transaction (caught as "no buffer").
    if (asyncSteps) await new Promise<void>((resolve) => setImmediate(resolve));
    const buffer = this.buffers.get(txn);
    if (buffer === undefined) throw new Error(`no buffer for transaction ${txn}`);
    buffer.push(value);
    killPoint('sink.invoke');
  }

  protected async preCommit(txn: string): Promise<void> {
    const lines = this.buffers.get(txn) ?? [];
    const file = await open(join(pendingDir, `${txn}.tmp`), 'a');
    try {
      if (lines.length > 0) await file.write(`${lines.join('\n')}\n`);
      killPoint('sink.precommit');
      await file.sync();
    } finally {
      await file.close();
    }
    this.buffers.delete(txn);
    // Broken on purpose (control): output visible before its checkpoint completes.
    if (sinkMode === 'eager-commit') await this.moveToCommitted(txn);
  }

  protected async commit(txn: string): Promise<void> {
    killPoint('sink.commit');
    await this.moveToCommitted(txn);
    killPoint('sink.commit-renamed');
  }

  protected override async recoverAndCommit(txn: string): Promise<void> {
    killPoint('sink.recover-commit');
    await this.moveToCommitted(txn);
  }

  protected async abort(txn: string): Promise<void> {
    this.buffers.delete(txn);
    await unlink(join(pendingDir, `${txn}.tmp`)).catch((error: unknown) => {
      if (!isMissing(error)) throw error;
    });
  }

  override async snapshotState(context: FunctionSnapshotContext): Promise<void> {
    await super.snapshotState(context);
    killPoint('sink.snapshot-done');
  }

  override async notifyCheckpointComplete(checkpointId: number): Promise<void> {
    killPoint('sink.notify');
    await super.notifyCheckpointComplete(checkpointId);
  }

  private async moveToCommitted(txn: string): Promise<void> {
    const target = join(committedDir, `${txn}.txt`);
    try {
      await rename(join(pendingDir, `${txn}.tmp`), target);
    } catch (error) {
      if (!isMissing(error)) throw error;
      // Already committed by an earlier attempt? Then there is nothing to do.
      const committed = await stat(target).then(
        () => true,
        () => false,
      );
      if (!committed) throw new Error(`transaction ${txn} is neither pending nor committed: data lost`);
    }
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

/** Wraps local checkpoint storage to add kill points inside the checkpoint protocol. */
class KillableCheckpointStorage extends LocalCheckpointStorage {
  override async writeFile(
    checkpointPath: string,
    file: { name: string; bytes: Uint8Array },
  ): Promise<void> {
    await super.writeFile(checkpointPath, file);
    killPoint('storage.state-written');
  }

  override async commitMetadata(checkpointPath: string, bytes: Uint8Array): Promise<void> {
    await super.commitMetadata(checkpointPath, bytes);
    killPoint('storage.metadata-committed');
  }
}

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ENOENT';
}

/** The map step; asynchronous with SLUICE_ASYNC=1. */
function toText(value: number): string | Promise<string> {
  return asyncSteps ? Promise.resolve(String(value)) : String(value);
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
  const sink: Sink<string> = sinkMode === 'direct' ? new DirectFileSink() : new FileTransactionSink();
  const source = inputFile === undefined ? new SequenceSource() : new FileLinesSource(inputFile);
  const numbers = environment.addSource(source, { name: 'seq' }).uid('seq');
  if (sinkParallelism === undefined) {
    // source → map → sink chained in one task per subtask.
    numbers
      .map(toText)
      .uid('map')
      .addSink(sink)
      .uid('sink');
  } else {
    // A network edge with barrier alignment, and a sink whose parallelism may change between runs
    // (its two-phase-commit state is then redistributed by even split).
    numbers
      .rebalance()
      .map(toText)
      .uid('map')
      .setParallelism(sinkParallelism)
      .addSink(sink)
      .uid('sink')
      .setParallelism(sinkParallelism);
  }
  await environment.execute(jobName);
}

main().then(
  () => {
    process.stdout.write('JOB_FINISHED\n');
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`JOB_FAILED ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    if (error instanceof Error && error.cause !== undefined) process.stderr.write(`CAUSE ${String(error.cause)}\n`);
    process.exit(1);
  },
);
