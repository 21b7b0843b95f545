/**
 * The HDFS ceiling line: `hdfs dfs -put` (Hadoop's FsShell, the Java client over RPC) of the same
 * bytes a benchmark wrote, timed by the driver.
 */
import { rm, writeFile } from 'node:fs/promises';
import type { HdfsServer } from '@sluice/testkit';

/** What {@link hdfsPut} measured. */
export interface PutCeiling {
  /** Bytes put. */
  bytes: number;
  /** Wall time of `-put` of the bytes, s (includes FsShell's JVM start). */
  seconds: number;
  /** Wall time of `-put` of an empty file, s: FsShell's fixed cost (JVM start, RPC setup). */
  fixedSeconds: number;
}

/** Bytes per second of a put, without FsShell's fixed cost (NaN when the put was not slower than an empty one). */
export function putRate(ceiling: PutCeiling): number {
  const seconds = ceiling.seconds - ceiling.fixedSeconds;
  return seconds > 0 ? ceiling.bytes / seconds : Number.NaN;
}

/** Writes `text` to `localFile`, then times `-put` of an empty file and of it into `remoteDir`. */
export async function hdfsPut(
  server: HdfsServer,
  options: { text: string; localFile: string; remoteDir: string },
): Promise<PutCeiling> {
  const { text, localFile, remoteDir } = options;
  const empty = `${localFile}.empty`;
  await writeFile(localFile, text);
  await writeFile(empty, '');
  const put = async (file: string, name: string): Promise<number> => {
    const started = performance.now();
    const result = await server.fsShell(['-put', file, `${remoteDir}/${name}`]);
    if (result.code !== 0) throw new Error(`hdfs dfs -put failed: ${result.stderr.slice(-1000)}`);
    return (performance.now() - started) / 1000;
  };
  try {
    await server.fsShell(['-mkdir', '-p', remoteDir]);
    const fixedSeconds = await put(empty, 'empty');
    const seconds = await put(localFile, 'data');
    await server.fsShell(['-rm', '-r', '-skipTrash', remoteDir]);
    return { bytes: Buffer.byteLength(text), seconds, fixedSeconds };
  } finally {
    await rm(localFile, { force: true });
    await rm(empty, { force: true });
  }
}
