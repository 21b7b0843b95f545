import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FileSystemError, HdfsErrorCode } from '../errors.js';
import { backoffDelay, resolveRetryPolicy, withRetry } from './retry.js';

const transient = (): FileSystemError =>
  new FileSystemError('refused', { code: HdfsErrorCode.HDFS_UNREACHABLE, operation: 'OP', path: '/p', retriable: true });
const lease = (): FileSystemError =>
  new FileSystemError('lease', { code: HdfsErrorCode.HDFS_LEASE_HELD, operation: 'OP', path: '/p', retriable: true });

describe('backoffDelay', () => {
  const policy = resolveRetryPolicy({ initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2, jitter: 0.2 });
  it('grows exponentially up to the cap, with jitter in [1-j, 1+j]', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(policy, n, () => 0.5))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(policy, 1, () => 0)).toBe(80);
    expect(backoffDelay(policy, 1, () => 0.999999)).toBe(120);
    expect(backoffDelay(policy, 10, () => 0.999999)).toBe(1200);
  });
  it('has documented defaults', () => {
    expect(resolveRetryPolicy()).toEqual({
      maxAttempts: 10,
      initialDelayMs: 100,
      maxDelayMs: 2000,
      multiplier: 2,
      jitter: 0.2,
      leaseRecoveryTimeoutMs: 90_000,
    });
  });
});

describe('withRetry (fake timers)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const context = (overrides: Parameters<typeof resolveRetryPolicy>[0] = {}) => ({
    operation: 'OP',
    path: '/p',
    policy: resolveRetryPolicy({ jitter: 0, ...overrides }),
  });

  it('retries transient failures with backoff and returns the result', async () => {
    const attempts: number[] = [];
    const fn = vi.fn(async (n: number) => {
      attempts.push(Date.now());
      if (n < 4) throw transient();
      return 'ok';
    });
    const started = Date.now();
    const p = withRetry(fn, context());
    await vi.runAllTimersAsync();
    await expect(p).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(4);
    expect(attempts.map((t) => t - started)).toEqual([0, 100, 300, 700]);
  });

  it('gives up after maxAttempts with HDFS_RETRIES_EXHAUSTED carrying attempts and cause', async () => {
    const fn = vi.fn(async () => {
      throw transient();
    });
    const p = withRetry(fn, context({ maxAttempts: 3 }));
    const assertion = expect(p).rejects.toMatchObject({
      code: 'HDFS_RETRIES_EXHAUSTED',
      attempts: 3,
      retriable: false,
      cause: { code: 'HDFS_UNREACHABLE' },
    });
    await vi.runAllTimersAsync();
    await assertion;
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('retries lease failures for leaseRecoveryTimeoutMs of elapsed time, not a number of attempts', async () => {
    const started = Date.now();
    let last = 0;
    const fn = vi.fn(async () => {
      last = Date.now() - started;
      if (last < 65_000) throw lease(); // a dead writer's lease: ~60 s soft limit + recovery
      return 'appended';
    });
    const p = withRetry(fn, context({ maxAttempts: 3, leaseRecoveryTimeoutMs: 90_000 }));
    await vi.runAllTimersAsync();
    await expect(p).resolves.toBe('appended');
    expect(fn.mock.calls.length).toBeGreaterThan(3);
    expect(last).toBeGreaterThanOrEqual(65_000);
    expect(last).toBeLessThan(65_000 + 2_000 + 1);
  });

  it('stops lease retries at the lease budget', async () => {
    const started = Date.now();
    const fn = vi.fn(async () => {
      throw lease();
    });
    const p = withRetry(fn, context({ leaseRecoveryTimeoutMs: 10_000 }));
    const assertion = expect(p).rejects.toMatchObject({ code: 'HDFS_RETRIES_EXHAUSTED', cause: { code: 'HDFS_LEASE_HELD' } });
    await vi.runAllTimersAsync();
    await assertion;
    expect(Date.now() - started).toBeLessThanOrEqual(10_000);
  });

  it('never retries non-retriable or programmer errors', async () => {
    for (const error of [
      new TypeError('bug'),
      new FileSystemError('exists', { code: HdfsErrorCode.HDFS_FILE_ALREADY_EXISTS, operation: 'OP', path: '/p' }),
    ]) {
      const fn = vi.fn(async () => {
        throw error;
      });
      await expect(withRetry(fn, context())).rejects.toBe(error);
      expect(fn).toHaveBeenCalledTimes(1);
    }
  });

  it('honours shouldRetry and reports each retry', async () => {
    const onRetry = vi.fn();
    const fn = vi.fn(async () => {
      throw transient();
    });
    const p = withRetry(fn, { ...context(), onRetry, shouldRetry: () => false });
    await expect(p).rejects.toMatchObject({ code: 'HDFS_UNREACHABLE' });
    expect(onRetry).not.toHaveBeenCalled();
    const fn2 = vi.fn(async (n: number) => {
      if (n === 1) throw transient();
      return 1;
    });
    const p2 = withRetry(fn2, { ...context(), onRetry });
    await vi.runAllTimersAsync();
    await p2;
    expect(onRetry).toHaveBeenCalledTimes(1);
  });
});
