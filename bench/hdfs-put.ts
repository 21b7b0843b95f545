/**
 * The HDFS ceiling line: `hdfs dfs -put` (Hadoop's FsShell, the Java client over RPC) of the same
 * bytes a benchmark wrote, timed by the driver.
 */
import { link, rm, writeFile } from 'node:fs/promises';
import type { HdfsServer } from '@sluice/testkit';

/** Copies of the file put by the second FsShell call (the first puts one). */
const COPIES = 4;

/** What {@link hdfsPut} measured. */
export interface PutCeiling {
  /** Bytes of the file. */
  fileBytes: number;
  /** Bytes the second put moved beyond the first (COPIES − 1 copies). */
  bytes: number;
  /** Wall time of the put of COPIES copies in one FsShell call, s. */
  seconds: number;
  /** Wall time of the put of one copy, s: FsShell's fixed cost (JVM start, RPC setup) plus one file. */
  fixedSeconds: number;
}

/** Bytes per second of a put, without FsShell's fixed cost (NaN when the difference is not positive). */
export function putRate(ceiling: PutCeiling): number {
  const seconds = ceiling.seconds - ceiling.fixedSeconds;
  return seconds > 0 ? ceiling.bytes / seconds : Number.NaN;
}

/**
 * Writes `text` to `localFile`, then times `-put` of it (one FsShell call) and of COPIES copies of
 * it (hard links, one FsShell call) into `remoteDir`; the difference is the time of COPIES − 1
 * files without the JVM start, which on a loaded machine varies by seconds.
 */
export async function hdfsPut(
  server: HdfsServer,
  options: { text: string; localFile: string; remoteDir: string },
): Promise<PutCeiling> {
  const { text, localFile, remoteDir } = options;
  const copies = Array.from({ length: COPIES }, (_, i) => `${localFile}.${i}`);
  await writeFile(localFile, text);
  for (const copy of copies) await link(localFile, copy);
  const put = async (files: string[], dir: string): Promise<number> => {
    const started = performance.now();
    const result = await server.fsShell(['-put', ...files, `${remoteDir}/${dir}`]);
    if (result.code !== 0) throw new Error(`hdfs dfs -put failed: ${result.stderr.slice(-1000)}`);
    return (performance.now() - started) / 1000;
  };
  try {
    await server.fsShell(['-mkdir', '-p', `${remoteDir}/one`, `${remoteDir}/many`]);
    const fixedSeconds = await put([localFile], 'one');
    const seconds = await put(copies, 'many');
    await server.fsShell(['-rm', '-r', '-skipTrash', remoteDir]);
    const fileBytes = Buffer.byteLength(text);
    return { fileBytes, bytes: fileBytes * (COPIES - 1), seconds, fixedSeconds };
  } finally {
    await Promise.all([localFile, ...copies].map((file) => rm(file, { force: true })));
  }
}
