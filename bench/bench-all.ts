/**
 * `npm run bench`: every benchmark, one after the other, each writing its section of
 * docs/benchmarks.md (and the charts under docs/images). With `--quick` (also `npm run bench -- --quick`
 * from the repository root, which npm passes on as `npm_config_quick`) the smoke version runs and
 * writes into bench/dist/quick/ instead, so CI never touches the committed results.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isQuick } from './bench-lib.js';

const quick = isQuick(process.argv.slice(2));
const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '..', '..');
const outDir = quick ? join(here, 'quick') : join(repo, 'docs');
mkdirSync(outDir, { recursive: true });
const out = join(outDir, 'benchmarks.md');
const images = quick ? join(outDir, 'images') : join(repo, 'docs', 'images');
const flag = quick ? ['--quick'] : [];
const started = Date.now();
const steps: [string, string[]][] = [
  ['core-throughput.js', [...flag, '--out', out]],
  ['core-keyed.js', [...flag, '--out', out]],
  ['serialization.js', [...flag, '--out', out]],
  ['files.js', [...flag, '--out', out]],
  ['connectors.js', [...flag, '--out', out, '--images', images]],
];
let failed = false;
for (const [script, args] of steps) {
  const result = spawnSync(process.execPath, [join(here, script), ...args], { stdio: 'inherit' });
  if (result.status !== 0) {
    failed = true;
    console.error(`${script} failed (${result.status ?? result.signal})`);
  }
}
console.error(
  `bench: ${((Date.now() - started) / 1000).toFixed(0)} s${quick ? ` (quick; results in ${out})` : `; results in ${out}`}`,
);
process.exitCode = failed ? 1 : 0;
