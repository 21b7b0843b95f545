// The conformance suite run against a stand-in job (test/fixtures/numbers-job.ts): it passes a
// job that keeps its promise, and fails one that does not.
import { readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleJob,
  ConnectorConformance,
  type ConformanceScenario,
} from '../src/conformance/index.js';
import { isTestkitError } from '../src/errors.js';

let script = '';
beforeAll(async () => {
  script = await bundleJob(new URL('./fixtures/numbers-job.ts', import.meta.url));
});
afterAll(async () => {
  if (script !== '') await rm(dirname(script), { recursive: true, force: true });
});

async function readNumbers(scenario: ConformanceScenario): Promise<string[]> {
  const out = join(scenario.dir, 'out');
  const files = (await readdir(out)).filter((name) => name.endsWith('.txt'));
  const texts = await Promise.all(files.map((name) => readFile(join(out, name), 'utf8')));
  return texts.flatMap((text) => text.split('\n').filter((line) => line !== ''));
}

function numbersJob(
  mode: 'exactly-once' | 'at-least-once',
  guarantee: 'exactly-once' | 'at-least-once',
): ConnectorConformance {
  return new ConnectorConformance({
    get script() {
      return script;
    },
    guarantee,
    prepare: (scenario) => ({
      env: { NUMBERS_DIR: scenario.dir, NUMBERS_COUNT: '2000', NUMBERS_MODE: mode },
    }),
    readOutput: readNumbers,
    killPoints: ['chunk.written'],
    timerWindowMs: [50, 300],
    isFinished: (run) => run.code === 0 && run.stdout.includes('JOB_FINISHED'),
    badInput: {
      prepare: (scenario) => ({ env: { NUMBERS_DIR: scenario.dir, NUMBERS_COUNT: 'many' } }),
      check: (run) => {
        expect(run.code).toBe(2);
        expect(run.stderr).toContain('NUMBERS_COUNT must be an integer');
      },
    },
  });
}

describe('ConnectorConformance', () => {
  const exactlyOnce = numbersJob('exactly-once', 'exactly-once');
  const atLeastOnce = numbersJob('at-least-once', 'at-least-once');
  const broken = numbersJob('at-least-once', 'exactly-once');
  afterAll(async () => {
    await Promise.all([exactlyOnce.close(), atLeastOnce.close(), broken.close()]);
  });

  it('records the failure-free output and passes a job that keeps exactly-once through seeded kills', async () => {
    expect(await exactlyOnce.runFailureFree()).toHaveLength(2000);
    const report = await exactlyOnce.runWithKills({ seed: 1, kills: 3 });
    expect(report.kills, report.log.join('\n')).toBeGreaterThanOrEqual(1);
    expect(report.comparison).toMatchObject({ passed: true, duplicates: 0, missingCount: 0 });
  });

  it('counts the duplicates of an at-least-once job and passes it as at-least-once', async () => {
    const report = await atLeastOnce.runWithKills({ seed: 2, kills: 2 });
    expect(report.comparison.passed).toBe(true);
    expect(report.comparison.missingCount).toBe(0);
  });

  it('fails an at-least-once job that claims exactly-once, naming the seed and the duplicates', async () => {
    // Killed at an injected point right after a chunk is appended: that chunk is written again.
    const error: unknown = await broken
      .runWithKills({ seed: 4, kills: 3 })
      .catch((e: unknown) => e);
    expect(isTestkitError(error) && error.code).toBe('TESTKIT_CONFORMANCE_FAILED');
    expect(String(error)).toMatch(/seed 4 .*exactly-once VIOLATED/s);
  });

  it('hands a bad-input run to the check', async () => {
    const run = await exactlyOnce.runBadInput();
    expect(run.code).toBe(2);
  });
});
