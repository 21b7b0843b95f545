/**
 * {@link CheckpointStorage} in memory, for tests and for jobs that need no recovery across
 * process restarts. It can record the order of its calls (`events`), which tests use to check
 * that `_metadata` is written last and before any completion notification.
 */
import { CheckpointError, CoreErrorCode } from '../errors.js';
import type { CheckpointStorage, StoredCheckpoint } from './checkpoint-storage.js';

/** A call made on an {@link InMemoryCheckpointStorage}, in order. */
export interface InMemoryStorageEvent {
  readonly kind: 'writeFile' | 'commitMetadata' | 'discard';
  readonly path: string;
  readonly name?: string;
}

/** Keeps checkpoints in memory; one instance is one storage (no global state). */
export class InMemoryCheckpointStorage implements CheckpointStorage {
  readonly location = 'memory:';
  /** Every write, commit and discard, in order. */
  readonly events: InMemoryStorageEvent[] = [];
  private readonly files = new Map<string, Map<string, Uint8Array>>();

  checkpointPath(jobName: string, checkpointId: number): string {
    return `memory:/${encodeURIComponent(jobName)}/chk-${checkpointId}`;
  }

  writeFile(checkpointPath: string, file: { name: string; bytes: Uint8Array }): Promise<void> {
    this.events.push({ kind: 'writeFile', path: checkpointPath, name: file.name });
    this.dir(checkpointPath).set(file.name, file.bytes.slice());
    return Promise.resolve();
  }

  commitMetadata(checkpointPath: string, bytes: Uint8Array): Promise<void> {
    this.events.push({ kind: 'commitMetadata', path: checkpointPath });
    this.dir(checkpointPath).set('_metadata', bytes.slice());
    return Promise.resolve();
  }

  readMetadata(checkpointPath: string): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.files.get(checkpointPath)?.get('_metadata'));
  }

  readFile(checkpointPath: string, name: string): Promise<Uint8Array> {
    const bytes = this.files.get(checkpointPath)?.get(name);
    if (bytes === undefined) {
      return Promise.reject(
        new CheckpointError(`No file ${name} in ${checkpointPath}.`, {
          code: CoreErrorCode.CHECKPOINT_STORAGE,
          path: checkpointPath,
        }),
      );
    }
    return Promise.resolve(bytes);
  }

  listCheckpoints(jobName: string): Promise<StoredCheckpoint[]> {
    const prefix = `memory:/${encodeURIComponent(jobName)}/chk-`;
    const found: StoredCheckpoint[] = [];
    for (const [path, files] of this.files) {
      if (!path.startsWith(prefix)) continue;
      const id = Number(path.slice(prefix.length));
      if (Number.isInteger(id)) found.push({ checkpointId: id, path, complete: files.has('_metadata') });
    }
    return Promise.resolve(found.sort((a, b) => a.checkpointId - b.checkpointId));
  }

  discard(checkpointPath: string): Promise<void> {
    this.events.push({ kind: 'discard', path: checkpointPath });
    this.files.delete(checkpointPath);
    return Promise.resolve();
  }

  private dir(path: string): Map<string, Uint8Array> {
    let dir = this.files.get(path);
    if (dir === undefined) {
      dir = new Map();
      this.files.set(path, dir);
    }
    return dir;
  }
}
