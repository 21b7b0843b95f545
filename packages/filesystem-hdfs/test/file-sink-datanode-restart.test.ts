// A DataNode restart while the FileSink job writes to a REAL HDFS: the job recovers (its appends
// are retried by the WebHDFS client; if the job fails anyway it is restarted from its last
// checkpoint) and every record is in the finished files exactly once (read with FsShell -cat).
// This file starts its own HDFS (the restart would disturb the shared one) and always stops it.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHdfs } from '@sluice/testkit';
import type { HdfsServer } from '@sluice/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebHdfsFileSystem } from '../src/index.js';
import { checkExactlyOnce, describeExactlyOnce, isExactlyOnceReport } from './helpers/exactly-once.js';
import { waitFor } from './helpers/wait-for.js';
import { bundleScript, JobProcesses } from './jobs/job-processes.js';
import type { JobRun } from './jobs/job-processes.js';

const TOTAL = 6000;

describe('FileSink job across a DataNode restart (real HDFS)', () => {
  let hdfs: HdfsServer | undefined;
  let jobs: JobProcesses | undefined;
  let dir = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sluice-fs-dn-'));
    const [server, script] = await Promise.all([startHdfs(), bundleScript(new URL('./jobs/file-sink-job.ts', import.meta.url))]);
    hdfs = server;
    jobs = new JobProcesses(script);
  });
  afterAll(async () => {
    jobs?.stopAll();
    await hdfs?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('recovers and writes every record exactly once', { timeout: 300_000 }, async () => {
    const server = hdfs as HdfsServer;
    const processes = jobs as JobProcesses;
    const out = `/dn-restart-${randomUUID()}/out`;
    const env = {
      SLUICE_JOB_DIR: dir,
      SLUICE_TARGET: 'hdfs',
      SLUICE_WEBHDFS_URL: server.webhdfsUrl,
      SLUICE_HDFS_USER: server.user,
      SLUICE_OUT: out,
      SLUICE_SEQ_COUNT: String(TOTAL),
      SLUICE_PARALLELISM: '2',
      SLUICE_PAUSE_EVERY: '1',
      SLUICE_CHECKPOINT_INTERVAL_MS: '150',
    };
    const log: string[] = [];
    const fs = new WebHdfsFileSystem({ url: server.webhdfsUrl, user: server.user });
    try {
      const first = processes.run(env, { timeoutMs: 240_000 });
      // Restart the DataNode once the job has written part files.
      await waitFor('the job to create part files', async () => (await fs.exists(out)) && (await fs.list(out)).length >= 3, {
        timeoutMs: 60_000,
      });
      const restartStarted = Date.now();
      await server.restartDataNode();
      log.push(`DataNode restarted in ${Date.now() - restartStarted} ms while the job ran`);
      let run: JobRun = await first;
      for (let attempt = 2; !(run.exitCode === 0 && run.stdout.includes('JOB_FINISHED')); attempt += 1) {
        log.push(`run ${attempt - 1} ended with ${String(run.exitCode ?? run.signal)}: ${run.stderr.split('\n').find((l) => l.startsWith('JOB_FAILED')) ?? ''}`);
        if (attempt > 4) throw new Error(`the job did not recover:\n${log.join('\n')}\n${run.stderr.slice(-3000)}`);
        run = await processes.run(env, { timeoutMs: 240_000 });
      }
      log.push(`finished after ${run.elapsedMs} ms`);
    } finally {
      await fs.close();
    }
    const listing = await server.fsShell(['-ls', '-R', out]);
    const names = listing.stdout
      .split('\n')
      .filter((line) => line.startsWith('-'))
      .map((line) => line.slice(line.lastIndexOf('/') + 1))
      .filter((name) => !name.startsWith('.'));
    const cat = await server.fsShell(['-cat', `${out}/*/part-*`]);
    expect(cat.code, cat.stderr).toBe(0);
    const report = checkExactlyOnce({ names, text: cat.stdout, total: TOTAL });
    expect(isExactlyOnceReport(report), `${describeExactlyOnce(report)}\n${log.join('\n')}`).toBe(true);
    process.stdout.write(`${log.join('\n')}\n`);
  });
});
