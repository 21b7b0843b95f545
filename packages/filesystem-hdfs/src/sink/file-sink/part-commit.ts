/**
 * Committing and resuming part files, idempotently: a commit retried after a crash (the rename
 * may or may not have happened) and a restored in-progress part cut back to its checkpointed length.
 */
import { FileSystemError, HdfsErrorCode, isFileSystemError } from '../../errors.js';
import type { FileStatus, FileSystem } from '../../filesystem/file-system.js';
import type { PendingPart } from './bucket-state.js';

/** The status of `path`, or `undefined` when it does not exist. */
export async function statusOrUndefined(fs: FileSystem, path: string): Promise<FileStatus | undefined> {
  try {
    return await fs.status(path);
  } catch (error) {
    if (isFileSystemError(error, HdfsErrorCode.HDFS_FILE_NOT_FOUND)) return undefined;
    throw error;
  }
}

function lost(path: string, operation: string, detail: string): FileSystemError {
  return new FileSystemError(`${operation} of part file ${path}: ${detail}. The part's data is lost.`, {
    code: HdfsErrorCode.HDFS_PART_FILE_LOST,
    operation,
    path,
  });
}

/**
 * Renames a pending part to its final name without overwriting. Idempotent: when the final file
 * already has the recorded length (an earlier attempt committed it), the commit is done (a leftover
 * source, possible after a crash inside a local link+unlink rename, is deleted). With `recovering`,
 * a pending file longer than recorded is first truncated to the recorded length.
 */
export async function commitPendingPart(
  fs: FileSystem,
  part: PendingPart,
  options: { recovering: boolean },
): Promise<void> {
  if (options.recovering) {
    const source = await statusOrUndefined(fs, part.pendingPath);
    if (source !== undefined && source.length > part.length) await fs.truncate(part.pendingPath, part.length);
  }
  try {
    await fs.rename(part.pendingPath, part.finalPath);
    return;
  } catch (error) {
    if (
      !isFileSystemError(error, HdfsErrorCode.HDFS_FILE_ALREADY_EXISTS) &&
      !isFileSystemError(error, HdfsErrorCode.HDFS_FILE_NOT_FOUND)
    ) {
      throw error;
    }
    const target = await statusOrUndefined(fs, part.finalPath);
    if (target !== undefined && target.type === 'file' && target.length === part.length) {
      // Committed before. Drop a leftover second name of the same data, if any.
      if (isFileSystemError(error, HdfsErrorCode.HDFS_FILE_ALREADY_EXISTS)) await fs.delete(part.pendingPath);
      return;
    }
    if (target !== undefined) throw error;
    const source = await statusOrUndefined(fs, part.pendingPath);
    throw lost(
      part.pendingPath,
      'commit',
      source === undefined
        ? `neither it nor its final file ${part.finalPath} exists`
        : `it has ${source.length} bytes, the checkpoint recorded ${part.length}`,
    );
  }
}

/**
 * Cuts a restored in-progress part back to its checkpointed length (`truncate` waits for HDFS
 * block recovery and dead writers' leases, per the file system's settings).
 */
export async function truncateToValidLength(fs: FileSystem, path: string, validLength: number): Promise<void> {
  const status = await statusOrUndefined(fs, path);
  if (status === undefined) throw lost(path, 'resume', 'the in-progress file is missing');
  if (status.length < validLength) {
    throw lost(path, 'resume', `it has ${status.length} bytes, the checkpoint recorded ${validLength}`);
  }
  if (status.length > validLength) await fs.truncate(path, validLength);
}
