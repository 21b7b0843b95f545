/**
 * Maps WebHDFS error answers (`{"RemoteException":{...}}` with an HTTP status) and transport
 * failures to {@link FileSystemError}s with stable codes.
 */
import { FileSystemError, HdfsErrorCode } from '../errors.js';
import type { RemoteExceptionInfo } from '../errors.js';

/** Java exception simple names → code and retriable flag. */
export const REMOTE_EXCEPTION_CODES: Readonly<Record<string, { code: HdfsErrorCode; retriable: boolean }>> = {
  FileAlreadyExistsException: { code: HdfsErrorCode.HDFS_FILE_ALREADY_EXISTS, retriable: false },
  FileNotFoundException: { code: HdfsErrorCode.HDFS_FILE_NOT_FOUND, retriable: false },
  AlreadyBeingCreatedException: { code: HdfsErrorCode.HDFS_LEASE_HELD, retriable: true },
  LeaseExpiredException: { code: HdfsErrorCode.HDFS_LEASE_HELD, retriable: true },
  RecoveryInProgressException: { code: HdfsErrorCode.HDFS_LEASE_HELD, retriable: true },
  SafeModeException: { code: HdfsErrorCode.HDFS_SAFE_MODE, retriable: true },
  StandbyException: { code: HdfsErrorCode.HDFS_UNREACHABLE, retriable: true },
  AccessControlException: { code: HdfsErrorCode.HDFS_ACCESS_DENIED, retriable: false },
  AuthorizationException: { code: HdfsErrorCode.HDFS_ACCESS_DENIED, retriable: false },
  SecurityException: { code: HdfsErrorCode.HDFS_ACCESS_DENIED, retriable: false },
  InvalidToken: { code: HdfsErrorCode.HDFS_ACCESS_DENIED, retriable: false },
  ParentNotDirectoryException: { code: HdfsErrorCode.HDFS_WRONG_TYPE, retriable: false },
  PathIsNotDirectoryException: { code: HdfsErrorCode.HDFS_WRONG_TYPE, retriable: false },
  PathIsDirectoryException: { code: HdfsErrorCode.HDFS_WRONG_TYPE, retriable: false },
  PathIsNotEmptyDirectoryException: { code: HdfsErrorCode.HDFS_DIRECTORY_NOT_EMPTY, retriable: false },
  DSQuotaExceededException: { code: HdfsErrorCode.HDFS_QUOTA_EXCEEDED, retriable: false },
  NSQuotaExceededException: { code: HdfsErrorCode.HDFS_QUOTA_EXCEEDED, retriable: false },
  QuotaExceededException: { code: HdfsErrorCode.HDFS_QUOTA_EXCEEDED, retriable: false },
  IllegalArgumentException: { code: HdfsErrorCode.HDFS_ILLEGAL_ARGUMENT, retriable: false },
  HadoopIllegalArgumentException: { code: HdfsErrorCode.HDFS_ILLEGAL_ARGUMENT, retriable: false },
  InvalidPathException: { code: HdfsErrorCode.HDFS_ILLEGAL_ARGUMENT, retriable: false },
  UnsupportedOperationException: { code: HdfsErrorCode.HDFS_ILLEGAL_ARGUMENT, retriable: false },
};

/** What the user should do, per code (the "what to do" part of every message). */
export const ADVICE: Readonly<Record<HdfsErrorCode, string>> = {
  HDFS_FILE_ALREADY_EXISTS: 'Existing files are never overwritten: choose another name, or delete the target first.',
  HDFS_FILE_NOT_FOUND: 'Check the path; for a rename, the source must exist and the target\u2019s parent directory too.',
  HDFS_LEASE_HELD:
    'Another writer holds the file\u2019s lease or its block recovery is running; a dead writer\u2019s lease ' +
    'expires after ~60 s. This is retried for retry.leaseRecoveryTimeoutMs (default 90 s).',
  HDFS_SAFE_MODE:
    'The NameNode is in safe mode (starting, or low on resources); this is retried. If it persists, ' +
    'check `hdfs dfsadmin -safemode get`.',
  HDFS_ACCESS_DENIED: 'Check the user (option user), the delegation token and the permissions of the path and its parents.',
  HDFS_UNREACHABLE:
    'Check the WebHDFS URL and that the NameNode and the DataNodes (addresses from the NameNode\u2019s ' +
    'redirect) are up and reachable from this host; this is retried.',
  HDFS_PROTOCOL: 'Check that the URL points at a WebHDFS endpoint (the NameNode HTTP port, e.g. 9870).',
  HDFS_PATH_UNSAFE: 'Use absolute paths made of plain segments.',
  HDFS_WRONG_TYPE: 'A file is where a directory is needed, or the other way round; check the path.',
  HDFS_DIRECTORY_NOT_EMPTY: 'Pass { recursive: true } to delete a non-empty directory.',
  HDFS_QUOTA_EXCEEDED: 'Free space or raise the name/space quota of the directory.',
  HDFS_ILLEGAL_ARGUMENT: 'Check the arguments (e.g. a truncate length beyond the end of the file, a block size below the minimum).',
  HDFS_IO: 'See the cause; check the NameNode and DataNode logs.',
  HDFS_RETRIES_EXHAUSTED: 'See the cause; raise the retry budget if the condition is expected to clear.',
  HDFS_OUTPUT_CLOSED: 'Open the file again with append().',
  HDFS_PART_FILE_LOST:
    'Something outside the sink deleted, moved or cut a hidden part file (or the final file) between the ' +
    'checkpoint and the restore; restore from an older checkpoint or accept the loss of that part.',
};

/** Parses a WebHDFS error body; `undefined` if it is not a RemoteException. */
export function parseRemoteException(body: string): RemoteExceptionInfo | undefined {
  try {
    const parsed = JSON.parse(body) as { RemoteException?: Partial<RemoteExceptionInfo> };
    const re = parsed.RemoteException;
    if (re === undefined || typeof re !== 'object' || re === null) return undefined;
    return {
      exception: typeof re.exception === 'string' ? re.exception : '',
      javaClassName: typeof re.javaClassName === 'string' ? re.javaClassName : '',
      message: typeof re.message === 'string' ? re.message : '',
    };
  } catch {
    return undefined;
  }
}

function lookup(remote: RemoteExceptionInfo): { code: HdfsErrorCode; retriable: boolean } | undefined {
  const simple = remote.exception || remote.javaClassName.slice(remote.javaClassName.lastIndexOf('.') + 1);
  const direct = REMOTE_EXCEPTION_CODES[simple] ?? REMOTE_EXCEPTION_CODES[simple.slice(simple.lastIndexOf('$') + 1)];
  if (direct !== undefined) return direct;
  // Wrapped exceptions (RemoteException, IOException, RetriableException) name the real one in the message.
  for (const [name, entry] of Object.entries(REMOTE_EXCEPTION_CODES)) {
    if (remote.message.includes(name)) return entry;
  }
  if (simple === 'RetriableException') {
    return /safe ?mode/i.test(remote.message)
      ? { code: HdfsErrorCode.HDFS_SAFE_MODE, retriable: true }
      : { code: HdfsErrorCode.HDFS_IO, retriable: true };
  }
  if (/safe mode/i.test(remote.message)) return { code: HdfsErrorCode.HDFS_SAFE_MODE, retriable: true };
  // The write pipeline has no usable DataNode right now (e.g. just after a DataNode restart, while the
  // NameNode still excludes it): transient.
  if (DATANODE_PIPELINE_FAILURE.test(remote.message)) return { code: HdfsErrorCode.HDFS_UNREACHABLE, retriable: true };
  return undefined;
}

/** Messages of a write pipeline without a usable DataNode (seen across a DataNode restart). */
const DATANODE_PIPELINE_FAILURE = /could only be (?:written|replicated) to 0 of the \d+ minReplication nodes|All datanodes .* are bad/;

function byStatus(status: number): { code: HdfsErrorCode; retriable: boolean } {
  if (status === 404) return { code: HdfsErrorCode.HDFS_FILE_NOT_FOUND, retriable: false };
  if (status === 401) return { code: HdfsErrorCode.HDFS_ACCESS_DENIED, retriable: false };
  if (status === 502 || status === 503 || status === 504) return { code: HdfsErrorCode.HDFS_UNREACHABLE, retriable: true };
  if (status === 403 || status >= 500) return { code: HdfsErrorCode.HDFS_IO, retriable: false };
  return { code: HdfsErrorCode.HDFS_PROTOCOL, retriable: false };
}

/** An error answer of one WebHDFS request. */
export interface ErrorAnswer {
  /** The operation (`CREATE`, ...). */
  readonly operation: string;
  /** The HDFS path. */
  readonly path: string;
  /** HTTP status. */
  readonly status: number;
  /** Response body (already redacted). */
  readonly body: string;
  /** Where the answer came from, e.g. `NameNode 127.0.0.1:9870`. */
  readonly server: string;
}

/** Turns an error answer into a {@link FileSystemError} naming operation, path and what to do. */
export function errorFromAnswer(answer: ErrorAnswer): FileSystemError {
  const remote = parseRemoteException(answer.body);
  const mapped = (remote && lookup(remote)) ?? byStatus(answer.status);
  const detail = remote
    ? `${remote.exception || remote.javaClassName}: ${firstLine(remote.message)}`
    : `HTTP ${answer.status} ${truncateText(answer.body, 200)}`;
  return new FileSystemError(
    `WebHDFS ${answer.operation} ${answer.path} failed at ${answer.server} (HTTP ${answer.status}): ${detail}. ${ADVICE[mapped.code]}`,
    {
      code: mapped.code,
      retriable: mapped.retriable,
      operation: answer.operation,
      path: answer.path,
      httpStatus: answer.status,
      ...(remote ? { remoteException: remote } : {}),
    },
  );
}

/** The message without a Java stack trace (DataNodes append one). */
function firstLine(message: string): string {
  const line = message.split(/\r?\n/, 1)[0] ?? '';
  return line.replace(/\.+$/, '');
}

function truncateText(text: string, max: number): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? oneLine.slice(0, max) + '…' : oneLine;
}
