/**
 * The {@link FileOutput} of {@link WebHdfsFileSystem}: batched appends. WebHDFS has no
 * flush/hflush/hsync: every CREATE or APPEND request opens a DataNode stream, writes and closes it
 * (~45-90 ms per APPEND on an idle cluster, ~450 ms with Hadoop's default
 * `dfs.client.block.write.locateFollowingBlock.initial.delay.ms`). So writes are buffered and sent
 * as one APPEND when the buffer passes `appendBufferBytes`, or on flush.
 */
import { FileSystemError, HdfsErrorCode } from '../errors.js';
import type { FileOutput } from '../filesystem/file-system.js';
import { isAmbiguousWriteError } from './webhdfs-client.js';
import type { WebHdfsClient } from './webhdfs-client.js';

/** How many times an ambiguous APPEND failure is resolved and the rest re-sent. */
const MAX_RESYNCS = 5;

/** @internal Options of a {@link WebHdfsFileOutput}. */
export interface WebHdfsFileOutputOptions {
  readonly client: WebHdfsClient;
  readonly path: string;
  /** The file's length when opened. */
  readonly length: number;
  /** Buffer threshold in bytes. */
  readonly bufferBytes: number;
  /** Called after each APPEND with bytes and milliseconds (metrics). */
  readonly onAppend?: (bytes: number, ms: number) => void;
}

/** @internal A batched-append writer for one HDFS file. */
export class WebHdfsFileOutput implements FileOutput {
  readonly path: string;
  private readonly client: WebHdfsClient;
  private readonly bufferBytes: number;
  private readonly onAppend: ((bytes: number, ms: number) => void) | undefined;
  private durable: number;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private state: 'open' | 'closed' | 'failed' = 'open';
  /** Whether the file may hold a prefix of the pending bytes (an APPEND's outcome is unknown). */
  private uncertain = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: WebHdfsFileOutputOptions) {
    this.client = options.client;
    this.path = options.path;
    this.durable = options.length;
    this.bufferBytes = options.bufferBytes;
    this.onAppend = options.onAppend;
  }

  get position(): number {
    return this.durable + this.buffered;
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
    return this.enqueue(() => this.send());
  }

  flush(): Promise<number> {
    const closed = this.closedError('flush');
    if (closed) return Promise.reject(closed);
    return this.enqueue(async () => {
      await this.send();
      return this.durable;
    });
  }

  async close(): Promise<number> {
    if (this.state !== 'open') {
      await this.queue.catch(() => undefined);
      return this.durable;
    }
    try {
      return await this.enqueue(async () => {
        await this.send();
        return this.durable;
      });
    } finally {
      this.state = 'closed';
    }
  }

  async abort(): Promise<void> {
    this.state = 'closed';
    this.chunks = [];
    this.buffered = 0;
    await this.queue.catch(() => undefined);
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private closedError(what: string): FileSystemError | undefined {
    if (this.state === 'open') return undefined;
    return new FileSystemError(
      `${what} on ${this.path}: the output is ${this.state === 'failed' ? 'failed' : 'closed'}. Open the file again with append().`,
      { code: HdfsErrorCode.HDFS_OUTPUT_CLOSED, operation: what, path: this.path },
    );
  }

  /** Sends everything buffered as one APPEND. */
  private async send(): Promise<void> {
    if (this.buffered === 0) return;
    const batch = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.buffered);
    this.chunks = [];
    this.buffered = 0;
    const started = Date.now();
    const before = this.durable;
    try {
      await this.appendResolvingAmbiguity(batch);
    } catch (error) {
      // Keep the bytes not yet durable so a caller that retries flush() does not lose them.
      const unsent = batch.subarray(this.durable - before);
      this.chunks = [unsent, ...this.chunks];
      this.buffered += unsent.length;
      throw error;
    }
    this.onAppend?.(batch.length, Date.now() - started);
  }

  /**
   * Reads the file's length after a successful APPEND (WebHDFS answers APPEND with no length) and
   * makes it the durable length. It is `expected` unless bytes of a writer that died holding the
   * lease landed before ours; shorter means someone truncated the file under this writer.
   */
  private async adoptLength(expected: number): Promise<void> {
    const { length } = await this.client.getFileStatus(this.path);
    if (length < expected) {
      this.state = 'failed';
      throw new FileSystemError(
        `APPEND ${this.path}: after appending, the file is ${length} bytes but this writer expected at least ${expected}: ` +
          `another client truncated or replaced it. Only one writer may write a file; restore from the last checkpoint.`,
        { code: HdfsErrorCode.HDFS_IO, operation: 'APPEND', path: this.path, offset: length },
      );
    }
    this.durable = length;
  }

  /**
   * APPENDs `batch`. If a request failed after bytes may have reached the DataNode, the file may
   * hold a prefix of the pending bytes (HDFS keeps what it received), and the output is
   * "uncertain" until resolved: take the lease once with an empty APPEND (so the length is final),
   * read the length, and append only the rest. An uncertain state survives a failed flush, so a
   * retried flush resolves it first and never writes a byte twice.
   */
  private async appendResolvingAmbiguity(batch: Buffer): Promise<void> {
    let rest = batch;
    for (let attempt = 0; ; attempt++) {
      try {
        if (this.uncertain) {
          rest = await this.resync(rest);
          if (rest.length === 0) return;
        }
        this.uncertain = true;
        await this.client.append(this.path, rest);
        await this.adoptLength(this.durable + rest.length);
        this.uncertain = false;
        return;
      } catch (error) {
        if (!isAmbiguousWriteError(error) || attempt >= MAX_RESYNCS) throw error;
      }
    }
  }

  /** Resolves an uncertain state; returns the part of `rest` that did not land. */
  private async resync(rest: Buffer): Promise<Buffer> {
    await this.client.append(this.path, new Uint8Array(0));
    const { length } = await this.client.getFileStatus(this.path);
    const landed = length - this.durable;
    if (landed < 0 || landed > rest.length) {
      this.state = 'failed';
      throw new FileSystemError(
        `APPEND ${this.path}: after an interrupted append the file is ${length} bytes, but this writer expected ` +
          `between ${this.durable} and ${this.durable + rest.length}: another writer changed it. ` +
          `Only one writer may write a file; restore from the last checkpoint.`,
        { code: HdfsErrorCode.HDFS_IO, operation: 'APPEND', path: this.path, offset: length },
      );
    }
    this.durable += landed;
    this.uncertain = false;
    return rest.subarray(landed);
  }
}
