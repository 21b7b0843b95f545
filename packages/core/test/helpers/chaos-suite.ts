// The per-file scaffolding of the SIGKILL suites: the bundled job script, the job processes, the
// work directories to remove and an AbortController per test, with their vitest hooks.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleJob, JobProcesses } from '@sluice/testkit/conformance';
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
}

/**
 * Registers the hooks of a SIGKILL suite: bundles `job` before all tests, a fresh `testLife` per
 * test, aborted (and every child killed) after each; after all, the bundle and `workDirs` are removed.
 */
export function useChaosSuite(job: URL): ChaosSuite {
  const processes = new JobProcesses();
  const workDirs: string[] = [];
  let script = '';
  let testLife = new AbortController();
  beforeAll(async () => {
    script = await bundleJob(job);
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
  };
}
