/**
 * Pluggable checkpoint storage. A checkpoint is a directory-like location holding state files
 * and, written last and atomically, its `_metadata`. The local-directory implementation lives in
 * `local-checkpoint-storage.ts`; an HDFS one implements the same interface in another package.
 */

/** A checkpoint location found in storage. */
export interface StoredCheckpoint {
  /** Checkpoint id (the `<n>` of `chk-<n>`). */
  readonly checkpointId: number;
  /** Location of the checkpoint, as accepted by the other methods (and by `restore`). */
  readonly path: string;
  /** Whether the checkpoint has its `_metadata` (otherwise it is half-written). */
  readonly complete: boolean;
}

/** Where checkpoints go. Methods reject with a `CheckpointError` (`CHECKPOINT_STORAGE`) on IO failure. */
export interface CheckpointStorage {
  /** Human-readable location of the storage (e.g. its root directory). */
  readonly location: string;
  /** The location of checkpoint `checkpointId` of job `jobName` (`<root>/<jobName>/chk-<n>`). */
  checkpointPath(jobName: string, checkpointId: number): string;
  /** Writes (or replaces) one state file inside the checkpoint at `checkpointPath`. */
  writeFile(checkpointPath: string, file: { name: string; bytes: Uint8Array }): Promise<void>;
  /** Durably and atomically writes `_metadata`: after this resolves the checkpoint is complete. */
  commitMetadata(checkpointPath: string, bytes: Uint8Array): Promise<void>;
  /** Reads `_metadata`, or `undefined` when the location holds none. */
  readMetadata(checkpointPath: string): Promise<Uint8Array | undefined>;
  /** Reads one state file of a checkpoint. */
  readFile(checkpointPath: string, name: string): Promise<Uint8Array>;
  /** The checkpoints of a job, complete or not, by ascending id. */
  listCheckpoints(jobName: string): Promise<StoredCheckpoint[]>;
  /** Deletes a checkpoint (no error when it is gone already). */
  discard(checkpointPath: string): Promise<void>;
}
