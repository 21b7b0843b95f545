/** The bounded, checkpointed number source of the runtime and file benchmarks. */
import { Types } from '@sluice/core';
import type { FunctionInitializationContext, ListState, Source, SourceContext } from '@sluice/core';

/** How often (in records) the source yields to the event loop. */
export const YIELD_EVERY = 1024;

/** Emits the numbers 0 … count − 1, yielding to the event loop every {@link YIELD_EVERY} records; the offset is checkpointed in list state. */
export class NumberSource implements Source<number> {
  private offset = 0;
  private running = true;
  private state: ListState<number> | undefined;
  constructor(private readonly count: number) {}
  initializeState(context: FunctionInitializationContext): void {
    this.state = context.operatorStateStore.getListState({ name: 'offset', type: Types.number() });
    this.offset = this.state.get()[0] ?? 0;
  }
  snapshotState(): void {
    this.state?.update([this.offset]);
  }
  async run(ctx: SourceContext<number>): Promise<void> {
    while (this.running && this.offset < this.count) {
      const wait = ctx.collect(this.offset);
      this.offset += 1;
      if (wait !== undefined) await wait;
      if (this.offset % YIELD_EVERY === 0)
        await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
  cancel(): void {
    this.running = false;
  }
}
