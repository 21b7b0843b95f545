// Helpers of the testkit's tests: finding vite-node and checking whether a process still runs.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The nearest `node_modules/.bin/vite-node` above the test directory. */
export function viteNode(): string {
  for (let dir = here; dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', '.bin', 'vite-node');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('vite-node not found in node_modules/.bin');
}

/** True while the process exists and is not a zombie. */
export function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}
