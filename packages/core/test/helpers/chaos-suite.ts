// The per-file scaffolding of the SIGKILL suites: the bundled job script, the job processes, the
// work directories to remove and an AbortController per test, with their vitest hooks.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  bundleJob,
  JobProcesses,
  restartUntilFinished,
  type RestartOutcome,
  type RestartUntilFinishedOptions,
} from '@sluice/testkit/conformance';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';

/** What {@link useChaosSuite} sets up; `script` and `testLife` are read inside tests. */
export interface ChaosSuite {
  readonly processes: JobProcesses;
  /** Removed after all tests. */
  readonly workDirs: string[];
  /** The bundled job script (set in beforeAll). */
  readonly script: string;
  /** Aborted when a test ends, so that a timed-out scenario loop starts no more processes. */
  readonly testLife: AbortController;
  /**
   * Runs the bundled job with `restartUntilFinished` until it prints `JOB_FINISHED` and exits 0,
   * each run limited to `timeoutMs`, stopped when the current test ends.
   */
  restartUntilFinished(
    options: Pick<RestartUntilFinishedOptions, 'plan' | 'env' | 'describeRunSetup' | 'label'>,
    timeoutMs: number,
  ): Promise<RestartOutcome>;
}

/**
 * Registers the hooks of a SIGKILL suite: bundles `job` (importing `@sluice/core` from its
 * `dist/`, not bundled) before all tests, a fresh `testLife` per
 * test, aborted (and every child killed) after each; after all, the bundle and `workDirs` are removed.
 */
export function useChaosSuite(job: URL): ChaosSuite {
  const processes = new JobProcesses();
  const workDirs: string[] = [];
  let script = '';
  let testLife = new AbortController();
  beforeAll(async () => {
    // The job's task threads import the bundle and core's thread entry: one shared copy of core.
    script = await bundleJob(job, { link: ['@sluice/core'] });
  });
  beforeEach(() => {
    testLife = new AbortController();
  });
  afterEach(() => {
    testLife.abort();
    processes.killAll();
  });
  afterAll(async () => {
    testLife.abort();
    processes.killAll();
    if (script !== '') await rm(join(script, '..'), { recursive: true, force: true });
    for (const dir of workDirs) await rm(dir, { recursive: true, force: true });
  });
  return {
    processes,
    workDirs,
    get script() {
      return script;
    },
    get testLife() {
      return testLife;
    },
    restartUntilFinished: (options, timeoutMs) =>
      restartUntilFinished(processes, {
        ...options,
        script,
        isFinished: (run) => run.code === 0 && run.stdout.includes('JOB_FINISHED'),
        timeoutMs,
        signal: testLife.signal, // this test's, even if the loop outlives it
      }),
  };
}
