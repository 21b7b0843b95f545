/**
 * The in-progress part file of one bucket: a row writer (resumable: its durable length goes into
 * checkpoints) or a bulk writer (not resumable: it rolls at every checkpoint).
 */
import type { FileOutput } from '../../filesystem/file-system.js';
import type { BulkWriter, BulkWriterFactory, Encoder } from './encoder.js';

/** Writes elements into one in-progress part file. */
export interface PartWriter<TIn> {
  /** The in-progress (hidden) path. */
  readonly path: string;
  /** Bytes written so far, buffered ones included (exact; a row writer measures collected text on demand). */
  readonly size: number;
  /**
   * Bytes handed to the file output so far (written or buffered by it): `size` without what the
   * writer itself still collects. Cheap to read.
   */
  readonly outputPosition: number;
  /** Whether `persist` can record a resumable position. */
  readonly resumable: boolean;
  /**
   * Writes one element. Returns nothing when the element was only collected in memory, or a
   * promise when it made the writer hand bytes to its output (wait for it before the next call).
   */
  write(element: TIn): void | Promise<void>;
  /** Makes everything written durable and returns the durable length. */
  persist(): Promise<number>;
  /** Finishes the file and returns its final length (it is then pending). */
  closeForCommit(): Promise<number>;
  /** Releases the file without finishing it (the data stays in the hidden file). */
  dispose(): Promise<void>;
}

/** Creates part writers over {@link FileOutput}s. */
export interface PartWriterFactory<TIn> {
  /** Whether parts can be resumed after a restore (row formats). */
  readonly resumable: boolean;
  /** Wraps a new, empty output. */
  open(output: FileOutput): Promise<PartWriter<TIn>>;
  /** Wraps an output appending to a restored in-progress part (row formats only). */
  resume(output: FileOutput): Promise<PartWriter<TIn>>;
}

/** Encoded text a row writer collects before handing it to its output in one write, in UTF-16 code units. */
const ROW_CHUNK_CHARS = 16 * 1024;
const DONE: Promise<void> = Promise.resolve();

/**
 * Row parts: encoded strings collect in one chunk that goes to the output in one write once it
 * holds {@link ROW_CHUNK_CHARS} characters (16 KiB of ASCII, at most 48 KiB of UTF-8), and before
 * every persist, close and binary element. So a small record costs no output write and no promise
 * (`write` returns nothing until a chunk is handed on), and no UTF-8 measuring until someone reads
 * `size` (a size-based rolling policy): from then on each record's bytes are counted as it comes.
 */
class RowPartWriter<TIn> implements PartWriter<TIn> {
  readonly resumable = true;
  /** Collected text, not yet handed to the output. */
  private text = '';
  /** Whether `size` was read: then {@link textBytes} is kept up to date. */
  private measuring = false;
  /** UTF-8 bytes of {@link text} (while {@link measuring}). */
  private textBytes = 0;
  constructor(
    private readonly output: FileOutput,
    private readonly encoder: Encoder<TIn>,
  ) {}

  get path(): string {
    return this.output.path;
  }

  get size(): number {
    if (!this.measuring) {
      this.measuring = true;
      this.textBytes = Buffer.byteLength(this.text, 'utf8');
    }
    return this.output.position + this.textBytes;
  }

  get outputPosition(): number {
    return this.output.position;
  }

  write(element: TIn): void | Promise<void> {
    const encoded = this.encoder.encode(element);
    if (typeof encoded !== 'string') return this.spill().then(() => this.output.write(encoded));
    this.text += encoded;
    if (this.measuring) this.textBytes += Buffer.byteLength(encoded, 'utf8');
    return this.text.length < ROW_CHUNK_CHARS ? undefined : this.spill();
  }

  persist(): Promise<number> {
    return this.spill().then(() => this.output.flush());
  }

  closeForCommit(): Promise<number> {
    return this.spill().then(() => this.output.close());
  }

  dispose(): Promise<void> {
    this.drop();
    return this.output.abort();
  }

  /** Hands the collected text to the output; the next output call waits for it. */
  private spill(): Promise<void> {
    const text = this.text;
    if (text === '') return DONE;
    this.drop();
    return this.output.write(text);
  }

  private drop(): void {
    this.text = '';
    this.textBytes = 0;
  }
}

class BulkPartWriter<TIn> implements PartWriter<TIn> {
  readonly resumable = false;
  constructor(
    private readonly output: FileOutput,
    private readonly writer: BulkWriter<TIn>,
  ) {}

  get path(): string {
    return this.output.path;
  }

  get size(): number {
    return this.output.position;
  }

  get outputPosition(): number {
    return this.output.position;
  }

  write(element: TIn): void | Promise<void> {
    return this.writer.addElement(element);
  }

  persist(): Promise<number> {
    return Promise.reject(new Error(`bulk part ${this.output.path} cannot be persisted mid-file; it rolls at every checkpoint`));
  }

  async closeForCommit(): Promise<number> {
    await this.writer.finish();
    return this.output.close();
  }

  dispose(): Promise<void> {
    return this.output.abort();
  }
}

/** Part writers of a row format. */
export function rowPartWriters<TIn>(encoder: Encoder<TIn>): PartWriterFactory<TIn> {
  return {
    resumable: true,
    open: (output) => Promise.resolve(new RowPartWriter(output, encoder)),
    resume: (output) => Promise.resolve(new RowPartWriter(output, encoder)),
  };
}

/** Part writers of a bulk format. */
export function bulkPartWriters<TIn>(factory: BulkWriterFactory<TIn>): PartWriterFactory<TIn> {
  return {
    resumable: false,
    open: async (output) => new BulkPartWriter(output, await factory.create(output)),
    resume: (output) =>
      Promise.reject(new Error(`bulk part ${output.path} cannot be resumed; bulk formats roll at every checkpoint`)),
  };
}
