/**
 * The finished part files a file sink left in a directory tree (hidden in-progress and pending
 * files excluded), on any Sluice `FileSystem` (local disk, HDFS), and the lines they hold.
 */
import type { FileStatus, FileSystem } from '@sluice/filesystem-hdfs';

/** The finished (non-hidden) files under `dir`, recursively; none when `dir` does not exist. */
export async function finishedFiles(fileSystem: FileSystem, dir: string): Promise<FileStatus[]> {
  if (!(await fileSystem.exists(dir))) return [];
  const files: FileStatus[] = [];
  for (const entry of await fileSystem.list(dir)) {
    if (entry.name.startsWith('.') || entry.name.startsWith('_')) continue;
    if (entry.type === 'directory') files.push(...(await finishedFiles(fileSystem, entry.path)));
    else if (entry.type === 'file') files.push(entry);
  }
  return files;
}

/** Newline-terminated lines in the finished files under `dir`. */
export async function finishedLines(fileSystem: FileSystem, dir: string): Promise<number> {
  let lines = 0;
  for (const file of await finishedFiles(fileSystem, dir)) {
    const bytes = await fileSystem.readFile(file.path);
    for (const byte of bytes) if (byte === 10) lines += 1;
  }
  return lines;
}
