/**
 * Summarises V8 `.cpuprofile` files (from `node --cpu-prof`): self time per function and per
 * package, heaviest first. Used for the profiling notes in docs/benchmarks.md:
 *
 *   SLUICE_BENCH_CPU_PROF=1 node dist/connectors.js --only A,sluice --repeats 1   (or =sluice,raw)
 *   node dist/cpu-profile-top.js dist/profiles/sluice/*.cpuprofile
 */
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function packageOf(url: string): string {
  if (url === '') return '(native / V8)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules !== null) return modules[1] ?? url;
  const workspace = /\/packages\/([^/]+)\//.exec(url);
  if (workspace !== null) return `@sluice/${workspace[1] ?? ''}`;
  if (url.startsWith('node:')) return 'node core';
  if (url.includes('/bench/')) return 'bench (job code)';
  return url;
}

const bySelf = new Map<string, number>();
const byPackage = new Map<string, number>();
let total = 0;
for (const file of process.argv.slice(2)) {
  const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  profile.samples.forEach((id, i) => {
    const node = nodes.get(id);
    const dt = profile.timeDeltas[i] ?? 0;
    if (node === undefined) return;
    const { functionName, url, lineNumber } = node.callFrame;
    const short = url.replace(/^.*\/(node_modules|packages)\//, '');
    const name = `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}`;
    if (functionName === '(idle)' || functionName === '(program)') return;
    total += dt;
    bySelf.set(name, (bySelf.get(name) ?? 0) + dt);
    byPackage.set(packageOf(url), (byPackage.get(packageOf(url)) ?? 0) + dt);
  });
}
const top = (map: Map<string, number>, n: number): string[] =>
  [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(
      ([name, us]) =>
        `${((us / total) * 100).toFixed(1).padStart(5)} %  ${(us / 1000).toFixed(0).padStart(6)} ms  ${name}`,
    );
console.log(`busy (non-idle) samples: ${(total / 1000).toFixed(0)} ms\n\nby package:`);
console.log(top(byPackage, 12).join('\n'));
console.log('\nby function (self time):');
console.log(top(bySelf, 25).join('\n'));
