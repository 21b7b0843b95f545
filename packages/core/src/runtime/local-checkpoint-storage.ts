/**
 * Checkpoint storage in a local directory: `<directory>/<jobName>/chk-<n>/` holding one
 * `<operatorUid>-<subtask>.state` file per stateful operator subtask and `_metadata`, written last
 * through write-temp + fsync + rename + fsync of the directory, then of the job directory (the
 * `chk-<n>` entry) and, once per job directory, of the root and its parent (entries `mkdir` may
 * have created): a checkpoint whose completion sinks were told of survives an operating-system crash or
 * power loss, not only a killed process.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CheckpointError, CoreErrorCode } from '../errors.js';
import type { CheckpointStorage, StoredCheckpoint } from './checkpoint-storage.js';

const METADATA = '_metadata';
const CHK = /^chk-(\d+)$/;

/** Options of {@link LocalCheckpointStorage}. */
export interface LocalCheckpointStorageOptions {
  /** Root directory; created when missing. */
  readonly directory: string;
}

/** {@link CheckpointStorage} in a local directory. */
export class LocalCheckpointStorage implements CheckpointStorage {
  /** Absolute root directory. */
  readonly location: string;
  /** Job directories whose own entry (and the root's) is known to be durable. */
  private readonly durableJobDirs = new Set<string>();

  constructor(options: LocalCheckpointStorageOptions) {
    if (typeof options.directory !== 'string' || options.directory.length === 0) {
      throw new CheckpointError('LocalCheckpointStorage needs a non-empty `directory`.', {
        code: CoreErrorCode.CONFIG_INVALID,
        option: 'directory',
      });
    }
    this.location = resolve(options.directory);
  }

  checkpointPath(jobName: string, checkpointId: number): string {
    return join(this.location, encodeURIComponent(jobName), `chk-${checkpointId}`);
  }

  async writeFile(checkpointPath: string, file: { name: string; bytes: Uint8Array }): Promise<void> {
    await io(checkpointPath, async () => {
      await mkdir(checkpointPath, { recursive: true });
      await writeDurably(join(checkpointPath, file.name), file.bytes);
    });
  }

  async commitMetadata(checkpointPath: string, bytes: Uint8Array): Promise<void> {
    await io(checkpointPath, async () => {
      await mkdir(checkpointPath, { recursive: true });
      const temp = join(checkpointPath, `${METADATA}.${randomUUID()}.tmp`);
      await writeDurably(temp, bytes);
      await rename(temp, join(checkpointPath, METADATA));
      await syncDirectory(checkpointPath);
      const jobDir = dirname(checkpointPath);
      await syncDirectory(jobDir);
      if (!this.durableJobDirs.has(jobDir)) {
        await syncDirectory(this.location);
        await syncDirectory(dirname(this.location));
        this.durableJobDirs.add(jobDir);
      }
    });
  }

  async readMetadata(checkpointPath: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(join(checkpointPath, METADATA)));
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw storageError(checkpointPath, error);
    }
  }

  async readFile(checkpointPath: string, name: string): Promise<Uint8Array> {
    return io(join(checkpointPath, name), async () => new Uint8Array(await readFile(join(checkpointPath, name))));
  }

  async listCheckpoints(jobName: string): Promise<StoredCheckpoint[]> {
    const jobDir = join(this.location, encodeURIComponent(jobName));
    let names: string[];
    try {
      names = await readdir(jobDir);
    } catch (error) {
      if (isMissing(error)) return [];
      throw storageError(jobDir, error);
    }
    const found: StoredCheckpoint[] = [];
    for (const name of names) {
      const match = CHK.exec(name);
      if (match === null) continue;
      const path = join(jobDir, name);
      found.push({ checkpointId: Number(match[1]), path, complete: await exists(join(path, METADATA)) });
    }
    return found.sort((a, b) => a.checkpointId - b.checkpointId);
  }

  async discard(checkpointPath: string): Promise<void> {
    if (!CHK.test(basename(checkpointPath))) {
      throw new CheckpointError(`Refusing to delete ${checkpointPath}: not a chk-<n> directory.`, {
        code: CoreErrorCode.CHECKPOINT_STORAGE,
        path: checkpointPath,
      });
    }
    await io(checkpointPath, () => rm(checkpointPath, { recursive: true, force: true }));
  }
}

async function writeDurably(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDirectory(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'r');
    await handle.sync();
  } catch {
    // Some platforms cannot fsync a directory; the rename itself is still atomic.
  } finally {
    await handle?.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw storageError(path, error);
  }
}

async function io<TResult>(path: string, action: () => Promise<TResult>): Promise<TResult> {
  try {
    return await action();
  } catch (error) {
    throw storageError(path, error);
  }
}

function isMissing(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ENOENT';
}

function storageError(path: string, cause: unknown): CheckpointError {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return new CheckpointError(
    `Checkpoint storage failed at ${path}: ${detail}. Check that the checkpoint directory is writable and has space.`,
    { code: CoreErrorCode.CHECKPOINT_STORAGE, path, cause, retriable: true },
  );
}
