// Flink's `DataStream.print()` (PrintSinkFunction) as a plain Sink: core has no print() yet.
import type { RichFunction, RuntimeContext, Sink } from '@sluice/core';

/** Options of {@link PrintSink}. */
export interface PrintSinkOptions {
  /**
   * Prefix of every line, as Flink's `print(sinkIdentifier)`.
   * @defaultValue none
   */
  readonly identifier?: string;
  /**
   * Where lines go.
   * @defaultValue `process.stdout`
   */
  readonly write?: (line: string) => void;
}

/**
 * Prints each record on its own line, like Flink's `PrintSinkFunction`: `String(record)`, prefixed
 * with `<subtask>> ` (1-based) when the sink runs with parallelism > 1, and with `<identifier>:`.
 */
export class PrintSink<TRecord> implements Sink<TRecord>, RichFunction {
  private prefix = '';

  constructor(private readonly options: PrintSinkOptions = {}) {}

  open(context: RuntimeContext): void {
    const subtask = context.parallelism > 1 ? `${context.subtaskIndex + 1}> ` : '';
    this.prefix = this.options.identifier === undefined ? subtask : `${this.options.identifier}:${subtask === '' ? ' ' : subtask}`;
  }

  invoke(record: TRecord): void {
    const line = `${this.prefix}${String(record)}`;
    if (this.options.write === undefined) process.stdout.write(`${line}\n`);
    else this.options.write(line);
  }
}
