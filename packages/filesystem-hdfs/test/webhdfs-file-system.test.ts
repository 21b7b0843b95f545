// The FileSystem contract against a REAL HDFS (NameNode + DataNode from Maven Central jars, started
// once per run by test/global-setup.ts through @sluice/testkit), with Hadoop's own FsShell as the
// independent reader.
import { randomUUID } from 'node:crypto';
import { createFsShell } from '@sluice/testkit';
import { inject } from 'vitest';
import { WebHdfsFileSystem } from '../src/index.js';
import { fileSystemContract } from './contract/file-system-contract.js';

fileSystemContract('WebHdfsFileSystem (real HDFS)', async () => {
  const hdfs = inject('sluiceHdfs');
  const fsShell = createFsShell(hdfs);
  const fs = new WebHdfsFileSystem({ url: hdfs.webhdfsUrl, user: hdfs.user, appendBufferBytes: 64 * 1024 });
  return {
    fs,
    root: `/contract-${randomUUID()}`,
    readIndependently: async (path) => {
      const result = await fsShell(['-cat', path]);
      if (result.code !== 0) throw new Error(`FsShell -cat ${path} failed (${result.code}): ${result.stderr}`);
      return Buffer.from(result.stdout, 'utf8');
    },
    dispose: async () => {},
  };
});
