// Injected kill points on worker threads: the SIGKILL ends the whole process and the parent
// still learns which point fired (the marker line must not be lost on its way to stderr).
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bundleJob, JobProcesses } from '../src/conformance/index.js';

const processes = new JobProcesses();
let script = '';
beforeAll(async () => {
  script = await bundleJob(new URL('./fixtures/thread-kill-job.ts', import.meta.url));
});
afterEach(() => processes.killAll());
afterAll(async () => {
  if (script !== '') await rm(dirname(script), { recursive: true, force: true });
});

describe('killPoint on a worker thread', () => {
  it('kills the process and reports the point, every time', async () => {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const run = await processes.run(script, { env: { SLUICE_KILL_AT: 'thread.work:1' }, timeoutMs: 20_000 });
      expect(run.signal, run.stderr).toBe('SIGKILL');
      expect(run.killedBy, run.stderr).toBe('kill-point');
      expect(run.killPoint).toBe('thread.work:1');
    }
  });
});
