/**
 * {@link FileSystem} on HDFS through WebHDFS (our own client, see webhdfs-client.ts).
 */
import { Readable } from 'node:stream';
import type { Counter } from '@sluice/core';
import { FileSystemError, HdfsErrorCode } from '../errors.js';
import type {
  CreateOptions,
  DeleteOptions,
  FileOutput,
  FileStatus,
  FileSystem,
  OpenOptions,
} from '../filesystem/file-system.js';
import { baseName, joinPath, normalizePath } from '../filesystem/paths.js';
import { WebHdfsClient } from './webhdfs-client.js';
import type { WebHdfsClientOptions, WebHdfsFileStatus } from './webhdfs-client.js';
import { WebHdfsFileOutput } from './webhdfs-file-output.js';

/** Options of a {@link WebHdfsFileSystem}. */
export interface WebHdfsFileSystemOptions extends WebHdfsClientOptions {
  /**
   * Bytes a {@link FileOutput} buffers before it sends them as one APPEND (each APPEND opens and
   * closes a DataNode stream, so small appends are slow). `flush()` sends earlier.
   * @defaultValue `4194304` (4 MiB)
   */
  readonly appendBufferBytes?: number;
}

function toStatus(path: string, s: WebHdfsFileStatus): FileStatus {
  return {
    path,
    name: baseName(path),
    type: s.type === 'DIRECTORY' ? 'directory' : s.type === 'SYMLINK' ? 'symlink' : 'file',
    length: s.type === 'DIRECTORY' ? 0 : s.length,
    modificationTime: s.modificationTime,
  };
}

/**
 * HDFS through WebHDFS. Creates never overwrite (`overwrite=false`), renames are commit renames
 * (`renameoptions=NONE`), truncate waits for block recovery, appends are batched.
 *
 * @example
 * ```ts
 * const fs = new WebHdfsFileSystem({ url: 'http://namenode:9870', user: 'etl' });
 * const out = await fs.create('/data/part-0-0.inprogress');
 * await out.write('hello\n');
 * const validLength = await out.flush();
 * ```
 */
export class WebHdfsFileSystem implements FileSystem {
  readonly scheme: string;
  readonly supportsTruncate = true;
  private readonly client: WebHdfsClient;
  private readonly bufferBytes: number;
  private readonly appends: Counter | undefined;

  constructor(options: WebHdfsFileSystemOptions) {
    const bufferBytes = options.appendBufferBytes ?? 4 * 1024 * 1024;
    if (!Number.isInteger(bufferBytes) || bufferBytes < 1) {
      throw new FileSystemError(
        `appendBufferBytes must be a positive integer, got ${String(bufferBytes)} (option appendBufferBytes).`,
        { code: HdfsErrorCode.HDFS_ILLEGAL_ARGUMENT, operation: 'configure', option: 'appendBufferBytes' },
      );
    }
    this.client = new WebHdfsClient(options);
    this.scheme = this.client.secure ? 'swebhdfs' : 'webhdfs';
    this.bufferBytes = bufferBytes;
    this.appends = options.metrics?.counter('appends');
  }

  async create(path: string, options: CreateOptions = {}): Promise<FileOutput> {
    const p = normalizePath(path, 'create');
    await this.client.create(p, new Uint8Array(0), options);
    return this.output(p, 0);
  }

  async append(path: string): Promise<FileOutput> {
    const p = normalizePath(path, 'append');
    const status = await this.client.getFileStatus(p);
    if (status.type !== 'FILE') throw this.wrongType('append', p, { what: 'a directory' });
    return this.output(p, status.length);
  }

  async writeFile(
    path: string,
    data: Uint8Array | string | AsyncIterable<Uint8Array> | Readable,
    options: CreateOptions = {},
  ): Promise<number> {
    const p = normalizePath(path, 'writeFile');
    if (typeof data === 'string' || data instanceof Uint8Array) {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      await this.client.create(p, bytes, options);
      return bytes.byteLength;
    }
    let length = 0;
    const source = data;
    const counted = Readable.from(
      (async function* () {
        for await (const chunk of source) {
          const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Uint8Array);
          length += buf.byteLength;
          yield buf;
        }
      })(),
    );
    await this.client.create(p, counted, options);
    return length;
  }

  async readFile(path: string, options: OpenOptions = {}): Promise<Uint8Array> {
    return this.client.readFile(normalizePath(path, 'readFile'), options);
  }

  async open(path: string, options: OpenOptions = {}): Promise<Readable> {
    return this.client.open(normalizePath(path, 'open'), options);
  }

  async rename(source: string, target: string): Promise<void> {
    let ok: boolean;
    try {
      ok = await this.client.rename(source, target, 'NONE');
    } catch (error) {
      // A file renamed onto an existing directory fails with a plain IOException on HDFS; report
      // every "target exists" case with the same code.
      if (
        error instanceof FileSystemError &&
        error.code === HdfsErrorCode.HDFS_IO &&
        (await this.exists(target).catch(() => false))
      ) {
        throw new FileSystemError(
          `rename ${source} → ${target}: the target exists and is never overwritten (${error.remoteException?.message.split('\n')[0] ?? error.message}). Choose another name, or delete the target first.`,
          { code: HdfsErrorCode.HDFS_FILE_ALREADY_EXISTS, operation: 'RENAME', path: source, cause: error },
        );
      }
      throw error;
    }
    if (!ok) {
      throw new FileSystemError(
        `rename ${source} → ${target}: HDFS answered false. Check that the source exists and the target's parent is a directory.`,
        { code: HdfsErrorCode.HDFS_IO, operation: 'rename', path: source },
      );
    }
  }

  async delete(path: string, options: DeleteOptions = {}): Promise<boolean> {
    return this.client.delete(normalizePath(path, 'delete'), options.recursive ?? false);
  }

  async mkdirs(path: string): Promise<void> {
    const p = normalizePath(path, 'mkdirs');
    let ok: boolean;
    try {
      ok = await this.client.mkdirs(p);
    } catch (error) {
      // HDFS reports a file in the way as FileAlreadyExists/ParentNotDirectory; name it as local disk does.
      if (error instanceof FileSystemError && error.code === HdfsErrorCode.HDFS_FILE_ALREADY_EXISTS) {
        throw this.wrongType('mkdirs', p, { what: 'a file (or has a file as an ancestor)', cause: error });
      }
      throw error;
    }
    if (!ok) throw this.wrongType('mkdirs', p, { what: 'not a directory' });
  }

  async list(path: string): Promise<FileStatus[]> {
    const p = normalizePath(path, 'list');
    const entries = await this.client.listStatus(p);
    return entries
      .map((e) => toStatus(e.pathSuffix === '' ? p : joinPath(p, e.pathSuffix), e))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async status(path: string): Promise<FileStatus> {
    const p = normalizePath(path, 'status');
    return toStatus(p, await this.client.getFileStatus(p));
  }

  async exists(path: string): Promise<boolean> {
    try {
      await this.status(path);
      return true;
    } catch (error) {
      if (error instanceof FileSystemError && error.code === HdfsErrorCode.HDFS_FILE_NOT_FOUND) return false;
      throw error;
    }
  }

  async truncate(path: string, length: number): Promise<void> {
    const p = normalizePath(path, 'truncate');
    if (!Number.isSafeInteger(length) || length < 0) {
      throw new FileSystemError(`truncate ${p}: length must be a non-negative integer, got ${length}.`, {
        code: HdfsErrorCode.HDFS_ILLEGAL_ARGUMENT,
        operation: 'truncate',
        path: p,
      });
    }
    await this.client.truncateAndWait(p, length);
  }

  async close(): Promise<void> {
    this.client.close();
  }

  private output(path: string, length: number): FileOutput {
    const appends = this.appends;
    return new WebHdfsFileOutput({
      client: this.client,
      path,
      length,
      bufferBytes: this.bufferBytes,
      ...(appends ? { onAppend: () => appends.inc() } : {}),
    });
  }

  private wrongType(operation: string, path: string, detail: { what: string; cause?: unknown }): FileSystemError {
    const { what, cause } = detail;
    return new FileSystemError(`${operation} ${path}: the path is ${what}. Check the path.`, {
      code: HdfsErrorCode.HDFS_WRONG_TYPE,
      operation,
      path,
      ...(cause !== undefined ? { cause } : {}),
    });
  }
}
