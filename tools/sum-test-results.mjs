// Sums the vitest JSON reports of every package (test-results/vitest.json) and prints, as its
// last line, "N passed, N failed". Exits 1 when a test failed, a suite failed to load, or no
// report was found at all.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

let passed = 0;
let failed = 0;
let reports = 0;
for (const group of ['packages', 'apps', 'examples']) {
  if (!existsSync(group)) continue;
  for (const name of readdirSync(group)) {
    const file = join(group, name, 'test-results', 'vitest.json');
    if (!existsSync(file)) continue;
    const report = JSON.parse(readFileSync(file, 'utf8'));
    reports += 1;
    const suitesFailedToRun = (report.testResults ?? []).filter(
      (suite) => suite.status === 'failed' && (suite.assertionResults ?? []).length === 0,
    ).length;
    passed += report.numPassedTests;
    failed += report.numFailedTests + suitesFailedToRun;
    console.log(
      `${group}/${name}: ${report.numPassedTests} passed, ${report.numFailedTests} failed` +
        (suitesFailedToRun ? `, ${suitesFailedToRun} suites failed to load` : ''),
    );
  }
}
if (reports === 0) console.log('no test reports were found');
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || reports === 0 ? 1 : 0);
