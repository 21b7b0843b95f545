// Task threads: a job's parallel subtasks on worker threads (the built package, as a user runs
// it: worker threads start from dist/ and import the pipeline module, a plain JavaScript file).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { CoreErrorCode, RestartStrategies, StreamExecutionEnvironment, isSluiceError } from '@sluice/core';

const pipeline = new URL('./fixtures/task-threads/numbers-pipeline.mjs', import.meta.url);
const dirs: string[] = [];

afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function workDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sluice-task-threads-'));
  dirs.push(dir);
  return dir;
}

interface Line {
  readonly value: number;
  readonly thread: number;
  readonly attempt: number;
}

async function readLines(path: string): Promise<Line[]> {
  const text = await readFile(path, 'utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [value, thread, attempt] = line.split(' ').map(Number);
      return { value: value as number, thread: thread as number, attempt: attempt as number };
    });
}

function environment(dir: string, options: { threads?: number; interval?: number } = {}): StreamExecutionEnvironment {
  const env = StreamExecutionEnvironment.create({ parallelism: 2, taskThreads: options.threads ?? 2, onWarning: () => {} });
  env.enableCheckpointing(options.interval ?? 20);
  env.getCheckpointConfig().setCheckpointStorage(join(dir, 'checkpoints'));
  return env;
}

describe('task threads', () => {
  it('runs the parallel subtasks of a chained pipeline on two threads, with checkpoints and every metric', async () => {
    const dir = await workDir();
    const out = join(dir, 'out.txt');
    const env = environment(dir);
    await env.addPipeline(pipeline, { args: { count: 20_000, out } });
    const result = await env.execute('two-threads');

    const lines = await readLines(out);
    expect(lines).toHaveLength(20_000);
    expect(new Set(lines.map((line) => line.value)).size).toBe(20_000);
    // Subtask 0 on this thread, subtask 1 on a worker thread.
    expect(lines.filter((line) => line.value % 2 === 0).every((line) => line.thread === threadId)).toBe(true);
    const workerThreads = new Set(lines.filter((line) => line.value % 2 === 1).map((line) => line.thread));
    expect([...workerThreads]).toHaveLength(1);
    expect(workerThreads.has(threadId)).toBe(false);

    expect(result.status).toBe('finished');
    expect(result.lastCheckpointId).toBeGreaterThanOrEqual(1);
    expect(result.metrics['two-threads.numbers.0.numRecordsOut']).toBe(10_000);
    expect(result.metrics['two-threads.numbers.1.numRecordsOut']).toBe(10_000);
    expect(result.metrics['two-threads.lines.1.numRecordsIn']).toBe(10_000);
  });

  it('restores a checkpoint taken on two threads: each subtask resumes where its state says', async () => {
    const dir = await workDir();
    const out = join(dir, 'out.txt');
    const first = environment(dir, { interval: 60_000 });
    await first.addPipeline(pipeline, { args: { count: 200_000, out } });
    const handle = await first.executeAsync('restore');
    await new Promise((resolve) => setTimeout(resolve, 150));
    const checkpointId = await handle.triggerCheckpoint();
    await handle.cancel({ withCheckpoint: false });
    const before = await readLines(out);

    const second = environment(dir);
    second.getCheckpointConfig().setRestore('latest');
    await second.addPipeline(pipeline, { args: { count: 200_000, out } });
    const result = await second.execute('restore');
    expect(result.restoredCheckpointId).toBe(checkpointId);

    const lines = await readLines(out);
    const values = new Set(lines.map((line) => line.value));
    expect(values.size).toBe(200_000);
    // The second run emitted only what followed the checkpoint (plus the replay after it).
    const secondRun = lines.length - before.length;
    expect(secondRun).toBeLessThan(200_000);
    const replayed = before.length + secondRun - 200_000;
    expect(replayed).toBeGreaterThanOrEqual(0);
    expect(replayed).toBeLessThan(before.length);
  });

  it('stops gracefully on cancel: sources on both threads stop, a final checkpoint, then a restore replays nothing', async () => {
    const dir = await workDir();
    const out = join(dir, 'out.txt');
    const count = 200_000;
    const first = environment(dir, { interval: 60_000 });
    await first.addPipeline(pipeline, { args: { count, out } });
    const handle = await first.executeAsync('graceful');
    await new Promise((resolve) => setTimeout(resolve, 150));
    await handle.cancel();
    const stopped = await handle.result;
    expect(stopped.status).toBe('cancelled');
    expect(stopped.lastCheckpointId).toBeGreaterThanOrEqual(1);
    const before = (await readLines(out)).length;
    expect(before).toBeLessThan(count);

    const second = environment(dir);
    await second.addPipeline(pipeline, { args: { count, out } });
    const result = await second.execute('graceful');
    expect(result.restoredCheckpointId).toBe(stopped.lastCheckpointId);
    const lines = await readLines(out);
    // The final checkpoint holds every emitted record: nothing is emitted twice.
    expect(lines).toHaveLength(count);
    expect(new Set(lines.map((line) => line.value)).size).toBe(count);
  });

  it('restarts in-process after a task failure on a worker thread (fresh threads, latest checkpoint)', async () => {
    const dir = await workDir();
    const out = join(dir, 'out.txt');
    const env = environment(dir);
    env.setRestartStrategy(RestartStrategies.fixedDelayRestart(2, 10));
    await env.addPipeline(pipeline, { args: { count: 20_000, out, failOn: 15_001 } });
    const result = await env.execute('restart');

    const lines = await readLines(out);
    expect(new Set(lines.map((line) => line.value)).size).toBe(20_000);
    expect(lines.some((line) => line.attempt === 1)).toBe(true);
    expect(result.metrics['restart.numRestarts']).toBe(1);
  });

  it('runs a keyed job with its exchange across threads: per-key sums exact, both threads busy, after a restart', async () => {
    const dir = await workDir();
    const out = join(dir, 'out.txt');
    const env = environment(dir);
    env.setRestartStrategy(RestartStrategies.fixedDelayRestart(1, 10));
    const count = 30_000;
    const keys = 7;
    // The planned failure happens on the thread that runs the source subtask of 20_001 (thread 1).
    await env.addPipeline(pipeline, { exportName: 'keyedPipeline', args: { count, keys, out, failOn: 20_001 } });
    const result = await env.execute('keyed');

    const lines = (await readFile(out, 'utf8')).trim().split('\n').map((line) => line.split(' ').map(Number));
    const finalSum = new Map<number, number>();
    const threadsOfKey = new Map<number, Set<number>>();
    for (const [key, sum, thread] of lines) {
      finalSum.set(key as number, Math.max(finalSum.get(key as number) ?? 0, sum as number));
      threadsOfKey.set(key as number, (threadsOfKey.get(key as number) ?? new Set()).add(thread as number));
    }
    const expected = new Map<number, number>();
    for (let value = 0; value < count; value += 1) expected.set(value % keys, (expected.get(value % keys) ?? 0) + value);
    expect(finalSum).toEqual(expected);
    // Each key is owned by one subtask, so by one thread; both threads own keys.
    expect([...threadsOfKey.values()].every((threads) => threads.size === 1)).toBe(true);
    expect(new Set([...threadsOfKey.values()].map((threads) => [...threads][0])).size).toBe(2);
    expect(result.metrics['keyed.numRestarts']).toBe(1);
  });

  it('fails the job with a clear error when a record that cannot be cloned would cross threads', async () => {
    const dir = await workDir();
    const env = environment(dir);
    await env.addPipeline(pipeline, {
      exportName: 'keyedPipeline',
      args: { count: 1_000, keys: 7, out: join(dir, 'out.txt'), unclonable: true },
    });
    const error: unknown = await env.execute('unclonable').then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toMatchObject({ code: CoreErrorCode.SERDE_SERIALIZE_FAILED });
    expect((error as Error).message).toMatch(/channel auto-map-1\[\d\] → sum\[\d\] cannot be sent/);
  });

  it('starts the next job of the process on the worker of the last finished one; a failed job ends its workers', async () => {
    /** Runs the numbers pipeline (failing on `failOn`); returns the worker thread that ran subtask 1. */
    const workerOf = async (name: string, failOn?: number): Promise<number | undefined> => {
      const dir = await workDir();
      const out = join(dir, 'out.txt');
      const env = environment(dir);
      await env.addPipeline(pipeline, { args: { count: 2_000, out, ...(failOn === undefined ? {} : { failOn }) } });
      const failed = await env.execute(name).then(
        () => false,
        () => true,
      );
      expect(failed).toBe(failOn !== undefined);
      const workers = new Set((await readLines(out)).filter((line) => line.value % 2 === 1).map((line) => line.thread));
      expect(workers.size).toBe(1);
      return [...workers][0];
    };
    const first = await workerOf('reuse-1');
    expect(first).not.toBe(threadId);
    expect(await workerOf('reuse-2')).toBe(first);
    expect(await workerOf('reuse-3', 1_001)).toBe(first);
    const afterFailure = await workerOf('reuse-4');
    expect(afterFailure).not.toBe(first);
    expect(afterFailure).not.toBe(threadId);
  });

  it('lets the process exit after a job although its workers wait for the next one', async () => {
    const dir = await workDir();
    const child = execFile(process.execPath, [fileURLToPath(new URL('./fixtures/task-threads/one-job.mjs', import.meta.url)), join(dir, 'out.txt')]);
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    // Waits well below IDLE_WORKER_MS (30 s), after which an idle worker ends anyway.
    const exited = await Promise.race([
      new Promise<number | null>((resolve) => child.on('exit', resolve)),
      delay(20_000).then(() => 'still running'),
    ]);
    if (exited === 'still running') child.kill('SIGKILL');
    expect(exited).toBe(0);
    expect(stdout).toBe('finished\n');
  });

  it("fails the job with the worker thread's error: message, code and subtask kept", async () => {
    const dir = await workDir();
    const env = environment(dir);
    await env.addPipeline(pipeline, { args: { count: 20_000, out: join(dir, 'out.txt'), failOn: 9_999 } });
    const error: unknown = await env.execute('fails').then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(isSluiceError(error)).toBe(true);
    expect((error as Error).message).toContain('planned failure at 9999');
    const cause = (error as Error).cause;
    expect(isSluiceError(cause)).toBe(true);
    expect(cause).toMatchObject({ code: CoreErrorCode.JOB_TASK_FAILED, subtask: 1, operator: 'label' });
  });

  it('refuses a pipeline that declares other operators on a worker thread', async () => {
    const dir = await workDir();
    const env = environment(dir);
    await env.addPipeline(pipeline, { args: { count: 10, out: join(dir, 'out.txt'), differOnWorkers: true } });
    await expect(env.execute('differs')).rejects.toMatchObject({
      code: CoreErrorCode.CONFIG_INVALID,
      message: expect.stringContaining('different graph') as unknown,
    });
  });

  it('refuses operators that no pipeline module declared, bad thread counts, arguments that cannot be cloned and missing exports', async () => {
    const dir = await workDir();
    const direct = environment(dir);
    direct.addSource({ run: async () => {}, cancel: () => {} }).addSink({ invoke: () => {} });
    await expect(direct.execute('direct')).rejects.toMatchObject({
      code: CoreErrorCode.CONFIG_INVALID,
      option: 'taskThreads',
      message: expect.stringContaining('env.addPipeline') as unknown,
    });

    const zero = environment(dir, { threads: 0 });
    await zero.addPipeline(pipeline, { args: { count: 10, out: join(dir, 'out.txt') } });
    await expect(zero.execute('zero')).rejects.toMatchObject({ option: 'taskThreads' });

    await expect(environment(dir).addPipeline(pipeline, { args: { count: 10, fn: () => 1 } })).rejects.toMatchObject({
      option: 'args',
    });
    await expect(environment(dir).addPipeline(pipeline, { exportName: 'notAFunction' })).rejects.toMatchObject({
      option: 'exportName',
      message: expect.stringContaining('notAFunction') as unknown,
    });
    await expect(environment(dir).addPipeline(join(dir, 'missing.mjs'))).rejects.toMatchObject({ option: 'pipeline' });
  });
});
