// Child-process entry of chaos mode: `node dist/job-process.js` with the job's configuration as
// JSON in SLUICE_DEMO_JOB. Prints progress lines on stdout and `JOB_FINISHED` when the job ended
// and its final checkpoint was committed. The parent SIGKILLs it at random moments and starts it
// again: the job resumes from its latest complete checkpoint.
import type { DemoJobConfig, JobCounters } from './job.js';
import { startDemoJob } from './job.js';
import { watchProgress } from './progress.js';

async function main(): Promise<void> {
  const raw = process.env.SLUICE_DEMO_JOB;
  if (raw === undefined) throw new Error('SLUICE_DEMO_JOB (the job configuration as JSON) is not set');
  const config = JSON.parse(raw) as DemoJobConfig;
  const counters: JobCounters = { filesCommitted: 0 };
  const handle = await startDemoJob(config, counters);
  handle.cancelOnSignals();
  const stop = watchProgress(handle, counters, (line) => process.stdout.write(`${line}\n`));
  try {
    const result = await handle.result;
    process.stdout.write(
      `JOB_FINISHED ${JSON.stringify({ status: result.status, restored: result.restoredCheckpointId ?? null, lastCheckpointId: result.lastCheckpointId ?? null })}\n`,
    );
  } finally {
    stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    const cause = error instanceof Error && error.cause !== undefined ? `\ncause: ${String(error.cause)}` : '';
    process.stderr.write(`JOB_FAILED ${error instanceof Error ? (error.stack ?? error.message) : String(error)}${cause}\n`);
    process.exit(1);
  },
);
