/**
 * The {@link FileOutput} of {@link WebHdfsFileSystem}: batched appends. WebHDFS has no
 * flush/hflush/hsync: every CREATE or APPEND request opens a DataNode stream, writes and closes it
 * (~45-90 ms per APPEND on an idle cluster, ~450 ms with Hadoop's default
 * `dfs.client.block.write.locateFollowingBlock.initial.delay.ms`). So writes are buffered and sent
 * as one APPEND when the buffer passes `appendBufferBytes`, or on flush.
 */
import { FileSystemError, HdfsErrorCode } from '../errors.js';
import { BufferedFileOutput } from '../filesystem/buffered-file-output.js';
import type { BufferedFileOutputOptions } from '../filesystem/buffered-file-output.js';
import { isAmbiguousWriteError } from './webhdfs-client.js';
import type { WebHdfsClient } from './webhdfs-client.js';

/** How many times an ambiguous APPEND failure is resolved and the rest re-sent. */
const MAX_RESYNCS = 5;

/** @internal Options of a {@link WebHdfsFileOutput}. */
export interface WebHdfsFileOutputOptions extends BufferedFileOutputOptions {
  readonly client: WebHdfsClient;
  /** Called after each APPEND with bytes and milliseconds (metrics). */
  readonly onAppend?: (bytes: number, ms: number) => void;
}

/** @internal A batched-append writer for one HDFS file: each batch is one APPEND, durable once sent. */
export class WebHdfsFileOutput extends BufferedFileOutput {
  private readonly client: WebHdfsClient;
  private readonly onAppend: ((bytes: number, ms: number) => void) | undefined;
  /** Whether the file may hold a prefix of the pending bytes (an APPEND's outcome is unknown). */
  private uncertain = false;

  constructor(options: WebHdfsFileOutputOptions) {
    super(options);
    this.client = options.client;
    this.onAppend = options.onAppend;
  }

  /** Sends `batch` as one APPEND. */
  protected async writeBatch(batch: Buffer): Promise<void> {
    const started = Date.now();
    await this.appendResolvingAmbiguity(batch);
    this.onAppend?.(batch.length, Date.now() - started);
  }

  /** An APPEND is durable once it returned: nothing more to do. */
  protected async sync(): Promise<void> {}

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
    this.written = length;
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
    this.written = this.durable;
    this.uncertain = false;
    return rest.subarray(landed);
  }
}
