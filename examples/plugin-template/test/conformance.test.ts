// The connector conformance suite from @sluice/testkit, run on this connector the way a third
// party would: the built job (dist/bin/copy-lines.js) runs as a child process, once without
// failures, then SIGKILLed at seeded random moments and restarted until it finishes; the
// committed output, read by a plain file reader, must equal the failure-free run's. A missing
// input file must fail the job with a message naming it, and commit nothing.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConnectorConformance, type ConformanceScenario } from '@sluice/testkit/conformance';
import { afterAll, describe, expect, it } from 'vitest';

/** Three input files of numbered lines in the scenario's folder; returns their paths. */
async function writeInputs(dir: string, perFile: number): Promise<string[]> {
  return Promise.all(
    [0, 1, 2].map(async (f) => {
      const path = join(dir, `input-${f}.txt`);
      await writeFile(path, Array.from({ length: perFile }, (_, i) => `file${f}-line${i}\n`).join(''));
      return path;
    }),
  );
}

/** The independent reader: every line of every committed file; it knows only the output format. */
async function committedLines(scenario: ConformanceScenario): Promise<string[]> {
  const dir = join(scenario.dir, 'out', 'committed');
  const names = await readdir(dir).catch(() => []);
  const texts = await Promise.all(names.map((name) => readFile(join(dir, name), 'utf8')));
  return texts.flatMap((text) => text.split('\n').filter((line) => line !== ''));
}

/** The job's arguments: `<output-dir> <checkpoint-dir> <file>...`, all inside the scenario. */
function copyLinesArgs(scenario: ConformanceScenario, inputs: readonly string[]): string[] {
  return [join(scenario.dir, 'out'), join(scenario.dir, 'checkpoints'), ...inputs];
}

const conformance = new ConnectorConformance({
  script: fileURLToPath(new URL('../dist/bin/copy-lines.js', import.meta.url)),
  guarantee: 'exactly-once',
  prepare: async (scenario) => ({
    args: copyLinesArgs(scenario, await writeInputs(scenario.dir, 3000)),
    env: { CHECKPOINT_INTERVAL_MS: '100', PAUSE_EVERY: '4' },
  }),
  readOutput: committedLines,
  // The job needs 2-3 s; kills land well before its end.
  timerWindowMs: [150, 750],
  isFinished: (run) => run.code === 0 && run.stdout.includes('JOB_FINISHED'),
  badInput: {
    prepare: (scenario) => ({ args: copyLinesArgs(scenario, [join(scenario.dir, 'no-such-file.txt')]) }),
    check: async (run, scenario) => {
      expect(run.code).not.toBe(0);
      expect(run.stderr).toContain('no-such-file.txt');
      expect(await committedLines(scenario)).toEqual([]);
    },
  },
});
afterAll(() => conformance.close());

describe('connector conformance (@sluice/testkit)', () => {
  it('a failure-free run copies every line once', async () => {
    const output = await conformance.runFailureFree();
    expect(output).toHaveLength(9000);
    expect(new Set(output).size).toBe(9000);
  });

  it('SIGKILLed at seeded moments and restarted, the output equals the failure-free run (exactly-once)', async () => {
    const seed = Number(process.env['SLUICE_CHAOS_SEED'] ?? 42);
    const report = await conformance.runWithKills({ seed, kills: 4 });
    expect(report.kills, report.log.join('\n')).toBeGreaterThanOrEqual(3);
    expect(report.comparison.duplicates).toBe(0);
  });

  it('a missing input file fails the job, naming the file, and commits nothing', async () => {
    await conformance.runBadInput();
  });
});
