// A small checkpointed job run in-process for monitoring tests, and a wait-for-condition helper.
import { InMemoryCheckpointStorage, StreamExecutionEnvironment, Types } from '@sluice/core';
import type {
  CheckpointListener,
  CheckpointedFunction,
  Counter,
  FunctionInitializationContext,
  JobHandle,
  ListState,
  RuntimeContext,
  Sink,
  Source,
  SourceContext,
} from '@sluice/core';

/** Emits 0, 1, 2, … (a few per millisecond) until cancelled; its offset is checkpointed. */
class TickerSource implements Source<number>, CheckpointedFunction {
  private offset = 0;
  private running = true;
  private state: ListState<number> | undefined;
  private bytesIn: Counter | undefined;

  /** With `countBytes`, counts 8 bytes per record in `numBytesIn`, as a Kafka source would. */
  constructor(private readonly countBytes: boolean) {}

  open(context: RuntimeContext): void {
    if (this.countBytes) this.bytesIn = context.metricGroup.counter('numBytesIn');
  }

  initializeState(context: FunctionInitializationContext): void {
    this.state = context.operatorStateStore.getListState({ name: 'offset', type: Types.number() });
    if (context.isRestored) this.offset = this.state.get()[0] ?? 0;
  }

  snapshotState(): void {
    this.state?.update([this.offset]);
  }

  async run(ctx: SourceContext<number>): Promise<void> {
    while (this.running) {
      const wait = ctx.collect(this.offset);
      this.bytesIn?.inc(8);
      this.offset += 1;
      if (wait) await wait;
      if (this.offset % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  cancel(): void {
    this.running = false;
  }
}

/**
 * A test-only sink that reports the file sink metrics (`partsInProgress`, `partsPending`,
 * `partsFinished`, `numBytesOut`) of a made-up part file: 8 bytes per record, a part rolls every
 * 200 records and is finished when the next checkpoint completes.
 */
class PartCountingSink implements Sink<number>, CheckpointListener {
  private records = 0;
  private inProgress = 0;
  private pending = 0;
  private finished: Counter | undefined;
  private bytesOut: Counter | undefined;

  open(context: RuntimeContext): void {
    const group = context.metricGroup;
    group.gauge('partsInProgress', () => this.inProgress);
    group.gauge('partsPending', () => this.pending);
    this.finished = group.counter('partsFinished');
    this.bytesOut = group.counter('numBytesOut');
  }

  invoke(): void {
    this.records += 1;
    this.inProgress = 1;
    this.bytesOut?.inc(8);
    if (this.records % 200 === 0) this.pending += 1;
  }

  notifyCheckpointComplete(): void {
    this.finished?.inc(this.pending);
    this.pending = 0;
  }
}

/** Options of {@link startTestJob}. */
export interface TestJobOptions {
  /** Name of the job. */
  readonly name?: string;
  /** Checkpoint interval in ms; 0 disables checkpointing. */
  readonly checkpointInterval?: number;
  /** The map function throws once this many records went through. */
  readonly failAfter?: number;
  /**
   * The source counts `numBytesIn` and the sink reports file sink metrics (see
   * {@link PartCountingSink}) instead of the `writer.written` counter.
   */
  readonly fileSinkMetrics?: boolean;
}

/** Starts `ticker → map(x2) → filter(even) → rebalance → sink` and returns its handle. */
export async function startTestJob(options: TestJobOptions = {}): Promise<JobHandle> {
  const env = StreamExecutionEnvironment.create({ parallelism: 1, onWarning: () => undefined });
  const interval = options.checkpointInterval ?? 200;
  if (interval > 0) {
    env.enableCheckpointing(interval);
    env.getCheckpointConfig().setCheckpointStorage(new InMemoryCheckpointStorage());
  }
  let seen = 0;
  const failAfter = options.failAfter;
  env
    .addSource(new TickerSource(options.fileSinkMetrics === true), { name: 'ticker' })
    .uid('ticker')
    .map((n: number) => {
      seen += 1;
      if (failAfter !== undefined && seen > failAfter) throw new Error(`map failed on record ${n} on purpose`);
      return n * 2;
    })
    .name('double')
    .uid('double')
    .filter((n: number) => n % 4 === 0)
    .name('keep-quarters')
    .uid('keep-quarters')
    .rebalance()
    .addSink(
      options.fileSinkMetrics === true
        ? new PartCountingSink()
        : {
            open(context: RuntimeContext) {
              context.metricGroup.addGroup('writer').counter('written');
            },
            invoke: () => undefined,
          },
    )
    .name('discard')
    .uid('discard')
    .setParallelism(2);
  return env.executeAsync(options.name ?? `monitoring-test-${Math.random().toString(36).slice(2, 8)}`);
}

/** Polls `probe` until it returns a value other than `undefined`, or fails after `timeoutMs` naming `what`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last === undefined ? '' : ` (last error: ${String(last)})`}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Cancels a job without a final checkpoint and waits for it to end (any outcome). */
export async function stopJob(handle: JobHandle | undefined): Promise<void> {
  if (handle === undefined) return;
  await handle.cancel({ withCheckpoint: false }).catch(() => undefined);
}
