/**
 * Checkpoint storage on any {@link FileSystem} (HDFS through WebHDFS, local disk, …): core's
 * `CheckpointStorage`, so that a job's checkpoints can live on HDFS.
 *
 * Layout: `<basePath>/<jobName>/chk-<n>/` holding the state files and, written last, `_metadata`.
 * Every file is written under a hidden temporary name and renamed into place; `_metadata` with a
 * no-overwrite rename (atomic on HDFS and locally), so a checkpoint is complete exactly when its
 * `_metadata` exists, whole.
 */
import { randomUUID } from 'node:crypto';
import { CheckpointError, ConfigError, CoreErrorCode } from '@sluice/core';
import type { CheckpointStorage, StoredCheckpoint } from '@sluice/core';
import { HdfsErrorCode, isFileSystemError } from '../errors.js';
import type { FileSystem } from '../filesystem/file-system.js';
import { normalizePath } from '../filesystem/paths.js';

/** Options of {@link FileSystemCheckpointStorage}. */
export interface FileSystemCheckpointStorageOptions {
  /** The file system to write checkpoints to. The storage does not close it. */
  readonly fileSystem: FileSystem;
  /** Absolute directory holding one sub-directory per job, e.g. `/flink/checkpoints`. */
  readonly basePath: string;
}

const METADATA = '_metadata';
const CHK = /^chk-(0|[1-9]\d*)$/;

/**
 * Core's `CheckpointStorage` on a {@link FileSystem}: state files first, `_metadata` last via
 * write-to-temp + no-overwrite rename. Errors are `CheckpointError`s (`CHECKPOINT_STORAGE`) naming
 * the path, with the file-system error as `cause`.
 */
export class FileSystemCheckpointStorage implements CheckpointStorage {
  /** `<scheme>:<basePath>`. */
  readonly location: string;
  private readonly fs: () => FileSystem;
  private readonly basePath: string;

  /** Validates the options (`CONFIG_INVALID` naming the option). */
  constructor(options: FileSystemCheckpointStorageOptions) {
    const fileSystem = options.fileSystem as FileSystem | undefined;
    if (typeof fileSystem?.rename !== 'function') {
      throw new ConfigError('fileSystem must be a FileSystem (LocalFileSystem, WebHdfsFileSystem, …).', { option: 'fileSystem' });
    }
    try {
      this.basePath = normalizePath(options.basePath, 'FileSystemCheckpointStorage');
    } catch (cause) {
      throw new ConfigError(`basePath ${JSON.stringify(options.basePath)} must be an absolute path.`, { option: 'basePath', cause });
    }
    this.fs = () => fileSystem;
    this.location = `${fileSystem.scheme}:${this.basePath}`;
  }

  checkpointPath(jobName: string, checkpointId: number): string {
    return `${this.jobDirectory(jobName)}/chk-${checkpointId}`;
  }

  async writeFile(checkpointPath: string, file: { name: string; bytes: Uint8Array }): Promise<void> {
    const target = `${checkpointPath}/${file.name}`;
    await io(target, 'write state file', async () => {
      const temp = `${checkpointPath}/.${file.name}.${randomUUID()}.tmp`;
      await this.fs().writeFile(temp, file.bytes);
      await this.fs().delete(target); // "writes or replaces"
      await this.fs().rename(temp, target);
    });
  }

  async commitMetadata(checkpointPath: string, bytes: Uint8Array): Promise<void> {
    const target = `${checkpointPath}/${METADATA}`;
    await io(target, 'commit metadata', async () => {
      const temp = `${checkpointPath}/.${METADATA}.${randomUUID()}.tmp`;
      await this.fs().writeFile(temp, bytes);
      await this.fs().rename(temp, target); // no overwrite: a checkpoint completes once
    });
  }

  async readMetadata(checkpointPath: string): Promise<Uint8Array | undefined> {
    const path = `${checkpointPath}/${METADATA}`;
    return io(path, 'read metadata', async () => {
      try {
        return await this.fs().readFile(path);
      } catch (error) {
        if (isFileSystemError(error, HdfsErrorCode.HDFS_FILE_NOT_FOUND)) return undefined;
        throw error;
      }
    });
  }

  readFile(checkpointPath: string, name: string): Promise<Uint8Array> {
    const path = `${checkpointPath}/${name}`;
    return io(path, 'read state file', () => this.fs().readFile(path));
  }

  async listCheckpoints(jobName: string): Promise<StoredCheckpoint[]> {
    const dir = this.jobDirectory(jobName);
    return io(dir, 'list checkpoints', async () => {
      if (!(await this.fs().exists(dir))) return [];
      const found: StoredCheckpoint[] = [];
      for (const entry of await this.fs().list(dir)) {
        const match = CHK.exec(entry.name);
        if (entry.type !== 'directory' || match === null) continue;
        const complete = await this.fs().exists(`${entry.path}/${METADATA}`);
        found.push({ checkpointId: Number(match[1]), path: `${dir}/${entry.name}`, complete });
      }
      return found.sort((a, b) => a.checkpointId - b.checkpointId);
    });
  }

  async discard(checkpointPath: string): Promise<void> {
    const name = checkpointPath.slice(checkpointPath.lastIndexOf('/') + 1);
    if (!CHK.test(name) || !checkpointPath.startsWith(`${this.basePath}/`)) {
      throw new CheckpointError(`Refusing to delete ${checkpointPath}: not a chk-<n> directory under ${this.basePath}.`, {
        code: CoreErrorCode.CHECKPOINT_STORAGE,
        path: checkpointPath,
      });
    }
    await io(checkpointPath, 'discard checkpoint', () => this.fs().delete(checkpointPath, { recursive: true }));
  }

  private jobDirectory(jobName: string): string {
    return `${this.basePath === '/' ? '' : this.basePath}/${encodeURIComponent(jobName).replace(/\./g, '%2E')}`;
  }
}

async function io<T>(path: string, what: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (cause) {
    const detail = cause instanceof Error ? cause.message : String(cause);
    throw new CheckpointError(`Checkpoint storage could not ${what} at ${path}: ${detail}`, {
      code: CoreErrorCode.CHECKPOINT_STORAGE,
      path,
      cause,
    });
  }
}
