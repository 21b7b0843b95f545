import { describe, expect, it } from 'vitest';
import type { Source, SourceContext } from '../api/functions.js';
import type { FunctionInitializationContext, ListState } from '../api/state.js';
import { CoreErrorCode } from '../errors.js';
import { InMemoryCheckpointStorage } from '../runtime/in-memory-checkpoint-storage.js';
import { CheckpointingMode } from './checkpoint-config.js';
import { StreamExecutionEnvironment } from './stream-execution-environment.js';
import { numbers } from '../../test/helpers/numbers.js';

function rangeSource(count: number): Source<number> {
  return {
    async run(ctx: SourceContext<number>) {
      for (let i = 0; i < count; i += 1) {
        const wait = ctx.collect(i);
        if (wait) await wait;
      }
    },
    cancel() {},
  };
}

class StatefulSource implements Source<number> {
  state: ListState<number> | undefined;
  async run(ctx: SourceContext<number>) {
    const wait = ctx.collect(1);
    if (wait) await wait;
  }
  cancel() {}
  initializeState(context: FunctionInitializationContext) {
    this.state = context.operatorStateStore.getListState({ name: 'n', type: numbers });
  }
  snapshotState() {}
}

describe('StreamExecutionEnvironment', () => {
  it('runs source -> map -> filter -> sink', async () => {
    const env = StreamExecutionEnvironment.create();
    const out: number[] = [];
    env
      .addSource(rangeSource(10))
      .map((x) => x * 2)
      .filter((x) => x % 4 === 0)
      .addSink({ invoke: (v) => void out.push(v) });
    const result = await env.execute('simple');
    expect(out).toEqual([0, 4, 8, 12, 16]);
    expect(result.status).toBe('finished');
    expect(result.metrics['simple.auto-sink-3.0.numRecordsIn']).toBe(5);
  });

  it('gives the same output chained and through a rebalance exchange', async () => {
    const run = async (exchange: boolean) => {
      const env = StreamExecutionEnvironment.create({ parallelism: 2, channelCapacity: 4 });
      const out: number[] = [];
      const source = env.addSource(rangeSource(500));
      const mapped = (exchange ? source.rebalance() : source).map(async (x) => x + 1).setParallelism(exchange ? 3 : 2);
      mapped
        .flatMap<number>((x, collector) => {
          collector.collect(x);
          collector.collect(-x);
        })
        .filter((x) => x > 0)
        .addSink({ invoke: async (v) => void out.push(v) });
      await env.execute('same');
      return out.sort((a, b) => a - b);
    };
    const chained = await run(false);
    expect(chained).toHaveLength(1000);
    expect(await run(true)).toEqual(chained);
  });

  const invalid: [string, (env: StreamExecutionEnvironment) => void, string, string?][] = [
    ['interval ≤ 0', (env) => env.enableCheckpointing(0).getCheckpointConfig().setCheckpointStorage(new InMemoryCheckpointStorage()), CoreErrorCode.CONFIG_INVALID, 'checkpointInterval'],
    ['parallelism < 1', (env) => env.setParallelism(0), CoreErrorCode.CONFIG_INVALID, 'parallelism'],
    ['parallelism > max', (env) => env.setMaxParallelism(4).setParallelism(5), CoreErrorCode.CONFIG_INVALID, 'parallelism'],
    ['operator parallelism > max', (env) => env.setMaxParallelism(2), CoreErrorCode.CONFIG_INVALID, 'parallelism'],
    ['no storage', (env) => env.enableCheckpointing(100), CoreErrorCode.CONFIG_INVALID, 'checkpointStorage'],
    ['bad timeout', (env) => env.enableCheckpointing(100).getCheckpointConfig().setCheckpointStorage(new InMemoryCheckpointStorage()).setCheckpointTimeout(-1), CoreErrorCode.CONFIG_INVALID, 'checkpointTimeout'],
    ['bad retention', (env) => env.enableCheckpointing(100).getCheckpointConfig().setCheckpointStorage(new InMemoryCheckpointStorage()).setMaxRetainedCheckpoints(0), CoreErrorCode.CONFIG_INVALID, 'maxRetainedCheckpoints'],
    ['restore path not a checkpoint', (env) => env.getCheckpointConfig().setRestore('/nonexistent/chk-1'), CoreErrorCode.CHECKPOINT_NOT_FOUND],
  ];
  it.each(invalid)('rejects %s at execute', async (...[_label, configure, code, option]) => {
    const env = StreamExecutionEnvironment.create();
    env.addSource(rangeSource(1)).map((x) => x).setParallelism(3).addSink({ invoke() {} });
    if (_label !== 'operator parallelism > max') env.setMaxParallelism(128);
    configure(env);
    if (_label === 'parallelism > max') env.setMaxParallelism(4);
    const error = await env.execute('bad').catch((e: unknown) => e);
    expect(error).toMatchObject({ code, ...(option === undefined ? {} : { option }) });
  });

  it('rejects a stateful operator without uid', async () => {
    const env = StreamExecutionEnvironment.create();
    env.addSource(new StatefulSource()).addSink({ invoke() {} });
    await expect(env.execute('nouid')).rejects.toMatchObject({ code: CoreErrorCode.OPERATOR_UID_MISSING });
  });

  it('rejects duplicate uids', async () => {
    const env = StreamExecutionEnvironment.create();
    env.addSource(rangeSource(1)).uid('a').map((x) => x).uid('a').addSink({ invoke() {} });
    await expect(env.execute('dup')).rejects.toMatchObject({ code: CoreErrorCode.OPERATOR_UID_DUPLICATE });
  });

  it('fails the job with JOB_TASK_FAILED naming operator and subtask, closing every function', async () => {
    const env = StreamExecutionEnvironment.create({ parallelism: 2 });
    const closed: string[] = [];
    env
      .addSource(rangeSource(10))
      .map({
        map(x: number) {
          if (x === 5) throw new TypeError('boom');
          return x;
        },
        close() {
          closed.push('map');
        },
      })
      .name('parse')
      .uid('m')
      .addSink({ invoke() {}, close: () => void closed.push('sink') });
    const error = await env.execute('failing').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: CoreErrorCode.JOB_TASK_FAILED, operator: 'm', name: 'JobExecutionError' });
    expect((error as Error).message).toContain('"parse"');
    expect((error as Error).cause).toBeInstanceOf(TypeError);
    expect(closed.sort()).toEqual(['map', 'map', 'sink', 'sink']);
  });

  it('accepts CheckpointingMode values', () => {
    expect(CheckpointingMode).toEqual({ EXACTLY_ONCE: 'exactly-once', AT_LEAST_ONCE: 'at-least-once' });
  });
});
