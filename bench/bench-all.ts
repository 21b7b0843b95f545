/**
 * `npm run bench`: every benchmark, one after the other, each writing its section of
 * docs/benchmarks.md (and the charts under docs/images). With `--quick` (also `npm run bench -- --quick`
 * from the repository root, which npm passes on as `npm_config_quick`) the smoke version runs and
 * writes into bench/dist/quick/ instead, so CI never touches the committed results.
 *
 * The smoke run (what `.ci/run` runs) exercises every scenario once, with one run per cell and
 * small inputs (core 10 M / keyed 1 M records, connectors 10,000 records of 100 B only, files
 * 20,000 / 5,000 records per subtask); it skips the 1 KB connector cells and runs the Flink peer
 * only in scenario A (not in B, C, D or the latency runs: each Flink job costs 15–60 s of JVM and
 * MiniCluster start). It exits non-zero when a scenario crashes or its output is wrong, never
 * because of a number.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkArgs, isQuick } from './bench-lib.js';

checkArgs(process.argv.slice(2), { usage: 'usage: node dist/bench-all.js [--quick] (from the repository root: npm run bench [-- --quick])' });
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
