/**
 * Compaction of small part files (modern Flink's answer to small files): the pending parts that
 * one checkpoint filed for one bucket are grouped up to a target size, and each group is committed
 * as ONE finished file (the concatenation, named after the group's first part) instead of one
 * file per part. Row formats only (their bytes concatenate).
 *
 * Crash safety: groups depend only on the checkpointed list (per bucket and checkpoint), so a
 * commit retried after a restore forms the same groups. A group is done when its final file exists
 * with the sum of the recorded lengths; then the hidden sources are deleted. Until then the sources
 * are intact, and the concatenation is rebuilt under a fresh hidden name and renamed without
 * overwrite.
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ConfigError } from '@sluice/core';
import { FileSystemError, HdfsErrorCode, isFileSystemError } from '../../errors.js';
import type { FileSystem } from '../../filesystem/file-system.js';
import type { PendingPart } from './bucket-state.js';
import { commitPendingPart, statusOrUndefined } from './part-commit.js';

/** Options of FileSink compaction. */
export interface CompactionOptions {
  /**
   * Pending parts of one bucket and checkpoint are merged into files of up to this many bytes
   * (a single part larger than this is committed as it is).
   * @defaultValue `134217728` (128 MiB)
   */
  readonly targetSizeBytes?: number;
}

/** Validated compaction settings. */
export interface CompactionConfig {
  /** Target size of a compacted file, bytes. */
  readonly targetSizeBytes: number;
}

/** Validates compaction options (`CONFIG_INVALID` naming the option). */
export function compactionConfig(options: CompactionOptions): CompactionConfig {
  const targetSizeBytes = options.targetSizeBytes ?? 128 * 1024 * 1024;
  if (!Number.isSafeInteger(targetSizeBytes) || targetSizeBytes <= 0) {
    throw new ConfigError(`compaction.targetSizeBytes must be a positive integer, got ${String(targetSizeBytes)}.`, {
      option: 'compaction.targetSizeBytes',
    });
  }
  return { targetSizeBytes };
}

/** Splits one checkpoint's pending parts (in order) into groups of at most `targetSizeBytes` (each ≥ 1 part). */
export function compactionGroups(parts: readonly PendingPart[], targetSizeBytes: number): PendingPart[][] {
  const groups: PendingPart[][] = [];
  let current: PendingPart[] = [];
  let size = 0;
  for (const part of parts) {
    if (current.length > 0 && size + part.length > targetSizeBytes) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(part);
    size += part.length;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

async function* concatenate(fs: FileSystem, parts: readonly PendingPart[]): AsyncIterable<Uint8Array> {
  for (const part of parts) {
    const stream: Readable = await fs.open(part.pendingPath, { offset: 0, length: part.length });
    for await (const chunk of stream) yield chunk as Uint8Array;
  }
}

/** Commits one group as one finished file named after its first part; idempotent (see the module comment). */
export async function commitCompactedGroup(
  fs: FileSystem,
  group: readonly PendingPart[],
  options: { recovering: boolean },
): Promise<void> {
  const [first] = group;
  if (first === undefined) return;
  if (group.length === 1) {
    await commitPendingPart(fs, first, options);
    return;
  }
  const expected = group.reduce((sum, part) => sum + part.length, 0);
  const isDone = async (): Promise<boolean> => {
    const target = await statusOrUndefined(fs, first.finalPath);
    if (target === undefined) return false;
    if (target.type === 'file' && target.length === expected) return true;
    throw new FileSystemError(
      `compaction target ${first.finalPath} exists with ${target.length} bytes, expected ${expected}; it is not overwritten.`,
      { code: HdfsErrorCode.HDFS_FILE_ALREADY_EXISTS, operation: 'compact', path: first.finalPath },
    );
  };
  if (!(await isDone())) {
    for (const part of group) {
      const source = await statusOrUndefined(fs, part.pendingPath);
      if (source === undefined || source.length < part.length) {
        throw new FileSystemError(
          `compact of part file ${part.pendingPath}: ${source === undefined ? 'it is missing' : `it has ${source.length} bytes, the checkpoint recorded ${part.length}`} and the compacted file ${first.finalPath} does not exist. The part's data is lost.`,
          { code: HdfsErrorCode.HDFS_PART_FILE_LOST, operation: 'compact', path: part.pendingPath },
        );
      }
    }
    const slash = first.finalPath.lastIndexOf('/');
    const temp = `${first.finalPath.slice(0, slash)}/.${first.finalPath.slice(slash + 1)}.compacting.${randomUUID()}`;
    await fs.writeFile(temp, concatenate(fs, group));
    try {
      await fs.rename(temp, first.finalPath);
    } catch (error) {
      await fs.delete(temp);
      if (!isFileSystemError(error, HdfsErrorCode.HDFS_FILE_ALREADY_EXISTS) || !(await isDone())) throw error;
    }
  }
  for (const part of group) await fs.delete(part.pendingPath);
}
