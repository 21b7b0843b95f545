/**
 * The buffering every {@link FileOutput} of this package shares: writes collect in memory and go
 * out as one batch when the buffer passes its threshold, or on flush; batches are written one at a
 * time, in order; bytes of a batch that did not get written stay buffered, so a retried flush sends
 * them and never writes a byte twice. Subclasses say how a batch is written and how written bytes
 * become durable.
 */
import { FileSystemError, HdfsErrorCode } from '../errors.js';
import type { FileOutput } from './file-system.js';

/** @internal Where a {@link BufferedFileOutput} starts. */
export interface BufferedFileOutputOptions {
  readonly path: string;
  /** The file's length when opened. */
  readonly length: number;
  /** Buffer threshold in bytes. */
  readonly bufferBytes: number;
}

/** @internal A buffered, ordered writer of one file; see the module comment. */
export abstract class BufferedFileOutput implements FileOutput {
  readonly path: string;
  /** Bytes of the file written out (durable or not). Subclasses advance it as bytes land. */
  protected written: number;
  /** Bytes of the file known to be durable. */
  protected durable: number;
  /** `failed` once the file changed under this writer; it cannot go on. */
  protected state: 'open' | 'closed' | 'failed' = 'open';
  private readonly bufferBytes: number;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private released: Promise<void> | undefined;

  constructor(options: BufferedFileOutputOptions) {
    this.path = options.path;
    this.written = options.length;
    this.durable = options.length;
    this.bufferBytes = options.bufferBytes;
  }

  get position(): number {
    return this.written + this.buffered;
  }

  get durableLength(): number {
    return this.durable;
  }

  get closed(): boolean {
    return this.state !== 'open';
  }

  write(data: Uint8Array | string): Promise<void> {
    const closed = this.closedError('write');
    if (closed) return Promise.reject(closed);
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
    this.chunks.push(buf);
    this.buffered += buf.length;
    if (this.buffered < this.bufferBytes) return Promise.resolve();
    return this.enqueue(() => this.drain());
  }

  flush(): Promise<number> {
    const closed = this.closedError('flush');
    if (closed) return Promise.reject(closed);
    return this.enqueue(() => this.flushNow());
  }

  async close(): Promise<number> {
    if (this.state !== 'open') {
      await this.queue.catch(() => undefined);
      return this.durable;
    }
    this.state = 'closed';
    try {
      return await this.enqueue(() => this.flushNow());
    } finally {
      await this.releaseOnce();
    }
  }

  async abort(): Promise<void> {
    if (this.state === 'open') this.state = 'closed';
    this.chunks = [];
    this.buffered = 0;
    await this.queue.catch(() => undefined);
    await this.releaseOnce();
  }

  /**
   * Writes `batch` after the bytes already written, advancing {@link written} by what landed (also
   * when it then fails part-way).
   */
  protected abstract writeBatch(batch: Buffer): Promise<void>;

  /** Makes every written byte durable and sets {@link durable}. */
  protected abstract sync(): Promise<void>;

  /** Releases what the output holds (a file handle); called once by close and abort. */
  protected async release(): Promise<void> {}

  private releaseOnce(): Promise<void> {
    this.released ??= this.release().catch(() => undefined);
    return this.released;
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async flushNow(): Promise<number> {
    await this.drain();
    await this.sync();
    return this.durable;
  }

  /** Writes everything buffered as one batch; what did not land stays buffered. */
  private async drain(): Promise<void> {
    if (this.buffered === 0) return;
    const batch = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.buffered);
    this.chunks = [];
    this.buffered = 0;
    const before = this.written;
    try {
      await this.writeBatch(batch);
    } catch (error) {
      const unsent = batch.subarray(this.written - before);
      this.chunks = [unsent, ...this.chunks];
      this.buffered += unsent.length;
      throw error;
    }
  }

  private closedError(what: string): FileSystemError | undefined {
    if (this.state === 'open') return undefined;
    return new FileSystemError(
      `${what} on ${this.path}: the output is ${this.state}. Open the file again with append().`,
      { code: HdfsErrorCode.HDFS_OUTPUT_CLOSED, operation: what, path: this.path },
    );
  }
}
