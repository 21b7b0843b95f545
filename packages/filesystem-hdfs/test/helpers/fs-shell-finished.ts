// Reads a sink's finished part files on HDFS with Hadoop's own FsShell (the independent reader).
import { createFsShell } from '@sluice/testkit';
import type { HdfsConnectionInfo } from '@sluice/testkit';

/** The visible file names under `out` (`-ls -R`) and the concatenated text of its `*\/part-*` files (`-cat`). */
export async function readFinishedWithFsShell(hdfs: HdfsConnectionInfo, out: string): Promise<{ names: string[]; text: string }> {
  const fsShell = createFsShell(hdfs);
  const listing = await fsShell(['-ls', '-R', out]);
  if (listing.code !== 0) throw new Error(`FsShell -ls -R ${out} failed: ${listing.stderr}`);
  const names = listing.stdout
    .split('\n')
    .filter((line) => line.startsWith('-'))
    .map((line) => line.slice(line.lastIndexOf('/') + 1))
    .filter((name) => !name.startsWith('.'));
  const cat = await fsShell(['-cat', `${out}/*/part-*`]);
  if (cat.code !== 0) throw new Error(`FsShell -cat failed: ${cat.stderr}`);
  return { names, text: cat.stdout };
}
