import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RuntimeContext, Source, SourceContext } from './functions.js';
import { PrintSinkFunction } from './print-sink-function.js';
import { StreamExecutionEnvironment } from '../datastream/stream-execution-environment.js';

function context(subtaskIndex: number, parallelism: number): RuntimeContext {
  return { subtaskIndex, parallelism } as RuntimeContext;
}

function linesOf(options: { sinkIdentifier?: string }, ctx: RuntimeContext, records: unknown[]): string[] {
  const lines: string[] = [];
  const sink = new PrintSinkFunction<unknown>({ ...options, write: (line) => lines.push(line) });
  sink.open(ctx);
  for (const record of records) sink.invoke(record);
  return lines;
}

describe('PrintSinkFunction', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prefixes lines as Flink does: subtask (1-based) above parallelism 1, identifier, both', () => {
    expect(linesOf({}, context(0, 1), ['a', 1, { toString: () => 'obj' }])).toEqual(['a', '1', 'obj']);
    expect(linesOf({}, context(1, 3), ['a'])).toEqual(['2> a']);
    expect(linesOf({ sinkIdentifier: 'out' }, context(0, 1), ['a'])).toEqual(['out> a']);
    expect(linesOf({ sinkIdentifier: 'out' }, context(2, 3), ['a'])).toEqual(['out:3> a']);
  });

  it('DataStream.print() and printToErr() write one line per record to stdout and stderr', async () => {
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const source: Source<number> = {
      async run(ctx: SourceContext<number>) {
        for (const n of [1, 2, 3]) await ctx.collect(n);
      },
      cancel() {},
    };
    const env = StreamExecutionEnvironment.create();
    const numbers = env.addSource(source);
    numbers.print();
    numbers.map((n) => n * 10).printToErr('tens');
    await env.execute('print');
    expect(stdout.mock.calls.map(([text]) => text)).toEqual(['1\n', '2\n', '3\n']);
    expect(stderr.mock.calls.map(([text]) => text)).toEqual(['tens> 10\n', 'tens> 20\n', 'tens> 30\n']);
  });
});
