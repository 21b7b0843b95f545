// Checkpoint, restore, rescale and cancel behaviour of the runtime, in one process (no servers).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RuntimeContext, Sink, Source, SourceContext } from '../src/api/functions.js';
import type { FunctionInitializationContext, FunctionSnapshotContext, ListState } from '../src/api/state.js';
import { StreamExecutionEnvironment } from '../src/datastream/stream-execution-environment.js';
import { CoreErrorCode } from '../src/errors.js';
import { InMemoryCheckpointStorage } from '../src/runtime/in-memory-checkpoint-storage.js';
import { numbers } from './helpers/numbers.js';

async function waitFor(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

interface Gate {
  open: boolean;
  waiters: (() => void)[];
}
const gate = (): Gate => ({ open: false, waiters: [] });
const pass = (g: Gate): Promise<void> =>
  g.open ? Promise.resolve() : new Promise<void>((resolve) => g.waiters.push(resolve));
const release = (g: Gate): void => {
  g.open = true;
  for (const waiter of g.waiters.splice(0)) waiter();
};

/** Emits offset, offset+1, … up to `limit`; pauses at `pauseAt` until the gate opens. */
class CounterSource implements Source<number> {
  offset = 0;
  private running = true;
  private state: ListState<number> | undefined;
  constructor(private readonly options: { limit: number; pauseAt?: number; gate?: Gate; log: string[] }) {}
  initializeState(context: FunctionInitializationContext): void {
    this.state = context.operatorStateStore.getListState({ name: 'offset', type: numbers });
    if (context.isRestored) this.offset = this.state.get()[0] ?? 0;
    this.options.log.push(`init restored=${context.isRestored} id=${context.restoredCheckpointId} offset=${this.offset}`);
  }
  snapshotState(context: FunctionSnapshotContext): void {
    this.state?.update([this.offset]);
    this.options.log.push(`snapshot ${context.checkpointId} offset=${this.offset}`);
  }
  async run(ctx: SourceContext<number>): Promise<void> {
    while (this.running && this.offset < this.options.limit) {
      if (this.offset === this.options.pauseAt && this.options.gate !== undefined) {
        await Promise.race([pass(this.options.gate), new Promise((r) => ctx.signal.addEventListener('abort', r))]);
        if (!this.running) return;
      }
      const wait = ctx.collect(this.offset);
      this.offset += 1;
      if (wait) await wait;
      if (this.offset % 16 === 0) await new Promise((r) => setImmediate(r));
    }
  }
  cancel(): void {
    this.running = false;
  }
}

/** Buffers records per checkpoint and commits them on notifyCheckpointComplete. */
class CommittingSink implements Sink<number> {
  private buffer: number[] = [];
  private pending = new Map<number, number[]>();
  constructor(private readonly out: { committed: number[]; seen: number[]; log: string[] }) {}
  invoke(value: number): void {
    this.buffer.push(value);
    this.out.seen.push(value);
  }
  initializeState(): void {}
  snapshotState(context: FunctionSnapshotContext): void {
    this.pending.set(context.checkpointId, this.buffer);
    this.buffer = [];
  }
  notifyCheckpointComplete(id: number): void {
    this.out.log.push(`notify ${id}`);
    for (const [cp, values] of this.pending) {
      if (cp > id) continue;
      this.out.committed.push(...values);
      this.pending.delete(cp);
    }
  }
  notifyCheckpointAborted(id: number): void {
    this.out.log.push(`aborted ${id}`);
  }
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-runtime-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function job(options: { storage: string | InMemoryCheckpointStorage; source: Source<number>; sink: Sink<number> }) {
  const env = StreamExecutionEnvironment.create();
  env.enableCheckpointing(60_000).getCheckpointConfig().setCheckpointStorage(options.storage);
  env
    .addSource(options.source)
    .uid('counter')
    .map((x) => x)
    .addSink(options.sink)
    .uid('sink');
  return env;
}

describe('checkpoint and restore in one process', () => {
  it('commits all output of a bounded job through the final checkpoint', async () => {
    const out = { committed: [] as number[], seen: [] as number[], log: [] as string[] };
    const result = await job({
      storage: dir,
      source: new CounterSource({ limit: 300, log: [] }),
      sink: new CommittingSink(out),
    }).execute('bounded');
    expect(out.committed).toEqual(Array.from({ length: 300 }, (_, i) => i));
    expect(result.lastCheckpointId).toBe(1);
  });

  it('restores the latest checkpoint and continues exactly once after an abort', async () => {
    const out = { committed: [] as number[], seen: [] as number[], log: [] as string[] };
    const log: string[] = [];
    const g = gate();
    const first = await job({
      storage: dir,
      source: new CounterSource({ limit: 100, pauseAt: 60, gate: g, log }),
      sink: new CommittingSink(out),
    }).executeAsync('resume');
    await waitFor('60 records at the sink', () => out.seen.length === 60);
    expect(await first.triggerCheckpoint()).toBe(1);
    expect(out.committed).toHaveLength(60);
    await first.cancel({ withCheckpoint: false });
    expect((await first.result).status).toBe('cancelled');

    release(g);
    const second = await job({
      storage: dir,
      source: new CounterSource({ limit: 100, log }),
      sink: new CommittingSink(out),
    }).execute('resume');
    expect(log).toContain('init restored=true id=1 offset=60');
    expect(second.restoredCheckpointId).toBe(1);
    expect(second.lastCheckpointId).toBe(2);
    expect(out.committed).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it("starts fresh with restore 'none' and still numbers checkpoints after existing ones", async () => {
    const out = { committed: [] as number[], seen: [] as number[], log: [] as string[] };
    await job({ storage: dir, source: new CounterSource({ limit: 5, log: [] }), sink: new CommittingSink(out) }).execute('ids');
    const env = job({ storage: dir, source: new CounterSource({ limit: 5, log: [] }), sink: new CommittingSink(out) });
    env.getCheckpointConfig().setRestore('none');
    const result = await env.execute('ids');
    expect(result.restoredCheckpointId).toBeUndefined();
    expect(result.lastCheckpointId).toBe(2);
    expect(out.committed).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
  });

  it('restores an explicit chk-<n> path, continuing ids after the newest checkpoint', async () => {
    const out = { committed: [] as number[], seen: [] as number[], log: [] as string[] };
    const log: string[] = [];
    const first = job({ storage: dir, source: new CounterSource({ limit: 7, log }), sink: new CommittingSink(out) });
    first.getCheckpointConfig().setMaxRetainedCheckpoints(3);
    await first.execute('by-path');
    const second = job({ storage: dir, source: new CounterSource({ limit: 9, log }), sink: new CommittingSink(out) });
    second.getCheckpointConfig().setMaxRetainedCheckpoints(3);
    await second.execute('by-path');
    const env = job({ storage: dir, source: new CounterSource({ limit: 9, log }), sink: new CommittingSink(out) });
    env.getCheckpointConfig().setRestore(join(dir, 'by-path', 'chk-1'));
    const result = await env.execute('by-path');
    expect(result.restoredCheckpointId).toBe(1);
    expect(result.lastCheckpointId).toBe(3);
    expect(log.filter((line) => line.startsWith('init'))).toEqual([
      'init restored=false id=undefined offset=0',
      'init restored=true id=1 offset=7',
      'init restored=true id=1 offset=7',
    ]);
    expect(out.committed).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 7, 8]);
  });

  it('fails the job when a snapshot throws, naming operator, subtask and checkpoint', async () => {
    const closed: string[] = [];
    const sink = {
      invoke() {},
      initializeState() {},
      snapshotState() {
        throw new RangeError('disk full');
      },
      close: () => void closed.push('sink'),
    };
    const env = StreamExecutionEnvironment.create();
    env.enableCheckpointing(60_000).getCheckpointConfig().setCheckpointStorage(new InMemoryCheckpointStorage());
    env.addSource(new CounterSource({ limit: 5, log: [] })).uid('counter').addSink(sink).uid('sink').name('files');
    const error = await env.execute('snapshot-fails').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: CoreErrorCode.JOB_TASK_FAILED, operator: 'sink', subtask: 0, checkpointId: 1 });
    expect((error as Error).message).toContain('snapshotState');
    expect((error as Error).cause).toBeInstanceOf(RangeError);
    expect(closed).toEqual(['sink']);
  });

  it('fails the job when notifyCheckpointComplete throws', async () => {
    const sink = {
      invoke() {},
      notifyCheckpointComplete() {
        throw new Error('commit refused');
      },
    };
    const env = StreamExecutionEnvironment.create();
    env.enableCheckpointing(60_000).getCheckpointConfig().setCheckpointStorage(new InMemoryCheckpointStorage());
    env.addSource(new CounterSource({ limit: 5, log: [] })).uid('counter').addSink(sink);
    await expect(env.execute('notify-fails')).rejects.toMatchObject({
      code: CoreErrorCode.JOB_TASK_FAILED,
      checkpointId: 1,
    });
  });

  it('takes the final checkpoint only when every source of the job has finished', async () => {
    const a = { committed: [] as number[], seen: [] as number[], log: [] as string[] };
    const b = { committed: [] as number[], seen: [] as number[], log: [] as string[] };
    const slow = gate();
    const env = StreamExecutionEnvironment.create();
    env.enableCheckpointing(60_000).getCheckpointConfig().setCheckpointStorage(dir);
    env.addSource(new CounterSource({ limit: 5, log: [] })).uid('fast').addSink(new CommittingSink(a)).uid('sink-a');
    env
      .addSource(new CounterSource({ limit: 8, pauseAt: 4, gate: slow, log: [] }))
      .uid('slow')
      .addSink(new CommittingSink(b))
      .uid('sink-b');
    const handle = await env.executeAsync('two-sources');
    await waitFor('both pipelines running', () => a.seen.length === 5 && b.seen.length === 4);
    expect(await handle.triggerCheckpoint()).toBe(1); // the finished source still answers barriers
    expect(a.committed).toHaveLength(5);
    release(slow);
    const result = await handle.result;
    expect(result.lastCheckpointId).toBe(2);
    expect(b.committed).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('writes _metadata before notifying completion', async () => {
    const order: string[] = [];
    class RecordingStorage extends InMemoryCheckpointStorage {
      override async commitMetadata(path: string, bytes: Uint8Array): Promise<void> {
        order.push(`metadata ${path.split('chk-')[1]}`);
        await super.commitMetadata(path, bytes);
      }
    }
    const storage = new RecordingStorage();
    const out = { committed: [] as number[], seen: [] as number[], log: order };
    const handle = await job({ storage, source: new CounterSource({ limit: 50, pauseAt: 20, gate: gate(), log: [] }), sink: new CommittingSink(out) }).executeAsync('order');
    await handle.triggerCheckpoint();
    await handle.triggerCheckpoint();
    await handle.cancel({ withCheckpoint: false });
    expect(order).toEqual(['metadata 1', 'notify 1', 'metadata 2', 'notify 2']);
    expect(storage.events.at(-1)?.kind).toBe('discard');
  });

  it('fails with STATE_UNMATCHED_OPERATOR unless allowNonRestoredState', async () => {
    const out = { committed: [] as number[], seen: [] as number[], log: [] as string[] };
    await job({ storage: dir, source: new CounterSource({ limit: 3, log: [] }), sink: new CommittingSink(out) }).execute('unmatched');
    const build = () => {
      const env = StreamExecutionEnvironment.create();
      env.enableCheckpointing(60_000).getCheckpointConfig().setCheckpointStorage(dir);
      env.addSource(new CounterSource({ limit: 3, log: [] })).uid('counter').addSink({ invoke() {} });
      return env;
    };
    await expect(build().execute('unmatched')).rejects.toMatchObject({ code: CoreErrorCode.STATE_UNMATCHED_OPERATOR, operator: 'sink' });
    const env = build();
    env.getCheckpointConfig().setAllowNonRestoredState(true);
    await expect(env.execute('unmatched')).resolves.toMatchObject({ restoredCheckpointId: 1 });
  });

  it('aborts a checkpoint that times out, notifies aborted, and keeps running', async () => {
    const out = { committed: [] as number[], seen: [] as number[], log: [] as string[] };
    const warnings: unknown[] = [];
    const blocker = gate();
    const env = StreamExecutionEnvironment.create({ onWarning: (w) => warnings.push(w), channelCapacity: 2 });
    env.enableCheckpointing(60_000).getCheckpointConfig().setCheckpointStorage(new InMemoryCheckpointStorage()).setCheckpointTimeout(50);
    const sink = new CommittingSink(out);
    env
      .addSource(new CounterSource({ limit: 20, log: [] }))
      .uid('counter')
      .rebalance()
      .map(async (x: number) => {
        if (x === 3) await pass(blocker);
        return x;
      })
      .addSink(sink)
      .uid('sink');
    const handle = await env.executeAsync('timeout');
    await waitFor('3 records at the sink', () => out.seen.length === 3);
    await expect(handle.triggerCheckpoint()).rejects.toMatchObject({ code: CoreErrorCode.CHECKPOINT_TIMEOUT });
    expect(warnings).toHaveLength(1);
    release(blocker);
    // The notification runs in the sink's task after the record it is blocked on.
    await waitFor('the abort notification', () => out.log.includes('aborted 1'));
    const result = await handle.result;
    expect(result.lastCheckpointId).toBe(2);
    expect(out.committed).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('cancel with checkpoint takes a final checkpoint so sinks commit everything seen', async () => {
    const out = { committed: [] as number[], seen: [] as number[], log: [] as string[] };
    const closed: string[] = [];
    const sink = Object.assign(new CommittingSink(out), { close: () => void closed.push('sink') });
    const handle = await job({
      storage: dir,
      source: new CounterSource({ limit: 1_000_000, pauseAt: 40, gate: gate(), log: [] }),
      sink,
    }).executeAsync('graceful');
    await waitFor('40 records at the sink', () => out.seen.length === 40);
    await handle.cancel();
    const result = await handle.result;
    expect(result.status).toBe('cancelled');
    expect(result.lastCheckpointId).toBe(1);
    expect(out.committed).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(closed).toEqual(['sink']);
  });
});

describe('rescale restore', () => {
  it('redistributes list state evenly and union state to all, 2 -> 3', async () => {
    const seen = new Map<number, { split: number[]; union: number[]; restored: boolean }>();
    class StateSource implements Source<number> {
      split: ListState<number> | undefined;
      union: ListState<number> | undefined;
      restored = false;
      initializeState(context: FunctionInitializationContext): void {
        this.restored = context.isRestored;
        this.split = context.operatorStateStore.getListState({ name: 'split', type: numbers });
        this.union = context.operatorStateStore.getUnionListState({ name: 'union', type: numbers });
      }
      open(context: RuntimeContext): void {
        const index = context.subtaskIndex;
        seen.set(index, { split: this.split?.get() ?? [], union: this.union?.get() ?? [], restored: this.restored });
        if (!this.restored) {
          this.split?.update(index === 0 ? [1, 2, 3] : [4, 5, 6, 7]);
          this.union?.update([10 + index]);
        }
      }
      snapshotState(): void {}
      async run(): Promise<void> {}
      cancel(): void {}
    }
    const run = async (parallelism: number) => {
      const env = StreamExecutionEnvironment.create({ parallelism });
      env.enableCheckpointing(60_000).getCheckpointConfig().setCheckpointStorage(dir);
      env.addSource(new StateSource()).uid('state').addSink({ invoke() {} });
      return env.execute('rescale');
    };
    await run(2);
    seen.clear();
    await run(3);
    expect([0, 1, 2].map((i) => seen.get(i))).toEqual([
      { split: [1, 2, 3], union: [10, 11], restored: true },
      { split: [4, 5], union: [10, 11], restored: true },
      { split: [6, 7], union: [10, 11], restored: true },
    ]);
  });
});

describe('process signals', () => {
  it('cancelOnSignals cancels the job on SIGTERM and removes its listener when the job ends', async () => {
    const out = { committed: [] as number[], seen: [] as number[], log: [] as string[] };
    const before = process.listenerCount('SIGTERM');
    const handle = await job({
      storage: dir,
      source: new CounterSource({ limit: 1_000_000, pauseAt: 10, gate: gate(), log: [] }),
      sink: new CommittingSink(out),
    }).executeAsync('signals');
    handle.cancelOnSignals(['SIGTERM']);
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    await waitFor('10 records at the sink', () => out.seen.length === 10);
    process.emit('SIGTERM');
    const result = await handle.result;
    expect(result.status).toBe('cancelled');
    expect(out.committed).toHaveLength(10);
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });

  it('a second signal aborts a graceful stop that cannot finish', async () => {
    const out = { committed: [] as number[], seen: [] as number[], log: [] as string[] };
    const stuck = gate();
    const env = StreamExecutionEnvironment.create({ channelCapacity: 2 });
    env.enableCheckpointing(60_000).getCheckpointConfig().setCheckpointStorage(dir).setCheckpointTimeout(600_000);
    env
      .addSource(new CounterSource({ limit: 1_000_000, log: [] }))
      .uid('counter')
      .rebalance()
      .map(async (x: number) => {
        if (x === 5) await pass(stuck); // the final barrier can never get through
        return x;
      })
      .addSink(new CommittingSink(out))
      .uid('sink');
    const handle = await env.executeAsync('second-signal');
    handle.cancelOnSignals(['SIGUSR2']);
    await waitFor('5 records at the sink', () => out.seen.length === 5);
    process.emit('SIGUSR2');
    process.emit('SIGUSR2');
    const result = await handle.result;
    expect(result.status).toBe('cancelled');
    expect(result.lastCheckpointId).toBeUndefined();
    expect(out.committed).toEqual([]);
  });
});
