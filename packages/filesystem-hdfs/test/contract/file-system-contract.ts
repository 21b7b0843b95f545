// The FileSystem contract: ONE suite, run against every implementation (LocalFileSystem,
// WebHdfsFileSystem on a real HDFS). An implementation passes when its behaviour, including the
// error codes, is the same as the others'.
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toWritable } from '../../src/index.js';
import type { FileSystem } from '../../src/index.js';

/** What an implementation supplies to the contract. */
export interface FileSystemContractContext {
  /** The file system under test. */
  readonly fs: FileSystem;
  /** A fresh, empty directory path (absolute, in the file system's namespace) for this run. */
  readonly root: string;
  /** Reads a file with a reader independent of `fs` (Hadoop's FsShell, node:fs). */
  readonly readIndependently: (path: string) => Promise<Buffer>;
  /** Stops what the context started. */
  readonly dispose: () => Promise<void>;
}

const MiB = 1024 * 1024;
/** The smallest block size HDFS accepts by default; lets tests cross block boundaries cheaply. */
const BLOCK = MiB;

/** Bytes whose content depends on position, so misplaced or doubled bytes are detected. */
export function pattern(length: number, seed = 0): Buffer {
  const buf = Buffer.alloc(length);
  for (let i = 0; i < length; i++) buf[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return buf;
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function rejection(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('expected the operation to fail, but it succeeded');
}

/** Registers the contract tests for one implementation. */
export function fileSystemContract(name: string, makeContext: () => Promise<FileSystemContractContext>): void {
  describe(`FileSystem contract: ${name}`, () => {
    let ctx: FileSystemContractContext;
    let fs: FileSystem;
    const p = (...segments: string[]): string => [ctx.root, ...segments].join('/');
    const fresh = (): string => p(randomUUID());

    beforeAll(async () => {
      ctx = await makeContext();
      fs = ctx.fs;
      await fs.mkdirs(ctx.root);
    });
    afterAll(async () => {
      if (ctx === undefined) return;
      await fs.delete(ctx.root, { recursive: true });
      await fs.close();
      await ctx.dispose();
    });

    it('create makes an empty file at once (parents included) and never overwrites', async () => {
      const path = p('create', 'nested', 'a');
      const out = await fs.create(path);
      expect(await fs.exists(path)).toBe(true);
      expect((await fs.status(path)).length).toBe(0);
      await out.write('first');
      expect(await out.close()).toBe(5);

      const error = await rejection(fs.create(path));
      expect(error).toMatchObject({ code: 'HDFS_FILE_ALREADY_EXISTS', path });
      expect(String(error['message'])).toContain(path);
      expect(String(error['message'])).toMatch(/never overwritten/);
      expect(Buffer.from(await fs.readFile(path)).toString()).toBe('first');
      await expect(fs.writeFile(path, 'other')).rejects.toMatchObject({ code: 'HDFS_FILE_ALREADY_EXISTS' });
      expect(Buffer.from(await fs.readFile(path)).toString()).toBe('first');
    });

    it('write/flush/close: position counts buffered bytes, flush returns the durable length', async () => {
      const path = fresh();
      const out = await fs.create(path);
      await out.write('abc');
      await out.write(new Uint8Array([100, 101]));
      expect(out.position).toBe(5);
      expect(await out.flush()).toBe(5);
      expect(out.durableLength).toBe(5);
      expect((await fs.status(path)).length).toBe(5);
      expect(await out.flush()).toBe(5); // nothing new: no-op
      await out.write('f');
      expect(await out.close()).toBe(6);
      expect(await out.close()).toBe(6); // idempotent
      expect(out.closed).toBe(true);
      await expect(out.write('x')).rejects.toMatchObject({ code: 'HDFS_OUTPUT_CLOSED' });
      expect(Buffer.from(await fs.readFile(path)).toString()).toBe('abcdef');
    });

    it('abort drops buffered bytes and keeps flushed ones', async () => {
      const path = fresh();
      const out = await fs.create(path);
      await out.write('kept');
      await out.flush();
      await out.write('dropped');
      await out.abort();
      expect(Buffer.from(await fs.readFile(path)).toString()).toBe('kept');
    });

    it('append continues at the end of an existing file; read back whole, ranged and streamed', async () => {
      const path = fresh();
      const first = pattern(3000, 1);
      const second = pattern(5000, 2);
      await fs.writeFile(path, first);
      const out = await fs.append(path);
      expect(out.position).toBe(3000);
      await out.write(second);
      expect(await out.close()).toBe(8000);
      const all = Buffer.concat([first, second]);
      expect(Buffer.from(await fs.readFile(path)).equals(all)).toBe(true);
      expect(Buffer.from(await fs.readFile(path, { offset: 2990, length: 20 })).equals(all.subarray(2990, 3010))).toBe(true);
      expect((await collect(await fs.open(path, { offset: 7000 }))).equals(all.subarray(7000))).toBe(true);
      expect((await collect(await fs.open(path))).equals(all)).toBe(true);
      await expect(fs.append(fresh())).rejects.toMatchObject({ code: 'HDFS_FILE_NOT_FOUND' });
      await expect(fs.readFile(fresh())).rejects.toMatchObject({ code: 'HDFS_FILE_NOT_FOUND' });
    });

    it('writeFile streams a large body in one create and returns its length', async () => {
      const path = fresh();
      const chunks = [pattern(MiB, 3), pattern(MiB, 4), pattern(123, 5)];
      const length = await fs.writeFile(path, Readable.from(chunks), { blockSize: BLOCK });
      expect(length).toBe(2 * MiB + 123);
      expect(Buffer.from(await fs.readFile(path)).equals(Buffer.concat(chunks))).toBe(true);
      const path2 = fresh();
      async function* gen(): AsyncGenerator<Uint8Array> {
        yield pattern(10, 6);
        yield pattern(20, 7);
      }
      expect(await fs.writeFile(path2, gen())).toBe(30);
    });

    it('a FileOutput can be the end of a stream pipeline (toWritable)', async () => {
      const path = fresh();
      const chunks = [pattern(70_000, 14), pattern(5, 15), pattern(100_000, 16)];
      const out = await fs.create(path);
      await pipeline(Readable.from(chunks), toWritable(out));
      expect(out.closed).toBe(true);
      expect(Buffer.from(await fs.readFile(path)).equals(Buffer.concat(chunks))).toBe(true);
    });

    it('status/exists of a path below a file: not found', async () => {
      const file = fresh();
      await fs.writeFile(file, 'f');
      expect(await fs.exists(`${file}/child`)).toBe(false);
      await expect(fs.status(`${file}/child`)).rejects.toMatchObject({ code: 'HDFS_FILE_NOT_FOUND' });
    });

    it('what was written is read back identically by an independent reader', async () => {
      const path = p('independent', 'file.txt');
      const text = Array.from({ length: 2000 }, (_, i) => `record-${i}`).join('\n') + '\n';
      const out = await fs.create(path);
      for (const line of text.split(/(?<=\n)/)) await out.write(line);
      await out.close();
      expect((await ctx.readIndependently(path)).toString()).toBe(text);
    });

    it('rename moves a file and never overwrites (the commit rename)', async () => {
      const dir = fresh();
      await fs.mkdirs(dir);
      const src = `${dir}/src.inprogress`;
      const dst = `${dir}/part-0-0`;
      await fs.writeFile(src, 'payload');
      await fs.rename(src, dst);
      expect(await fs.exists(src)).toBe(false);
      expect(Buffer.from(await fs.readFile(dst)).toString()).toBe('payload');

      await fs.writeFile(src, 'second');
      const exists = await rejection(fs.rename(src, dst));
      expect(exists).toMatchObject({ code: 'HDFS_FILE_ALREADY_EXISTS' });
      expect(Buffer.from(await fs.readFile(dst)).toString()).toBe('payload');
      expect(Buffer.from(await fs.readFile(src)).toString()).toBe('second');

      await expect(fs.rename(`${dir}/missing`, `${dir}/x`)).rejects.toMatchObject({ code: 'HDFS_FILE_NOT_FOUND' });
      await expect(fs.rename(src, `${dir}/no-such-dir/x`)).rejects.toMatchObject({ code: 'HDFS_FILE_NOT_FOUND' });

      const otherDir = fresh();
      await fs.mkdirs(otherDir);
      await expect(fs.rename(src, otherDir)).rejects.toMatchObject({ code: 'HDFS_FILE_ALREADY_EXISTS' });
      await fs.rename(src, `${otherDir}/moved`);
      expect(Buffer.from(await fs.readFile(`${otherDir}/moved`)).toString()).toBe('second');
    });

    it('a file open for append can be renamed', async () => {
      const src = fresh();
      const dst = fresh();
      const out = await fs.create(src);
      await out.write('before');
      await out.flush();
      await fs.rename(src, dst);
      expect(Buffer.from(await fs.readFile(dst)).toString()).toBe('before');
      await out.abort();
    });

    it('delete: file, missing path, non-empty directory with and without recursive', async () => {
      const dir = fresh();
      await fs.writeFile(`${dir}/a/b`, 'x');
      await fs.writeFile(`${dir}/c`, 'y');
      expect(await fs.delete(`${dir}/c`)).toBe(true);
      expect(await fs.exists(`${dir}/c`)).toBe(false);
      expect(await fs.delete(`${dir}/c`)).toBe(false);
      await expect(fs.delete(dir)).rejects.toMatchObject({ code: 'HDFS_DIRECTORY_NOT_EMPTY', path: dir });
      expect(await fs.delete(dir, { recursive: true })).toBe(true);
      expect(await fs.exists(dir)).toBe(false);
    });

    it('mkdirs creates parents, is idempotent, and fails over a file', async () => {
      const dir = `${fresh()}/x/y/z`;
      await fs.mkdirs(dir);
      await fs.mkdirs(dir);
      expect((await fs.status(dir)).type).toBe('directory');
      const file = fresh();
      await fs.writeFile(file, 'f');
      await expect(fs.mkdirs(file)).rejects.toMatchObject({ code: 'HDFS_WRONG_TYPE' });
      await expect(fs.mkdirs(`${file}/sub`)).rejects.toMatchObject({ code: 'HDFS_WRONG_TYPE' });
    });

    it('list returns entries sorted by name with type and length; a file lists itself', async () => {
      const dir = fresh();
      await fs.writeFile(`${dir}/b`, '22');
      await fs.writeFile(`${dir}/a`, '1');
      await fs.mkdirs(`${dir}/c`);
      const entries = await fs.list(dir);
      expect(entries.map((e) => [e.name, e.type, e.length, e.path])).toEqual([
        ['a', 'file', 1, `${dir}/a`],
        ['b', 'file', 2, `${dir}/b`],
        ['c', 'directory', 0, `${dir}/c`],
      ]);
      expect((await fs.list(`${dir}/a`)).map((e) => e.path)).toEqual([`${dir}/a`]);
      expect(await fs.list(`${dir}/c`)).toEqual([]);
      await expect(fs.list(`${dir}/missing`)).rejects.toMatchObject({ code: 'HDFS_FILE_NOT_FOUND' });
    });

    it('status reports length, type and modification time; exists', async () => {
      const before = Date.now();
      const path = fresh();
      await fs.writeFile(path, pattern(777));
      const s = await fs.status(path);
      expect(s).toMatchObject({ path, type: 'file', length: 777 });
      // Clocks of this host and the NameNode may differ a little.
      expect(Math.abs(s.modificationTime - before)).toBeLessThan(120_000);
      expect(await fs.exists(path)).toBe(true);
      expect(await fs.exists(`${path}-missing`)).toBe(false);
      const missing = await rejection(fs.status(`${path}-missing`));
      expect(missing).toMatchObject({ code: 'HDFS_FILE_NOT_FOUND', path: `${path}-missing` });
      expect(String(missing['message'])).toContain(`${path}-missing`);
    });

    it('truncate mid-block waits for recovery, then the file can be appended to', async () => {
      expect(fs.supportsTruncate).toBe(true);
      const path = fresh();
      const data = pattern(BLOCK + BLOCK / 2, 8);
      await fs.writeFile(path, data, { blockSize: BLOCK });
      await fs.truncate(path, BLOCK + 1000);
      expect((await fs.status(path)).length).toBe(BLOCK + 1000);
      const out = await fs.append(path);
      expect(out.position).toBe(BLOCK + 1000);
      await out.write('tail');
      await out.close();
      const expected = Buffer.concat([data.subarray(0, BLOCK + 1000), Buffer.from('tail')]);
      expect(Buffer.from(await fs.readFile(path)).equals(expected)).toBe(true);
    });

    it('truncate at a block boundary, to zero, to the same length; past the end fails', async () => {
      const path = fresh();
      const data = pattern(BLOCK + 4096, 9);
      await fs.writeFile(path, data, { blockSize: BLOCK });
      await fs.truncate(path, BLOCK);
      expect((await fs.status(path)).length).toBe(BLOCK);
      await fs.truncate(path, BLOCK);
      expect(Buffer.from(await fs.readFile(path)).equals(data.subarray(0, BLOCK))).toBe(true);
      await expect(fs.truncate(path, BLOCK + 1)).rejects.toMatchObject({ code: 'HDFS_ILLEGAL_ARGUMENT', path });
      await fs.truncate(path, 0);
      expect((await fs.status(path)).length).toBe(0);
      await expect(fs.truncate(fresh(), 0)).rejects.toMatchObject({ code: 'HDFS_FILE_NOT_FOUND' });
    });

    it('rejects relative paths and dot segments before touching the file system', async () => {
      await expect(fs.status('relative/path')).rejects.toMatchObject({ code: 'HDFS_PATH_UNSAFE' });
      await expect(fs.create(`${ctx.root}/../escape`)).rejects.toMatchObject({ code: 'HDFS_PATH_UNSAFE' });
    });
  });
}
