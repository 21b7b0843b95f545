// Invariant 2: a source's snapshot equals exactly what it has emitted. A source that awaits
// back-pressure promises and other things at random, with checkpoints triggered at random moments:
// in every checkpoint, the offset the source stored equals the number of records the downstream
// counter had seen when the barrier reached it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Source, SourceContext } from '../src/api/functions.js';
import type { FunctionInitializationContext, FunctionSnapshotContext, ListState } from '../src/api/state.js';
import { StreamExecutionEnvironment } from '../src/datastream/stream-execution-environment.js';
import { InMemoryCheckpointStorage } from '../src/runtime/in-memory-checkpoint-storage.js';
import { numbers } from './helpers/numbers.js';

type Snap = { id: number; who: 'source' | 'counter'; value: number };

describe('source snapshots are atomic with emission', () => {
  it('stores exactly the emitted offset, chained or through an exchange', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 50, maxLength: 300 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 4 }),
        async (pauses, exchange, capacity) => {
          const snaps: Snap[] = [];
          const record = (snap: Snap) => snaps.push(snap);
          class PausingSource implements Source<number> {
            offset = 0;
            state: ListState<number> | undefined;
            initializeState(context: FunctionInitializationContext) {
              this.state = context.operatorStateStore.getListState({ name: 'offset', type: numbers });
            }
            snapshotState(context: FunctionSnapshotContext) {
              this.state?.update([this.offset]);
              record({ id: context.checkpointId, who: 'source', value: this.offset });
            }
            async run(ctx: SourceContext<number>) {
              for (const pause of pauses) {
                if (pause === 1) await new Promise((r) => setImmediate(r));
                if (pause === 2) await new Promise((r) => setTimeout(r, 0));
                const wait = ctx.collect(this.offset);
                if (pause === 3 && wait) {
                  await wait;
                  this.offset += 1; // "right after awaiting the promise it returned"
                } else {
                  this.offset += 1;
                  if (wait) await wait;
                }
              }
            }
            cancel() {}
          }
          const env = StreamExecutionEnvironment.create({ channelCapacity: capacity });
          env.enableCheckpointing(1).getCheckpointConfig().setCheckpointStorage(new InMemoryCheckpointStorage());
          const counter = {
            count: 0,
            state: undefined as ListState<number> | undefined,
            initializeState(context: FunctionInitializationContext) {
              this.state = context.operatorStateStore.getListState({ name: 'count', type: numbers });
            },
            snapshotState(context: FunctionSnapshotContext) {
              this.state?.update([this.count]);
              record({ id: context.checkpointId, who: 'counter', value: this.count });
            },
            async map(value: number) {
              this.count += 1;
              if (value % 2 === 0) await new Promise((r) => setTimeout(r, 0));
              return value;
            },
          };
          const source = env.addSource(new PausingSource()).uid('src');
          (exchange ? source.rebalance() : source).map(counter).uid('count').addSink({ invoke() {} });
          await env.execute('atomic');
          const ids = [...new Set(snaps.map((s) => s.id))];
          for (const id of ids) {
            const src = snaps.find((s) => s.id === id && s.who === 'source');
            const cnt = snaps.find((s) => s.id === id && s.who === 'counter');
            expect(cnt?.value, `checkpoint ${id}`).toBe(src?.value);
          }
          expect(snaps.at(-1)?.value).toBe(pauses.length);
        },
      ),
      { numRuns: 25, seed: 20261127 },
    );
  });
});
