// Barrier alignment on a task with several input channels (exactly-once): the state of every
// checkpoint is consistent across operators, i.e. the counting operator's count equals the sum of
// the offsets the sources stored in the same checkpoint.
import { describe, expect, it } from 'vitest';
import type { RuntimeContext, Source, SourceContext } from '../src/api/functions.js';
import type { FunctionInitializationContext, FunctionSnapshotContext, ListState } from '../src/api/state.js';
import { CheckpointingMode } from '../src/datastream/checkpoint-config.js';
import { StreamExecutionEnvironment } from '../src/datastream/stream-execution-environment.js';
import { InMemoryCheckpointStorage } from '../src/runtime/in-memory-checkpoint-storage.js';
import { numbers } from './helpers/numbers.js';

type Snap = { id: number; uid: string; subtask: number; value: number };

class OffsetSource implements Source<number> {
  offset = 0;
  index = -1;
  state: ListState<number> | undefined;
  // Function objects are copied per subtask (fields deep-copied), so the log is reached through a closure.
  constructor(private readonly options: { limit: number; record: (snap: Snap) => void }) {}
  initializeState(context: FunctionInitializationContext): void {
    this.state = context.operatorStateStore.getListState({ name: 'offset', type: numbers });
  }
  open(context: RuntimeContext): void {
    this.index = context.subtaskIndex;
  }
  snapshotState(context: FunctionSnapshotContext): void {
    this.state?.update([this.offset]);
    this.options.record({ id: context.checkpointId, uid: 'src', subtask: this.index, value: this.offset });
  }
  async run(ctx: SourceContext<number>): Promise<void> {
    while (this.offset < this.options.limit) {
      const wait = ctx.collect(this.offset);
      this.offset += 1;
      if (wait) await wait;
      if (this.offset % 7 === this.index) await new Promise((r) => setImmediate(r));
    }
  }
  cancel(): void {}
}

describe('barrier alignment', () => {
  it('keeps every checkpoint consistent across a 2 -> 1 exchange (exactly-once)', async () => {
    const snaps: Snap[] = [];
    const env = StreamExecutionEnvironment.create({ parallelism: 2, channelCapacity: 8 });
    env
      .enableCheckpointing(2, CheckpointingMode.EXACTLY_ONCE)
      .getCheckpointConfig()
      .setCheckpointStorage(new InMemoryCheckpointStorage());
    const counter = {
      count: 0,
      state: undefined as ListState<number> | undefined,
      initializeState(context: FunctionInitializationContext) {
        this.state = context.operatorStateStore.getListState({ name: 'count', type: numbers });
      },
      snapshotState(context: FunctionSnapshotContext) {
        this.state?.update([this.count]);
        snaps.push({ id: context.checkpointId, uid: 'count', subtask: 0, value: this.count });
      },
      // Asynchronous, so the sources run between two records of the counting task.
      async map(value: number) {
        this.count += 1;
        await new Promise((r) => setImmediate(r));
        return value;
      },
    };
    env
      .addSource(new OffsetSource({ limit: 3000, record: (snap) => snaps.push(snap) }))
      .uid('src')
      .rebalance()
      .map(counter)
      .uid('count')
      .setParallelism(1)
      .addSink({ invoke() {} })
      .setParallelism(1);
    const result = await env.execute('aligned');
    const ids = [...new Set(snaps.map((s) => s.id))];
    expect(ids.length).toBeGreaterThan(1);
    expect(result.lastCheckpointId).toBe(ids.at(-1));
    for (const id of ids) {
      const sources = snaps.filter((s) => s.id === id && s.uid === 'src');
      const count = snaps.find((s) => s.id === id && s.uid === 'count');
      expect(sources).toHaveLength(2);
      expect(count?.value, `checkpoint ${id}`).toBe(sources.reduce((sum, s) => sum + s.value, 0));
    }
    expect(snaps.find((s) => s.id === ids.at(-1) && s.uid === 'count')?.value).toBe(6000);
  });
});
