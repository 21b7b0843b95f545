/**
 * Errors of `@sluice/filesystem-hdfs`: one class, {@link FileSystemError}, with a stable code from
 * {@link HdfsErrorCode}, the file-system operation and the path. `LocalFileSystem` and
 * `WebHdfsFileSystem` use the same codes, so code written against `FileSystem` can branch on them
 * without knowing which implementation it talks to.
 */
import { SluiceError } from '@sluice/core';
import type { SluiceErrorOptions } from '@sluice/core';

/**
 * Error codes of this package. Codes are stable: renaming or removing one is a breaking change.
 * `retriable` tells whether the same operation may succeed later (the built-in retry honours it).
 */
export const HdfsErrorCode = {
  /** The target of a create or a no-overwrite rename exists. Not retriable. */
  HDFS_FILE_ALREADY_EXISTS: 'HDFS_FILE_ALREADY_EXISTS',
  /** The path (or the parent of a rename target) does not exist. Not retriable. */
  HDFS_FILE_NOT_FOUND: 'HDFS_FILE_NOT_FOUND',
  /**
   * Another writer holds the file's lease, or its lease/block recovery is running
   * (`AlreadyBeingCreatedException`, `LeaseExpiredException`, `RecoveryInProgressException`).
   * Retriable: a dead writer's lease expires after about 60 s.
   */
  HDFS_LEASE_HELD: 'HDFS_LEASE_HELD',
  /** The NameNode is in safe mode. Retriable. */
  HDFS_SAFE_MODE: 'HDFS_SAFE_MODE',
  /** Permission denied (`AccessControlException`, HTTP 401/403 without a known cause, EACCES). */
  HDFS_ACCESS_DENIED: 'HDFS_ACCESS_DENIED',
  /** The NameNode or a DataNode could not be reached (refused, reset, timed out, 503). Retriable. */
  HDFS_UNREACHABLE: 'HDFS_UNREACHABLE',
  /** The server answered something this client does not understand. Not retriable. */
  HDFS_PROTOCOL: 'HDFS_PROTOCOL',
  /** A data-derived path (bucket id) would escape its base path, or holds forbidden characters. */
  HDFS_PATH_UNSAFE: 'HDFS_PATH_UNSAFE',
  /** The operation does not fit the path's type: a directory where a file is needed, or a file used as a directory. */
  HDFS_WRONG_TYPE: 'HDFS_WRONG_TYPE',
  /** A directory is not empty and `recursive` was not set. */
  HDFS_DIRECTORY_NOT_EMPTY: 'HDFS_DIRECTORY_NOT_EMPTY',
  /** A name-space or disk-space quota, or the local disk, is full. */
  HDFS_QUOTA_EXCEEDED: 'HDFS_QUOTA_EXCEEDED',
  /** The server rejected an argument (e.g. truncate past the end of the file). */
  HDFS_ILLEGAL_ARGUMENT: 'HDFS_ILLEGAL_ARGUMENT',
  /** Any other server-side or I/O failure; `cause` and the message carry the details. */
  HDFS_IO: 'HDFS_IO',
  /** A retried operation (lease wait, truncate recovery, transient failures) ran out of time or attempts. */
  HDFS_RETRIES_EXHAUSTED: 'HDFS_RETRIES_EXHAUSTED',
  /** The file output was used after `close()` or `abort()`. */
  HDFS_OUTPUT_CLOSED: 'HDFS_OUTPUT_CLOSED',
  /**
   * A part file recorded in a checkpoint cannot be committed or resumed: its hidden file is missing
   * or shorter than recorded, and no file of the recorded length has its final name. Not retriable.
   */
  HDFS_PART_FILE_LOST: 'HDFS_PART_FILE_LOST',
} as const;

/** A code from {@link HdfsErrorCode}. */
export type HdfsErrorCode = (typeof HdfsErrorCode)[keyof typeof HdfsErrorCode];

/** The `RemoteException` body WebHDFS sends with an error status. */
export interface RemoteExceptionInfo {
  /** Simple class name, e.g. `FileAlreadyExistsException`. */
  readonly exception: string;
  /** Full Java class name. */
  readonly javaClassName: string;
  /** The server's message. */
  readonly message: string;
}

/** Options of a {@link FileSystemError}. */
export interface FileSystemErrorOptions extends Omit<SluiceErrorOptions, 'code'> {
  /** Code from {@link HdfsErrorCode}. */
  readonly code: HdfsErrorCode;
  /** The operation that failed, e.g. `CREATE`, `APPEND`, `rename`. */
  readonly operation: string;
  /** HTTP status of the failed WebHDFS request, when there was one. */
  readonly httpStatus?: number;
  /** The WebHDFS `RemoteException`, when the server sent one. */
  readonly remoteException?: RemoteExceptionInfo;
  /** Number of attempts made, for retried operations. */
  readonly attempts?: number;
}

/**
 * An error from a {@link FileSystem} operation. Its message says what failed, on which path and
 * what to do; `code` is one of {@link HdfsErrorCode}.
 */
export class FileSystemError extends SluiceError {
  declare readonly code: HdfsErrorCode;
  /** The operation that failed (`CREATE`, `APPEND`, `rename`, ...). */
  readonly operation: string;
  /** HTTP status of the failed WebHDFS request, if any. */
  readonly httpStatus?: number;
  /** The WebHDFS `RemoteException`, if the server sent one. */
  readonly remoteException?: RemoteExceptionInfo;
  /** Attempts made before giving up, for retried operations. */
  readonly attempts?: number;

  constructor(message: string, options: FileSystemErrorOptions) {
    super(message, options);
    this.operation = options.operation;
    if (options.httpStatus !== undefined) this.httpStatus = options.httpStatus;
    if (options.remoteException !== undefined) this.remoteException = options.remoteException;
    if (options.attempts !== undefined) this.attempts = options.attempts;
  }
}

/** Options of an {@link UnsafePathError}. */
export interface UnsafePathErrorOptions {
  /** The data-derived relative path that was rejected. */
  readonly bucketId: string;
  /** The base path it was to be resolved under. */
  readonly basePath: string;
  /** Which rule it broke, in words. */
  readonly reason: string;
}

/**
 * A data-derived relative path (a bucket id) that would escape its base path or holds forbidden
 * characters. Code `HDFS_PATH_UNSAFE`, never retriable.
 */
export class UnsafePathError extends FileSystemError {
  /** The rejected bucket id. */
  readonly bucketId: string;
  /** The base path. */
  readonly basePath: string;

  constructor(options: UnsafePathErrorOptions) {
    super(
      `Unsafe bucket id ${JSON.stringify(options.bucketId)} under base path ${JSON.stringify(options.basePath)}: ` +
        `${options.reason}. Bucket ids come from data; make the bucket assigner return a relative path of ` +
        `plain segments (no "..", no leading "/", no empty segments, no control characters or backslashes).`,
      { code: HdfsErrorCode.HDFS_PATH_UNSAFE, operation: 'resolveBucketPath', path: options.basePath },
    );
    this.bucketId = options.bucketId;
    this.basePath = options.basePath;
  }
}

/** True for a {@link FileSystemError} with the given code (also across package copies). */
export function isFileSystemError(error: unknown, code?: HdfsErrorCode): error is FileSystemError {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; operation?: unknown };
  if (typeof e.code !== 'string' || typeof e.operation !== 'string') return false;
  if (!Object.values(HdfsErrorCode).includes(e.code as HdfsErrorCode)) return false;
  return code === undefined || e.code === code;
}
