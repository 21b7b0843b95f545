// The FileSystem contract against local disk (LocalFileSystem rooted in a temporary directory),
// plus local-only checks.
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalFileSystem } from '../src/index.js';
import { fileSystemContract } from './contract/file-system-contract.js';

fileSystemContract('LocalFileSystem', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-localfs-'));
  const fs = new LocalFileSystem({ root: dir, writeBufferBytes: 1024 });
  return {
    fs,
    root: '/contract',
    readIndependently: (path) => readFile(fs.localPath(path)),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('LocalFileSystem', () => {
  it('maps paths under its root and cannot be escaped with dot segments', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-localfs-'));
    try {
      const fs = new LocalFileSystem({ root: dir });
      expect(fs.localPath('/a/b')).toBe(join(dir, 'a/b'));
      await fs.writeFile('/a/b', 'x');
      expect((await stat(join(dir, 'a/b'))).size).toBe(1);
      expect(() => fs.localPath('/../etc/passwd')).toThrow(/"\." or "\.\." segment/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('buffers 256 KiB per open file by default before it writes to the file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-localfs-'));
    try {
      const fs = new LocalFileSystem({ root: dir });
      const out = await fs.create('/part');
      await out.write(Buffer.alloc(256 * 1024 - 1, 1));
      expect((await stat(join(dir, 'part'))).size).toBe(0);
      await out.write(Buffer.alloc(1, 2));
      expect((await stat(join(dir, 'part'))).size).toBe(256 * 1024);
      await out.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
