/**
 * The `_metadata` document of a checkpoint: versioned JSON (UTF-8). It is written last, and a
 * checkpoint directory without a readable one is not a checkpoint.
 *
 * ```json
 * { "format": "sluice-checkpoint", "version": 1, "checkpointId": 7, "timestamp": 1764200000000,
 *   "jobName": "orders", "jobId": "…", "operators": [ { "uid": "source", "name": "Kafka",
 *   "parallelism": 2, "maxParallelism": 128, "files": [ { "subtask": 0, "file": "source-0.state",
 *   "size": 311, "sha256": "…" } ] } ] }
 * ```
 */
import { CheckpointError, CoreErrorCode, StateError } from '../errors.js';

/** The metadata format name, the first field of every document. */
export const CHECKPOINT_METADATA_FORMAT = 'sluice-checkpoint';
/** Version of the metadata documents this release writes (and the newest it reads). */
export const CHECKPOINT_METADATA_VERSION = 1;

/** One state file of a checkpoint. */
export interface CheckpointFileEntry {
  /** Subtask that wrote the file. */
  readonly subtask: number;
  /** File name inside the checkpoint directory. */
  readonly file: string;
  /** Size in bytes. */
  readonly size: number;
  /** SHA-256 of the bytes, lowercase hex. */
  readonly sha256: string;
}

/** The state of one operator in a checkpoint. */
export interface CheckpointOperatorEntry {
  /** The operator's uid. */
  readonly uid: string;
  /** The operator's display name when the checkpoint was taken. */
  readonly name: string;
  /** Parallelism when the checkpoint was taken. */
  readonly parallelism: number;
  /** Max parallelism when the checkpoint was taken. */
  readonly maxParallelism: number;
  /** State files, one per subtask that had state. */
  readonly files: readonly CheckpointFileEntry[];
}

/** A checkpoint's metadata document. */
export interface CheckpointMetadata {
  readonly format: typeof CHECKPOINT_METADATA_FORMAT;
  readonly version: number;
  readonly checkpointId: number;
  /** When the checkpoint was triggered, ms since the epoch. */
  readonly timestamp: number;
  readonly jobName: string;
  readonly jobId: string;
  readonly operators: readonly CheckpointOperatorEntry[];
}

/** Encodes metadata as UTF-8 JSON. */
export function encodeCheckpointMetadata(metadata: CheckpointMetadata): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(metadata, null, 2)}\n`);
}

/**
 * Decodes a metadata document. Throws `STATE_UNKNOWN_VERSION` for a version this release does not
 * know, and `CHECKPOINT_NOT_FOUND` when the bytes are no Sluice metadata at all.
 */
export function decodeCheckpointMetadata(bytes: Uint8Array, where: string): CheckpointMetadata {
  let doc: unknown;
  try {
    doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (cause) {
    throw notMetadata(where, cause);
  }
  if (typeof doc !== 'object' || doc === null) throw notMetadata(where);
  const record = doc as Record<string, unknown>;
  if (record.format !== CHECKPOINT_METADATA_FORMAT) throw notMetadata(where);
  if (record.version !== CHECKPOINT_METADATA_VERSION) {
    throw new StateError(
      `Checkpoint metadata at ${where} has format version ${String(record.version)}; this release ` +
        `reads version ${CHECKPOINT_METADATA_VERSION}. Run a Sluice release that knows version ` +
        `${String(record.version)}, or restore from another checkpoint.`,
      { code: CoreErrorCode.STATE_UNKNOWN_VERSION, path: where },
    );
  }
  if (
    typeof record.checkpointId !== 'number' ||
    typeof record.timestamp !== 'number' ||
    typeof record.jobName !== 'string' ||
    !Array.isArray(record.operators)
  ) {
    throw notMetadata(where);
  }
  return doc as CheckpointMetadata;
}

function notMetadata(where: string, cause?: unknown): CheckpointError {
  return new CheckpointError(
    `${where} holds no valid Sluice checkpoint metadata (half-written or not a checkpoint). ` +
      "Point `restore` at a checkpoint directory (chk-<n>) that has a complete _metadata file, or use 'latest'.",
    { code: CoreErrorCode.CHECKPOINT_NOT_FOUND, path: where, cause },
  );
}
