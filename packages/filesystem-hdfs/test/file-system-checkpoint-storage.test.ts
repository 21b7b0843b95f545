// FileSystemCheckpointStorage (core's CheckpointStorage on a FileSystem) against local disk and a
// real HDFS: state files first, `_metadata` last and atomically (no-overwrite rename), listing of
// complete and half-written checkpoints, discard, errors. A job restoring from checkpoints on HDFS
// runs in sigkill-file-sink.test.ts (seed 1 on HDFS).
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { FileSystemCheckpointStorage, LocalFileSystem } from '../src/index.js';
import type { FileSystem } from '../src/index.js';
import { fileSystemTargets, useTarget } from './helpers/targets.js';

const targets = fileSystemTargets('checkpoints');

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array | undefined): string | undefined => (data === undefined ? undefined : new TextDecoder().decode(data));

for (const target of targets) {
  describe(`FileSystemCheckpointStorage on ${target.name}`, () => {
    const target$ = useTarget(target);
    let fs: FileSystem;
    let root: string;
    let storage: FileSystemCheckpointStorage;
    beforeAll(() => {
      ({ fs, root } = target$);
      storage = new FileSystemCheckpointStorage({ fileSystem: fs, basePath: root });
    });

    it('a checkpoint is complete only once its _metadata is committed; state files can be replaced', async () => {
      const job = `job-${randomUUID()}`;
      const chk1 = storage.checkpointPath(job, 1);
      expect(chk1).toBe(`${root}/${job}/chk-1`);
      await storage.writeFile(chk1, { name: 'op-a', bytes: bytes('first') });
      await storage.writeFile(chk1, { name: 'op-a', bytes: bytes('state A') });
      expect(await storage.readMetadata(chk1)).toBeUndefined();
      expect(await storage.listCheckpoints(job)).toEqual([{ checkpointId: 1, path: chk1, complete: false }]);
      await storage.commitMetadata(chk1, bytes('meta 1'));
      expect(text(await storage.readMetadata(chk1))).toBe('meta 1');
      expect(text(await storage.readFile(chk1, 'op-a'))).toBe('state A');
      // No temporary names are left behind.
      expect((await fs.list(chk1)).map((e) => e.name)).toEqual(['_metadata', 'op-a']);
    });

    it('lists checkpoints by ascending id (complete or not), ignores other entries, and discards', async () => {
      const job = `job-${randomUUID()}`;
      for (const id of [10, 2, 3]) {
        await storage.writeFile(storage.checkpointPath(job, id), { name: 's', bytes: bytes(`s${id}`) });
        if (id !== 3) await storage.commitMetadata(storage.checkpointPath(job, id), bytes(`m${id}`));
      }
      await fs.writeFile(`${root}/${job}/notes.txt`, 'x');
      await fs.mkdirs(`${root}/${job}/chk-x`);
      expect((await storage.listCheckpoints(job)).map((c) => [c.checkpointId, c.complete])).toEqual([
        [2, true],
        [3, false],
        [10, true],
      ]);
      await storage.discard(storage.checkpointPath(job, 2));
      await storage.discard(storage.checkpointPath(job, 2)); // gone already: no error
      expect((await storage.listCheckpoints(job)).map((c) => c.checkpointId)).toEqual([3, 10]);
      expect(await storage.listCheckpoints(`never-${randomUUID()}`)).toEqual([]);
    });

    it('never overwrites a committed _metadata, and refuses to discard what is not a checkpoint', async () => {
      const job = `job-${randomUUID()}`;
      const chk = storage.checkpointPath(job, 7);
      await storage.commitMetadata(chk, bytes('one'));
      await expect(storage.commitMetadata(chk, bytes('two'))).rejects.toMatchObject({
        code: 'CHECKPOINT_STORAGE',
        path: `${chk}/_metadata`,
        cause: expect.objectContaining({ code: 'HDFS_FILE_ALREADY_EXISTS' }),
      });
      expect(text(await storage.readMetadata(chk))).toBe('one');
      await expect(storage.discard(`${root}/${job}`)).rejects.toMatchObject({ code: 'CHECKPOINT_STORAGE' });
      await expect(storage.readFile(chk, 'missing')).rejects.toMatchObject({
        code: 'CHECKPOINT_STORAGE',
        cause: expect.objectContaining({ code: 'HDFS_FILE_NOT_FOUND' }),
      });
    });

    it('keeps job names with separators or dots inside one directory', () => {
      expect(storage.checkpointPath('a/../b', 1)).toBe(`${root}/a%2F%2E%2E%2Fb/chk-1`);
    });
  });
}

describe('FileSystemCheckpointStorage options', () => {
  it('rejects a relative base path and a missing file system, naming the option', () => {
    const fileSystem = new LocalFileSystem();
    expect(() => new FileSystemCheckpointStorage({ fileSystem, basePath: 'rel' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', option: 'basePath' }),
    );
    expect(() => new FileSystemCheckpointStorage({ fileSystem: undefined as unknown as FileSystem, basePath: '/c' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', option: 'fileSystem' }),
    );
    expect(new FileSystemCheckpointStorage({ fileSystem, basePath: '/c/' }).location).toBe('file:/c');
  });
});
