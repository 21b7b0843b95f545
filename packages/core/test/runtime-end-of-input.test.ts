// End of input (Flink's finish(), FLIP-147): when it is called, in which order, and when not.
import { describe, expect, it } from 'vitest';
import type { Sink, Source, SourceContext } from '../src/api/functions.js';
import type { FunctionInitializationContext, FunctionSnapshotContext, ListState } from '../src/api/state.js';
import { StreamExecutionEnvironment } from '../src/datastream/stream-execution-environment.js';
import { CoreErrorCode } from '../src/errors.js';
import { InMemoryCheckpointStorage } from '../src/runtime/in-memory-checkpoint-storage.js';
import { numbers } from './helpers/numbers.js';

/** Emits 0 … limit-1 (its position is checkpointed); optionally waits for cancel at the end. */
class NumberSource implements Source<number> {
  private offset = 0;
  private running = true;
  private state: ListState<number> | undefined;
  constructor(private readonly options: { limit: number; log: string[]; hang?: boolean }) {}
  initializeState(context: FunctionInitializationContext): void {
    this.state = context.operatorStateStore.getListState({ name: 'offset', type: numbers });
    if (context.isRestored) this.offset = this.state.get()[0] ?? 0;
  }
  snapshotState(): void {
    this.state?.update([this.offset]);
  }
  async run(ctx: SourceContext<number>): Promise<void> {
    while (this.running && this.offset < this.options.limit) {
      const wait = ctx.collect(this.offset);
      this.offset += 1;
      if (wait) await wait;
    }
    if (this.options.hang === true && this.running) {
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
    }
  }
  cancel(): void {
    this.running = false;
  }
  finish(): void {
    this.options.log.push('finish source');
  }
}

/**
 * Keeps records in an in-progress buffer that only `finish` turns into pending output (like a
 * file sink's open part file); pending output is committed when a checkpoint completes.
 */
class FinishingSink implements Sink<number> {
  private inProgress: number[] = [];
  private pending: number[] = [];
  private readonly waiting = new Map<number, number[]>();
  constructor(private readonly out: { log: string[]; committed: number[] }) {}
  invoke(value: number): void {
    this.inProgress.push(value);
  }
  initializeState(): void {}
  finish(): void {
    this.out.log.push(`finish sink (${this.inProgress.length} records)`);
    this.pending.push(...this.inProgress);
    this.inProgress = [];
  }
  snapshotState(context: FunctionSnapshotContext): void {
    this.out.log.push(`snapshot sink ${context.checkpointId}`);
    this.waiting.set(context.checkpointId, this.pending);
    this.pending = [];
  }
  notifyCheckpointComplete(id: number): void {
    this.out.log.push(`notify sink ${id}`);
    for (const [checkpointId, values] of this.waiting) {
      if (checkpointId > id) continue;
      this.out.committed.push(...values);
      this.waiting.delete(checkpointId);
    }
  }
  close(): void {
    this.out.log.push('close sink');
  }
}

function job(options: { storage?: InMemoryCheckpointStorage; source: Source<number>; sink: Sink<number>; log: string[] }) {
  const env = StreamExecutionEnvironment.create();
  if (options.storage !== undefined) {
    env.enableCheckpointing(60_000).getCheckpointConfig().setCheckpointStorage(options.storage);
  }
  const { log } = options;
  env
    .addSource(options.source)
    .uid('numbers')
    .setParallelism(1)
    .map({ map: (x: number) => x, finish: () => void log.push('finish map') })
    .uid('map')
    .rebalance()
    .filter({ filter: () => true, finish: () => void log.push('finish filter') })
    .setParallelism(2)
    .addSink(options.sink)
    .uid('sink')
    .setParallelism(1);
  return env;
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('finish() at the end of input', () => {
  it('is called once per function, head first and upstream first, before the final checkpoint snapshots', async () => {
    const log: string[] = [];
    const out = { log, committed: [] as number[] };
    const result = await job({
      storage: new InMemoryCheckpointStorage(),
      source: new NumberSource({ limit: 500, log }),
      sink: new FinishingSink(out),
      log,
    }).execute('finish-order');
    expect(result.status).toBe('finished');
    expect(log).toEqual([
      'finish source',
      'finish map',
      'finish filter',
      'finish filter',
      'finish sink (500 records)',
      'snapshot sink 1',
      'notify sink 1',
      'close sink',
    ]);
    expect(out.committed.sort((a, b) => a - b)).toEqual(range(500));
  });

  it('is called before close when checkpointing is off', async () => {
    const log: string[] = [];
    const out = { log, committed: [] as number[] };
    await job({ source: new NumberSource({ limit: 20, log }), sink: new FinishingSink(out), log }).execute('no-checkpoints');
    expect(log.slice(-2)).toEqual(['finish sink (20 records)', 'close sink']);
    expect(log.filter((line) => line.startsWith('finish'))).toHaveLength(5);
  });

  it.each([true, false])('is not called when the job is cancelled (withCheckpoint: %s)', async (withCheckpoint) => {
    const log: string[] = [];
    const out = { log, committed: [] as number[] };
    const handle = await job({
      storage: new InMemoryCheckpointStorage(),
      source: new NumberSource({ limit: 10, log, hang: true }),
      sink: new FinishingSink(out),
      log,
    }).executeAsync('cancelled');
    await handle.triggerCheckpoint();
    await handle.cancel({ withCheckpoint });
    expect((await handle.result).status).toBe('cancelled');
    expect(log.filter((line) => line.startsWith('finish'))).toEqual([]);
    expect(log.at(-1)).toBe('close sink');
  });

  it('is not called when the job fails, and a failing finish fails the job naming the phase', async () => {
    const log: string[] = [];
    const failingSink = {
      invoke(value: number): void {
        if (value === 3) throw new Error('bad record');
      },
      finish: () => void log.push('finish failing sink'),
    };
    const failed = await job({ source: new NumberSource({ limit: 10, log }), sink: failingSink, log })
      .execute('fails')
      .catch((error: unknown) => error);
    expect(failed).toMatchObject({ code: CoreErrorCode.JOB_TASK_FAILED });
    expect(log).not.toContain('finish failing sink');

    const throwingSink = {
      invoke(): void {},
      finish(): void {
        throw new RangeError('flush failed');
      },
    };
    const error = await job({ source: new NumberSource({ limit: 10, log: [] }), sink: throwingSink, log: [] })
      .execute('finish-throws')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: CoreErrorCode.JOB_TASK_FAILED, operator: 'sink', subtask: 0 });
    expect((error as Error).message).toContain('finish');
    expect((error as Error).cause).toBeInstanceOf(RangeError);
  });

  it('a run restored after its input ended finishes no data twice', async () => {
    const storage = new InMemoryCheckpointStorage();
    const log: string[] = [];
    const out = { log, committed: [] as number[] };
    await job({ storage, source: new NumberSource({ limit: 50, log }), sink: new FinishingSink(out), log }).execute('restored');
    log.length = 0;
    const second = await job({
      storage,
      source: new NumberSource({ limit: 50, log }),
      sink: new FinishingSink(out),
      log,
    }).execute('restored');
    expect(second.restoredCheckpointId).toBe(1);
    expect(log.filter((line) => line.startsWith('finish sink'))).toEqual(['finish sink (0 records)']);
    expect(out.committed.sort((a, b) => a - b)).toEqual(range(50));
  });
});
