/**
 * Writers of the BucketingSink (Flink 1.6's `Writer`): how elements become bytes in a part file.
 */
import type { FileOutput, FileSystem } from '../../filesystem/file-system.js';

/** Writes elements into one part file at a time (Flink 1.6's `Writer`). */
export interface Writer<TIn> {
  /** Creates (never overwrites) the file at `path` and opens it. */
  open(fs: FileSystem, path: string): Promise<void>;
  /** Writes one element. */
  write(element: TIn): Promise<void>;
  /** Makes everything written durable and returns the valid length. */
  flush(): Promise<number>;
  /** Bytes written so far (buffered ones included). */
  getPos(): number;
  /** Flushes and closes the file. */
  close(): Promise<void>;
  /** A fresh, unopened writer with the same settings (one per bucket). */
  duplicate(): Writer<TIn>;
}

/** Shared part of the stream writers: one {@link FileOutput}. */
abstract class StreamWriterBase<TIn> implements Writer<TIn> {
  private output: FileOutput | undefined;

  async open(fs: FileSystem, path: string): Promise<void> {
    if (this.output !== undefined && !this.output.closed) throw new Error(`writer is already open on ${this.output.path}`);
    this.output = await fs.create(path);
  }

  write(element: TIn): Promise<void> {
    return this.opened().write(this.encode(element));
  }

  flush(): Promise<number> {
    return this.opened().flush();
  }

  getPos(): number {
    return this.output?.position ?? 0;
  }

  async close(): Promise<void> {
    const output = this.output;
    this.output = undefined;
    await output?.close();
  }

  abstract duplicate(): Writer<TIn>;

  /** The bytes of one element. */
  protected abstract encode(element: TIn): Uint8Array | string;

  private opened(): FileOutput {
    if (this.output === undefined) throw new Error('writer is not open');
    return this.output;
  }
}

/** Flink 1.6's `StringWriter`: `String(element)` and `'\n'`, UTF-8. */
export class StringWriter<TIn = unknown> extends StreamWriterBase<TIn> {
  duplicate(): StringWriter<TIn> {
    return new StringWriter<TIn>();
  }

  protected encode(element: TIn): string {
    return `${String(element)}\n`;
  }
}

/** Options of {@link BytesWriter}. */
export interface BytesWriterOptions {
  /**
   * Bytes written after each element.
   * @defaultValue `'\n'` (one newline byte)
   */
  readonly separator?: Uint8Array | string;
}

/** Writes each element's bytes followed by a separator. */
export class BytesWriter extends StreamWriterBase<Uint8Array> {
  private readonly separator: Uint8Array;

  constructor(options: BytesWriterOptions = {}) {
    super();
    const separator = options.separator ?? '\n';
    this.separator = typeof separator === 'string' ? Buffer.from(separator, 'utf8') : separator;
  }

  duplicate(): BytesWriter {
    return new BytesWriter({ separator: this.separator });
  }

  protected encode(element: Uint8Array): Uint8Array {
    return Buffer.concat([element, this.separator]);
  }
}
