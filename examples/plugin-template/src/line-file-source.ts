/**
 * `LineFileSource`: a replayable source built on `@sluice/core`'s public API only. It emits the
 * lines of local text files and keeps, per file, the byte offset of the next line in operator
 * state, so a restarted job continues exactly after the last line of its latest checkpoint.
 */
import { open } from 'node:fs/promises';
import { Types } from '@sluice/core';
import type {
  CheckpointedFunction,
  FunctionInitializationContext,
  ListState,
  RichFunction,
  RuntimeContext,
  Source,
  SourceContext,
} from '@sluice/core';

/** Options of {@link LineFileSource.create}. */
export interface LineFileSourceOptions {
  /** Files to read; file i goes to subtask `i mod parallelism`. */
  readonly paths: readonly string[];
  /**
   * Pause 1 ms after every this many lines (0 = never), so a demo or test job runs long enough
   * to be killed mid-way.
   * @defaultValue `0`
   */
  readonly pauseEvery?: number;
}

/** The state element: where the next line of `path` starts. */
const FileOffset = Types.row({ path: Types.string(), offset: Types.safeInteger() });

const CHUNK = 64 * 1024;

/**
 * Emits each line (without its `\n`) of every file once; ends when all its files are read.
 *
 * The offsets are **union** list state: on restore every subtask sees every file's offset and
 * keeps those of the files it owns at the new parallelism, so the job can be rescaled.
 */
export class LineFileSource implements Source<string>, CheckpointedFunction, RichFunction {
  private readonly offsets = new Map<string, number>();
  private state: ListState<{ path: string; offset: number }> | undefined;
  private mine: string[] = [];
  private running = true;

  private constructor(private readonly options: LineFileSourceOptions) {}

  /** A source over `options.paths`; validates the options. */
  static create(options: LineFileSourceOptions): LineFileSource {
    if (options.paths.length === 0) throw new RangeError('LineFileSource: paths must name at least one file.');
    const pauseEvery = options.pauseEvery ?? 0;
    if (!Number.isSafeInteger(pauseEvery) || pauseEvery < 0) {
      throw new RangeError(`LineFileSource: pauseEvery must be an integer ≥ 0, got ${String(options.pauseEvery)}.`);
    }
    return new LineFileSource({ ...options, pauseEvery });
  }

  initializeState(context: FunctionInitializationContext): void {
    this.state = context.operatorStateStore.getUnionListState({ name: 'file-offsets', type: FileOffset });
    if (context.isRestored) {
      for (const { path, offset } of this.state.get()) this.offsets.set(path, offset);
    }
  }

  open(context: RuntimeContext): void {
    this.mine = this.options.paths.filter((_, i) => i % context.parallelism === context.subtaskIndex);
  }

  snapshotState(): void {
    // Only this subtask's files: the union of all subtasks' lists covers every file once.
    this.state?.update(this.mine.map((path) => ({ path, offset: this.offsets.get(path) ?? 0 })));
  }

  async run(context: SourceContext<string>): Promise<void> {
    let emitted = 0;
    for (const path of this.mine) {
      const file = await open(path, 'r');
      try {
        let offset = this.offsets.get(path) ?? 0;
        let pending = Buffer.alloc(0);
        let readAt = offset;
        while (this.running) {
          const chunk = Buffer.alloc(CHUNK);
          const { bytesRead } = await file.read(chunk, 0, CHUNK, readAt);
          if (bytesRead === 0) break;
          readAt += bytesRead;
          pending = Buffer.concat([pending, chunk.subarray(0, bytesRead)]);
          let newline = pending.indexOf(0x0a);
          while (newline >= 0 && this.running) {
            const line = pending.subarray(0, newline).toString('utf8');
            pending = pending.subarray(newline + 1);
            // Emit and advance the offset in one synchronous step: a checkpoint always sees both or neither.
            offset += newline + 1;
            const pressure = context.collect(line);
            this.offsets.set(path, offset);
            if (pressure !== undefined) await pressure;
            emitted += 1;
            const pauseEvery = this.options.pauseEvery ?? 0;
            if (pauseEvery > 0 && emitted % pauseEvery === 0) await new Promise((resolve) => setTimeout(resolve, 1));
            newline = pending.indexOf(0x0a);
          }
        }
      } finally {
        await file.close();
      }
      if (!this.running) return;
    }
  }

  cancel(): void {
    this.running = false;
  }
}
