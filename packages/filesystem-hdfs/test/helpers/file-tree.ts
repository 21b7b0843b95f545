// Reads a directory tree of a FileSystem back, for assertions on a sink's output.
import type { FileSystem } from '../../src/index.js';

/**
 * Every file under `dir` (recursively) whose name passes `include`, as relative path → UTF-8
 * content. A missing `dir` gives an empty map.
 */
export async function readTree(
  fs: FileSystem,
  dir: string,
  include: (name: string) => boolean = () => true,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (path: string, rel: string): Promise<void> => {
    if (!(await fs.exists(path))) return;
    for (const entry of await fs.list(path)) {
      const name = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.type === 'directory') await walk(entry.path, name);
      else if (include(entry.name)) out.set(name, Buffer.from(await fs.readFile(entry.path)).toString('utf8'));
    }
  };
  await walk(dir, '');
  return out;
}
