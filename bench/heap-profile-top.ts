/**
 * Sums a `.heapprofile` (V8's sampling heap profiler, e.g. from SLUICE_BENCH_HEAP_PROFILE) by the
 * function that allocated, and by that function's caller chain (3 frames), and prints the top
 * entries in MiB: `node dist/heap-profile-top.js <file> [count]`.
 */
import { readFileSync } from 'node:fs';

interface Node {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: Node[];
}

const [file, countArg] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: heap-profile-top <file.heapprofile> [count]');
const count = Number(countArg ?? 25);
const root = (JSON.parse(readFileSync(file, 'utf8')) as { head: Node }).head;
const bySelf = new Map<string, number>();
const byChain = new Map<string, number>();
let total = 0;

function name(node: Node): string {
  const url = node.callFrame.url.replace(/^.*node_modules\//, '').replace(/^.*\/(packages|bench)\//, '$1/');
  return `${node.callFrame.functionName || '(anonymous)'} ${url}:${node.callFrame.lineNumber + 1}`;
}

function walk(node: Node, stack: string[]): void {
  const here = [...stack, name(node)];
  if (node.selfSize > 0) {
    total += node.selfSize;
    bySelf.set(here.at(-1)!, (bySelf.get(here.at(-1)!) ?? 0) + node.selfSize);
    const chain = here.slice(-3).join(' < ');
    byChain.set(chain, (byChain.get(chain) ?? 0) + node.selfSize);
  }
  for (const child of node.children) walk(child, here);
}
walk(root, []);

const mib = (bytes: number): string => (bytes / 2 ** 20).toFixed(1).padStart(7);
console.log(`total sampled ${mib(total)} MiB`);
for (const [title, map] of [['by allocating function', bySelf], ['by the last 3 frames', byChain]] as const) {
  console.log(`\n${title}:`);
  for (const [key, size] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count)) console.log(`${mib(size)}  ${key}`);
}
