// Restart strategies: in-process recovery from the latest checkpoint, exactly-once output, giving up.
import { describe, expect, it } from 'vitest';
import type { RuntimeContext, Sink } from '../src/api/functions.js';
import { RestartStrategies } from '../src/api/restart-strategy.js';
import type { CheckpointListener, CheckpointedFunction, FunctionInitializationContext, FunctionSnapshotContext, ListState } from '../src/api/state.js';
import { WatermarkStrategies } from '../src/api/watermark-strategy.js';
import { StreamExecutionEnvironment } from '../src/datastream/stream-execution-environment.js';
import { CoreErrorCode } from '../src/errors.js';
import { InMemoryCheckpointStorage } from '../src/runtime/in-memory-checkpoint-storage.js';
import { createRestartPolicy } from '../src/runtime/restart-policy.js';
import { Types } from '../src/types/types.js';
import { EventSource, RunningSum, eventAt } from './keyed-support.js';
import type { Event } from './keyed-support.js';

/** Shared by every copy of the sink (closure): committed lines and committed transaction ids. */
interface Committed {
  readonly lines: string[];
  readonly ids: Set<string>;
  attempts: number[];
}

/** Buffers lines per checkpoint; commits them (idempotently) once the checkpoint is complete. */
function transactionalSink(committed: Committed): Sink<string> & CheckpointedFunction & CheckpointListener {
  // Fields are per subtask (each subtask gets a copy); `committed` is shared through the closure.
  class TransactionalSink implements Sink<string>, CheckpointedFunction, CheckpointListener {
    subtask = 0;
    current: string[] = [];
    pending = new Map<number, string[]>();
    state: ListState<string> | undefined;
    open(context: RuntimeContext): void {
      this.subtask = context.subtaskIndex;
      committed.attempts.push(context.attemptNumber);
    }
    commit(id: number, lines: string[], sub = this.subtask): void {
      const txn = `${sub}/${id}`;
      if (committed.ids.has(txn)) return;
      committed.ids.add(txn);
      committed.lines.push(...lines);
    }
    initializeState(context: FunctionInitializationContext): void {
      this.state = context.operatorStateStore.getListState({ name: 'pending', type: Types.string() });
      if (!context.isRestored) return;
      for (const entry of this.state.get()) {
        const { id, lines, sub } = JSON.parse(entry) as { id: number; lines: string[]; sub: number };
        this.commit(id, lines, sub); // recover-and-commit: the checkpoint holding it completed
      }
      this.state.clear();
    }
    snapshotState(context: FunctionSnapshotContext): void {
      this.pending.set(context.checkpointId, this.current);
      this.current = [];
      this.state?.update([...this.pending].map(([id, lines]) => JSON.stringify({ id, lines, sub: this.subtask })));
    }
    notifyCheckpointComplete(id: number): void {
      for (const [pid, lines] of this.pending) {
        if (pid > id) continue;
        this.commit(pid, lines);
        this.pending.delete(pid);
      }
    }
    invoke(line: string): void {
      this.current.push(line);
    }
  }
  return new TransactionalSink();
}

function expected(limit: number, keys: number): string[] {
  const sums = new Map<string, number>();
  const lines: string[] = [];
  for (let i = 0; i < limit; i += 1) {
    const e = eventAt(i, keys);
    const sum = (sums.get(e.key) ?? 0) + e.value;
    sums.set(e.key, sum);
    lines.push(`sum ${e.key} ${e.value} ${sum}`);
  }
  return lines.sort();
}

function job(options: { committed: Committed; throwAt: number; shouldThrow: () => boolean; limit: number }): StreamExecutionEnvironment {
  const env = StreamExecutionEnvironment.create({ parallelism: 2, onWarning: () => undefined });
  env.enableCheckpointing(10);
  env.getCheckpointConfig().setCheckpointStorage(new InMemoryCheckpointStorage());
  env
    .addSource(new EventSource({ limit: options.limit, keys: 13 }))
    .uid('events')
    .setParallelism(1)
    .assignTimestampsAndWatermarks(WatermarkStrategies.forMonotonousTimestamps<Event>((e) => e.ts))
    .setParallelism(1)
    .keyBy((e) => e.key, Types.string())
    .process(new RunningSum(1_000_000, { value: options.throwAt, shouldThrow: options.shouldThrow }))
    .uid('sum')
    .filter((line: string) => line.startsWith('sum '))
    .addSink(transactionalSink(options.committed))
    .uid('sink');
  return env;
}

describe('restart strategies', () => {
  it('a task that throws on a chosen record recovers in-process; output stays exactly-once', async () => {
    const committed: Committed = { lines: [], ids: new Set(), attempts: [] };
    let thrown = 0;
    const env = job({ committed, throwAt: 7000, shouldThrow: () => thrown++ < 2, limit: 20_000 });
    env.setRestartStrategy(RestartStrategies.fixedDelayRestart(3, 5));
    const result = await env.execute('restart-exactly-once');
    expect(result.status).toBe('finished');
    expect(thrown).toBeGreaterThanOrEqual(3);
    expect(Math.max(...committed.attempts)).toBe(2);
    expect([...committed.lines].sort()).toEqual(expected(20_000, 13));
  });

  it('exponential delay also restarts', async () => {
    const committed: Committed = { lines: [], ids: new Set(), attempts: [] };
    let thrown = 0;
    const env = job({ committed, throwAt: 500, shouldThrow: () => thrown++ < 1, limit: 3000 });
    env.setRestartStrategy(RestartStrategies.exponentialDelayRestart({ initialDelayMs: 1, maxDelayMs: 10 }));
    await env.execute('restart-exponential');
    expect([...committed.lines].sort()).toEqual(expected(3000, 13));
  });

  it('without a restart strategy the first failure fails the job (JOB_TASK_FAILED, as before)', async () => {
    const committed: Committed = { lines: [], ids: new Set(), attempts: [] };
    const env = job({ committed, throwAt: 100, shouldThrow: () => true, limit: 1000 });
    await expect(env.execute('no-restart')).rejects.toMatchObject({ code: CoreErrorCode.JOB_TASK_FAILED });
  });

  it('a failure-rate strategy gives up with the last error and the failure history', async () => {
    const committed: Committed = { lines: [], ids: new Set(), attempts: [] };
    const env = job({ committed, throwAt: 100, shouldThrow: () => true, limit: 1000 });
    env.setRestartStrategy(RestartStrategies.failureRateRestart({ maxFailures: 2, intervalMs: 60_000, delayMs: 1 }));
    const error = await env.execute('failure-rate').then(
      () => undefined,
      (e: unknown) => e as Error & { code: string; failureHistory: { attempt: number }[]; cause: Error },
    );
    expect(error?.code).toBe(CoreErrorCode.JOB_RESTARTS_EXHAUSTED);
    expect(error?.message).toMatch(/failure-rate restart strategy: 3 failures within 60000 ms exceed the allowed 2/);
    expect(error?.message).toMatch(/injected failure at record 100/);
    expect(error?.failureHistory.map((f) => f.attempt)).toEqual([0, 1, 2]);
    expect(error?.cause.message).toMatch(/injected failure at record 100/);
  });

  it('a bad strategy is a ConfigError at execute', async () => {
    const env = job({ committed: { lines: [], ids: new Set(), attempts: [] }, throwAt: -1, shouldThrow: () => false, limit: 1 });
    env.setRestartStrategy(RestartStrategies.fixedDelayRestart(-1));
    await expect(env.execute('bad')).rejects.toMatchObject({ code: CoreErrorCode.CONFIG_INVALID, option: 'restartStrategy.attempts' });
  });
});

describe('restart policies', () => {
  it('fixed delay allows exactly n restarts', () => {
    const policy = createRestartPolicy({ type: 'fixed-delay', attempts: 2, delayMs: 7 });
    const at = { now: 0, attemptStartedAt: 0 };
    expect(policy.onFailure(at)).toEqual({ restart: true, delayMs: 7 });
    expect(policy.onFailure(at)).toEqual({ restart: true, delayMs: 7 });
    expect(policy.onFailure(at)).toMatchObject({ restart: false });
  });

  it('exponential delay grows, is capped, jitters within bounds and resets after a stable run', () => {
    const policy = createRestartPolicy(
      { type: 'exponential-delay', initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, jitter: 0, resetAfterMs: 5000 },
      () => 0.5,
    );
    const delays = [0, 1, 2, 3, 4, 5].map(() => policy.onFailure({ now: 10, attemptStartedAt: 9 }));
    expect(delays.map((d) => (d.restart ? d.delayMs : -1))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(policy.onFailure({ now: 10_000, attemptStartedAt: 1000 })).toEqual({ restart: true, delayMs: 100 });
    const jittered = createRestartPolicy({ type: 'exponential-delay', initialDelayMs: 1000, jitter: 0.1 }, () => 0.999);
    const first = jittered.onFailure({ now: 0, attemptStartedAt: 0 });
    expect(first.restart && first.delayMs).toBeGreaterThan(1000);
    expect(first.restart && first.delayMs).toBeLessThanOrEqual(1100);
  });

  it('failure rate counts failures in a sliding window', () => {
    const policy = createRestartPolicy({ type: 'failure-rate', maxFailures: 2, intervalMs: 100, delayMs: 0 });
    expect(policy.onFailure({ now: 0, attemptStartedAt: 0 }).restart).toBe(true);
    expect(policy.onFailure({ now: 50, attemptStartedAt: 0 }).restart).toBe(true);
    expect(policy.onFailure({ now: 120, attemptStartedAt: 0 }).restart).toBe(true); // the one at 0 left the window
    expect(policy.onFailure({ now: 130, attemptStartedAt: 0 }).restart).toBe(false);
  });
});
