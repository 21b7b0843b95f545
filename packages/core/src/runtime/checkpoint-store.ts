/**
 * Writing, finding, reading and retaining checkpoints on top of a {@link CheckpointStorage}.
 * Order of a write: every state file first (concurrently), `_metadata` last (invariant 3).
 */
import { createHash } from 'node:crypto';
import { CheckpointError, CoreErrorCode, StateError, isSluiceError } from '../errors.js';
import {
  CHECKPOINT_METADATA_FORMAT,
  CHECKPOINT_METADATA_VERSION,
  decodeCheckpointMetadata,
  encodeCheckpointMetadata,
} from './checkpoint-metadata.js';
import type { CheckpointFileEntry, CheckpointMetadata, CheckpointOperatorEntry } from './checkpoint-metadata.js';
import type { CheckpointStorage } from './checkpoint-storage.js';
import { decodeStateFile } from './operator-state-backend.js';
import type { KeyedSection } from './keyed-state-backend.js';
import type { StoredListState } from './operator-state-backend.js';

/** The state of one operator to write: bytes per subtask. */
export interface OperatorSnapshotInput {
  readonly uid: string;
  readonly name: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
  readonly subtaskStates: ReadonlyMap<number, Uint8Array>;
}

/** What to write for one checkpoint. */
export interface CheckpointWrite {
  readonly jobName: string;
  readonly jobId: string;
  readonly checkpointId: number;
  readonly timestamp: number;
  readonly operators: readonly OperatorSnapshotInput[];
}

/** A complete checkpoint: where it is and its metadata. */
export interface CompletedCheckpoint {
  readonly path: string;
  readonly metadata: CheckpointMetadata;
}

/** File name of an operator subtask's state: `<uid>-<subtask>.state` (uid URI-encoded). */
export function stateFileName(uid: string, subtask: number): string {
  return `${encodeURIComponent(uid)}-${subtask}.state`;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes every state file, then `_metadata`. Resolves with the checkpoint and its total size. */
export async function writeCheckpoint(
  storage: CheckpointStorage,
  write: CheckpointWrite,
): Promise<CompletedCheckpoint & { readonly size: number }> {
  const path = storage.checkpointPath(write.jobName, write.checkpointId);
  const operators: CheckpointOperatorEntry[] = [];
  const writes: Promise<void>[] = [];
  let size = 0;
  for (const operator of write.operators) {
    const files: CheckpointFileEntry[] = [];
    for (const [subtask, bytes] of [...operator.subtaskStates].sort(([a], [b]) => a - b)) {
      const name = stateFileName(operator.uid, subtask);
      // All state files at once: their syncs overlap instead of queueing one behind the other.
      writes.push(storage.writeFile(path, { name, bytes }));
      files.push({ subtask, file: name, size: bytes.length, sha256: sha256(bytes) });
      size += bytes.length;
    }
    operators.push({
      uid: operator.uid,
      name: operator.name,
      parallelism: operator.parallelism,
      maxParallelism: operator.maxParallelism,
      files,
    });
  }
  // Every write settles before the first failure is reported (no write left running behind it).
  const failed = (await Promise.allSettled(writes)).find((r) => r.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  const metadata: CheckpointMetadata = {
    format: CHECKPOINT_METADATA_FORMAT,
    version: CHECKPOINT_METADATA_VERSION,
    checkpointId: write.checkpointId,
    timestamp: write.timestamp,
    jobName: write.jobName,
    jobId: write.jobId,
    operators,
  };
  const bytes = encodeCheckpointMetadata(metadata);
  await storage.commitMetadata(path, bytes);
  return { path, metadata, size: size + bytes.length };
}

/**
 * Keeps the newest `retain` complete checkpoints of `jobName` and deletes older ones, plus any
 * half-written checkpoint older than the newest complete one.
 */
export async function retainCheckpoints(
  storage: CheckpointStorage,
  options: { jobName: string; retain: number },
): Promise<void> {
  const all = await storage.listCheckpoints(options.jobName);
  const complete = all.filter((c) => c.complete);
  const newest = complete.at(-1)?.checkpointId ?? -Infinity;
  const kept = new Set(complete.slice(-options.retain).map((c) => c.checkpointId));
  for (const checkpoint of all) {
    if (kept.has(checkpoint.checkpointId) || checkpoint.checkpointId > newest) continue;
    await storage.discard(checkpoint.path);
  }
}

/**
 * The newest complete checkpoint of `jobName`, skipping locations whose `_metadata` is missing or
 * unreadable (reported through `onWarning`). A metadata version this release does not know throws.
 */
export async function findLatestCheckpoint(
  storage: CheckpointStorage,
  options: { jobName: string; onWarning?: (error: Error) => void },
): Promise<CompletedCheckpoint | undefined> {
  const all = await storage.listCheckpoints(options.jobName);
  for (const candidate of all.filter((c) => c.complete).reverse()) {
    try {
      return await loadCheckpoint(storage, candidate.path);
    } catch (error) {
      if (isSluiceError(error) && error.code === CoreErrorCode.CHECKPOINT_NOT_FOUND) {
        options.onWarning?.(error);
        continue;
      }
      throw error;
    }
  }
  return undefined;
}

/** Reads the checkpoint at `path`; `CHECKPOINT_NOT_FOUND` when it has no valid `_metadata`. */
export async function loadCheckpoint(storage: CheckpointStorage, path: string): Promise<CompletedCheckpoint> {
  let bytes: Uint8Array | undefined;
  try {
    bytes = await storage.readMetadata(path);
  } catch (cause) {
    throw new CheckpointError(`Cannot read checkpoint metadata at ${path}.`, {
      code: CoreErrorCode.CHECKPOINT_NOT_FOUND,
      path,
      cause,
    });
  }
  if (bytes === undefined) {
    throw new CheckpointError(
      `${path} is no complete checkpoint (no _metadata). Point \`restore\` at a chk-<n> directory ` +
        "with a _metadata file, use 'latest', or 'none' to start without state.",
      { code: CoreErrorCode.CHECKPOINT_NOT_FOUND, path },
    );
  }
  return { path, metadata: decodeCheckpointMetadata(bytes, path) };
}

/** Reads and checks the state files of one operator: one list of states per old subtask. */
export async function readOperatorState(
  storage: CheckpointStorage,
  options: { path: string; operator: CheckpointOperatorEntry },
): Promise<StoredListState[][]> {
  return (await readStateFiles(storage, options)).operator;
}

/** The state files of one operator: operator states per old subtask, key groups of all subtasks. */
export interface OperatorStateFiles {
  readonly operator: StoredListState[][];
  /** Every key group's blob (from whichever old subtask held it); undefined without keyed state. */
  readonly keyed: KeyedSection | undefined;
}

/** Reads and checks the state files of one operator, operator and keyed state. */
export async function readStateFiles(
  storage: CheckpointStorage,
  options: { path: string; operator: CheckpointOperatorEntry },
): Promise<OperatorStateFiles> {
  const { path, operator } = options;
  const perSubtask: StoredListState[][] = Array.from({ length: operator.parallelism }, () => []);
  let keyed: { keySnapshot: KeyedSection['keySnapshot']; groups: Map<number, Uint8Array> } | undefined;
  for (const entry of operator.files) {
    const bytes = await storage.readFile(path, entry.file);
    if (bytes.length !== entry.size || sha256(bytes) !== entry.sha256) {
      throw new StateError(
        `State file ${entry.file} of checkpoint ${path} does not match its metadata (size or checksum); ` +
          'the checkpoint is damaged. Restore from an older checkpoint.',
        { code: CoreErrorCode.STATE_CORRUPT, path, operator: operator.uid, subtask: entry.subtask },
      );
    }
    if (entry.subtask < 0 || entry.subtask >= operator.parallelism) {
      throw new StateError(`State file ${entry.file} names subtask ${entry.subtask} out of range.`, {
        code: CoreErrorCode.STATE_CORRUPT,
        path,
      });
    }
    const decoded = decodeStateFile(bytes);
    perSubtask[entry.subtask] = decoded.operator;
    if (decoded.keyed !== undefined) {
      keyed ??= { keySnapshot: decoded.keyed.keySnapshot, groups: new Map() };
      for (const [kg, blob] of decoded.keyed.groups) keyed.groups.set(kg, blob);
    }
  }
  return { operator: perSubtask, keyed };
}
