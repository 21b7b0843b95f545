/**
 * The `FileSystem` abstraction the file sinks and the checkpoint storage are written against.
 * `LocalFileSystem` and `WebHdfsFileSystem` implement it; S3 or GCS can be added by implementing
 * the same interface. Paths are absolute `/`-separated strings.
 */
import type { Readable } from 'node:stream';

/** The type of a file-system entry. */
export type FileType = 'file' | 'directory' | 'symlink';

/** Status of a file or directory. */
export interface FileStatus {
  /** Absolute path of the entry. */
  readonly path: string;
  /** Last path segment. */
  readonly name: string;
  /** File, directory or symbolic link. */
  readonly type: FileType;
  /** Length in bytes (0 for directories). */
  readonly length: number;
  /** Last modification, milliseconds since the epoch. */
  readonly modificationTime: number;
}

/** Options of {@link FileSystem.create}. */
export interface CreateOptions {
  /**
   * Ask the file system to sync the file's blocks to disk when the data is written (WebHDFS
   * `createflag=CREATE,SYNC_BLOCK`; local files are always fsynced on flush).
   * @defaultValue `false`
   */
  readonly syncBlock?: boolean;
  /**
   * Block size in bytes (HDFS only; ignored elsewhere). HDFS requires a multiple of 512 of at least
   * `dfs.namenode.fs-limits.min-block-size` (1 MiB by default).
   * @defaultValue the server's `dfs.blocksize`
   */
  readonly blockSize?: number;
  /**
   * Replication factor (HDFS only).
   * @defaultValue the server's `dfs.replication`
   */
  readonly replication?: number;
  /**
   * Octal permission string such as `'644'`.
   * @defaultValue the server's default (`644` on HDFS; `0o666` minus umask locally)
   */
  readonly permission?: string;
  /**
   * Create missing parent directories (HDFS does this always).
   * @defaultValue `true`
   */
  readonly createParents?: boolean;
}

/** Options of {@link FileSystem.open}. */
export interface OpenOptions {
  /**
   * First byte to read.
   * @defaultValue `0`
   */
  readonly offset?: number;
  /**
   * Number of bytes to read.
   * @defaultValue to the end of the file
   */
  readonly length?: number;
}

/** Options of {@link FileSystem.delete}. */
export interface DeleteOptions {
  /**
   * Delete a non-empty directory with its contents. Without it, deleting a non-empty directory
   * fails with `HDFS_DIRECTORY_NOT_EMPTY`.
   * @defaultValue `false`
   */
  readonly recursive?: boolean;
}

/**
 * An open file being written. Writes are buffered; {@link FileOutput.flush} makes them durable
 * and visible and returns the durable length (the "valid length" a checkpoint records).
 * Only one {@link FileOutput} may write a file at a time.
 */
export interface FileOutput {
  /** Absolute path of the file. */
  readonly path: string;
  /** Length of the file including buffered, not yet flushed bytes. */
  readonly position: number;
  /** Length of the file known to be durable and visible (as of the last flush). */
  readonly durableLength: number;
  /** Whether `close()` or `abort()` was called. */
  readonly closed: boolean;
  /** Appends bytes (strings are written as UTF-8). May send buffered bytes when the buffer is full. */
  write(data: Uint8Array | string): Promise<void>;
  /** Sends buffered bytes and makes them durable; resolves to the durable length. */
  flush(): Promise<number>;
  /** Flushes and releases the file; resolves to the final length. Idempotent. */
  close(): Promise<number>;
  /** Drops buffered bytes and releases the file without flushing. Idempotent. */
  abort(): Promise<void>;
}

/**
 * A file system: local disk, HDFS (WebHDFS), or a third-party implementation.
 *
 * Errors are {@link FileSystemError}s with codes from {@link HdfsErrorCode}; every implementation
 * maps its failures to the same codes (e.g. a no-overwrite rename whose target exists fails with
 * `HDFS_FILE_ALREADY_EXISTS` on every implementation).
 */
export interface FileSystem {
  /** URI scheme-like name of the implementation (`file`, `webhdfs`, `swebhdfs`, ...). */
  readonly scheme: string;
  /** Whether {@link FileSystem.truncate} is available (HDFS ≥ 2.7 and local disk: yes). */
  readonly supportsTruncate: boolean;

  /**
   * Creates a new, empty file and opens it for writing. Never overwrites: an existing path fails
   * with `HDFS_FILE_ALREADY_EXISTS`. The file exists when the promise resolves.
   */
  create(path: string, options?: CreateOptions): Promise<FileOutput>;
  /** Opens an existing file for appending; `position` starts at its current length. */
  append(path: string): Promise<FileOutput>;
  /**
   * Writes a whole new file from bytes or a stream in one request (no overwrite), and returns its
   * length. Large bodies are streamed, not buffered.
   */
  writeFile(
    path: string,
    data: Uint8Array | string | AsyncIterable<Uint8Array> | Readable,
    options?: CreateOptions,
  ): Promise<number>;
  /** Reads a whole file (or a range of it) into memory. */
  readFile(path: string, options?: OpenOptions): Promise<Uint8Array>;
  /** Opens a file (or a range of it) as a readable byte stream. */
  open(path: string, options?: OpenOptions): Promise<Readable>;
  /**
   * Renames without overwriting (the commit rename): an existing target fails with
   * `HDFS_FILE_ALREADY_EXISTS`, a missing source with `HDFS_FILE_NOT_FOUND`. The target's parent
   * directory must exist.
   */
  rename(source: string, target: string): Promise<void>;
  /** Deletes a file or directory; resolves `false` if the path did not exist. */
  delete(path: string, options?: DeleteOptions): Promise<boolean>;
  /** Creates a directory and its missing parents; succeeds if it exists. Fails over a file. */
  mkdirs(path: string): Promise<void>;
  /** Lists a directory's entries, sorted by name (a file lists itself). */
  list(path: string): Promise<FileStatus[]>;
  /** Status of a path; `HDFS_FILE_NOT_FOUND` if missing. */
  status(path: string): Promise<FileStatus>;
  /** Whether a path exists. */
  exists(path: string): Promise<boolean>;
  /**
   * Truncates a file to `length` bytes and resolves when the file has that length and can be
   * appended to again (on HDFS, after block recovery). Fails with `HDFS_ILLEGAL_ARGUMENT` past
   * the end of the file.
   */
  truncate(path: string, length: number): Promise<void>;
  /** Releases connections and other resources. */
  close(): Promise<void>;
}
