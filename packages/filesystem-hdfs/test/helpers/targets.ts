// The two file systems the sink tests run against: local disk (a temporary directory) and the
// real HDFS of test/global-setup.ts. Each test file gets a fresh root and removes it afterwards.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, inject } from 'vitest';
import { LocalFileSystem, WebHdfsFileSystem } from '../../src/index.js';
import type { FileSystem } from '../../src/index.js';

/** A file system under test with a fresh root directory. */
export interface TargetContext {
  readonly fs: FileSystem;
  readonly root: string;
  /** Removes the root (the caller closes `fs`). */
  readonly dispose: () => Promise<void>;
}

/** A named way to get a {@link TargetContext}. */
export interface FileSystemTarget {
  readonly name: string;
  make(): Promise<TargetContext>;
}

/** Local disk and real HDFS; `label` names the temporary directories and HDFS roots. */
export function fileSystemTargets(label: string): FileSystemTarget[] {
  return [
    {
      name: 'local disk',
      make: async () => {
        const dir = await mkdtemp(join(tmpdir(), `sluice-${label}-`));
        return { fs: new LocalFileSystem({ root: dir }), root: `/${label}`, dispose: () => rm(dir, { recursive: true, force: true }) };
      },
    },
    {
      name: 'real HDFS',
      make: () => {
        const hdfs = inject('sluiceHdfs');
        const fs = new WebHdfsFileSystem({ url: hdfs.webhdfsUrl, user: hdfs.user, appendBufferBytes: 64 * 1024 });
        const root = `/${label}-${randomUUID()}`;
        return Promise.resolve({ fs, root, dispose: async () => void (await fs.delete(root, { recursive: true })) });
      },
    },
  ];
}

/** The file system of the current describe block, set up before its tests and torn down after. */
export interface TargetHandle {
  readonly fs: FileSystem;
  readonly root: string;
  /** A fresh path under the root. */
  fresh(): string;
}

/** Registers beforeAll/afterAll for `target` in the current describe block and returns a handle. */
export function useTarget(target: FileSystemTarget): TargetHandle {
  let context: TargetContext | undefined;
  beforeAll(async () => {
    context = await target.make();
  });
  afterAll(async () => {
    await context?.dispose();
    await context?.fs.close();
  });
  const current = (): TargetContext => {
    if (context === undefined) throw new Error(`the ${target.name} target is not set up`);
    return context;
  };
  return {
    get fs() {
      return current().fs;
    },
    get root() {
      return current().root;
    },
    fresh: () => `${current().root}/${randomUUID()}`,
  };
}
