/**
 * The program part shared by the fault-test jobs (`sequence-file-job.ts`, `keyed-sum-job.ts`):
 * settings from the environment, the job's operators declared on `SLUICE_TASK_THREADS` task
 * threads, and a main that only the calling thread runs.
 *
 * A job module exports its operators as `pipeline(env)`. With `SLUICE_TASK_THREADS=n` (n > 1)
 * every worker thread imports the (bundled) job module and calls that export, so settings come
 * from `process.env` (threads inherit it) and the program part must not run there.
 */
import { isMainThread } from 'node:worker_threads';
import type { StreamExecutionEnvironment } from '@sluice/core';

/** A job setting from the environment: `fallback` when unset or empty; throws when there is neither. */
export function setting(name: string, fallback?: string): string {
  const value = process.env[name] || fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
}

/** A job's operators, declared on the environment it is given (every task thread calls it). */
export type JobPipeline = (environment: StreamExecutionEnvironment) => void;

/**
 * Declares the operators of `job` on `environment`: with `SLUICE_TASK_THREADS=n` > 1 it sets n
 * task threads and adds `job.module`'s `pipeline` export with `env.addPipeline` (each thread
 * imports the module and calls it; subtask i of every chain runs on thread i mod n), else it
 * calls `job.pipeline` directly.
 */
export async function declarePipeline(
  environment: StreamExecutionEnvironment,
  job: { readonly module: URL; readonly pipeline: JobPipeline },
): Promise<void> {
  const taskThreads = Number(setting('SLUICE_TASK_THREADS', '1'));
  if (taskThreads > 1) {
    environment.setTaskThreads(taskThreads);
    await environment.addPipeline(job.module, { exportName: 'pipeline' });
  } else {
    job.pipeline(environment);
  }
}

/**
 * Runs the job's `main` on the calling thread only (task threads import the job module for its
 * pipeline): prints `JOB_FINISHED` and exits 0, or prints `JOB_FAILED <stack>` (and the cause)
 * and exits 1.
 */
export function runJobMain(main: () => Promise<void>): void {
  if (!isMainThread) return;
  main().then(
    () => {
      process.stdout.write('JOB_FINISHED\n');
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`JOB_FAILED ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      if (error instanceof Error && error.cause !== undefined) process.stderr.write(`CAUSE ${String(error.cause)}\n`);
      process.exit(1);
    },
  );
}
