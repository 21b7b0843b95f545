/**
 * Flink's `PrintSinkFunction` (what `DataStream.print()` adds): every record on its own line of
 * standard output or standard error, for trying a job out and for debugging.
 */
import type { RichFunction, RuntimeContext, Sink } from './functions.js';

/** Options of a {@link PrintSinkFunction}. */
export interface PrintSinkOptions {
  /**
   * Put in front of every line, as Flink's `print(sinkIdentifier)`.
   * @defaultValue none
   */
  readonly sinkIdentifier?: string;
  /**
   * Print to standard error instead of standard output (Flink's `printToErr()`).
   * @defaultValue `false`
   */
  readonly stdErr?: boolean;
  /**
   * Where lines go instead (each without its newline); for tests and embedding.
   * @defaultValue writes `line + "\n"` to `process.stdout` (or `process.stderr` with `stdErr`)
   */
  readonly write?: (line: string) => void;
}

/**
 * Prints `String(record)` per line with Flink's prefix: `<subtask>> ` (1-based) when the sink runs
 * with parallelism above 1, `<sinkIdentifier>> ` with an identifier, `<sinkIdentifier>:<subtask>> `
 * with both, nothing otherwise.
 */
export class PrintSinkFunction<TRecord> implements Sink<TRecord>, RichFunction {
  private readonly options: PrintSinkOptions;
  private prefix = '';

  constructor(options: PrintSinkOptions = {}) {
    this.options = options;
  }

  open(context: RuntimeContext): void {
    this.prefix = printPrefix(this.options.sinkIdentifier ?? '', context);
  }

  invoke(record: TRecord): void {
    const line = this.prefix + String(record);
    if (this.options.write !== undefined) this.options.write(line);
    else (this.options.stdErr === true ? process.stderr : process.stdout).write(`${line}\n`);
  }
}

function printPrefix(identifier: string, context: RuntimeContext): string {
  const subtask = context.parallelism > 1 ? String(context.subtaskIndex + 1) : '';
  const prefix = identifier !== '' && subtask !== '' ? `${identifier}:${subtask}` : identifier + subtask;
  return prefix === '' ? '' : `${prefix}> `;
}
