/**
 * The keyed benchmark's job as a pipeline module (so that task threads can build it too):
 * numbers (parallelism of the environment) → keyBy (x mod keys, number keys) → per-key sum in a
 * ValueState → discarding sink.
 */
import { DiscardingSink, Types } from '@sluice/core';
import type {
  Collector,
  KeyedProcessContext,
  KeyedProcessFunction,
  KeyedRuntimeContext,
  StreamExecutionEnvironment,
  ValueState,
} from '@sluice/core';
import { NumberSource } from './number-source.js';

/** What the keyed pipeline is given. */
export interface KeyedPipelineArgs {
  /** Records each source subtask emits. */
  readonly recordsPerSubtask: number;
  readonly keys: number;
}

class SumPerKey implements KeyedProcessFunction<number, number, number> {
  private sum: ValueState<number> | undefined;
  open(context: KeyedRuntimeContext): void {
    this.sum = context.getState({ name: 'sum', type: Types.number(), defaultValue: 0 });
  }
  processElement(value: number, _ctx: KeyedProcessContext<number>, out: Collector<number>): void {
    const next = (this.sum?.value() ?? 0) + value;
    this.sum?.update(next);
    out.collect(next);
  }
}

/** Declares the keyed benchmark's operators on `env`. */
export function keyedPipeline(env: StreamExecutionEnvironment, args: KeyedPipelineArgs): void {
  const keys = args.keys;
  env
    .addSource(new NumberSource(args.recordsPerSubtask))
    .uid('numbers')
    .keyBy((x: number) => x % keys, Types.number())
    .process(new SumPerKey())
    .uid('sum')
    .addSink(new DiscardingSink<number>())
    .uid('discard');
}
