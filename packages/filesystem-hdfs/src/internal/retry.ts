/**
 * Retry with exponential backoff and jitter, for operations that are safe to repeat.
 * Only errors with `retriable === true` are retried; programmer errors never are.
 */
import { isSluiceError } from '@sluice/core';
import { FileSystemError, HdfsErrorCode } from '../errors.js';

/** How retriable failures of idempotent operations are retried. */
export interface RetryPolicy {
  /**
   * Attempts in all (first try included) for transient failures (unreachable, 503, safe mode).
   * @defaultValue `10`
   */
  readonly maxAttempts?: number;
  /**
   * Delay before the first retry, in ms.
   * @defaultValue `100`
   */
  readonly initialDelayMs?: number;
  /**
   * Upper bound of one delay, in ms.
   * @defaultValue `2000`
   */
  readonly maxDelayMs?: number;
  /**
   * Factor between consecutive delays.
   * @defaultValue `2`
   */
  readonly multiplier?: number;
  /**
   * Random spread of each delay: the delay is multiplied by a factor drawn uniformly from
   * `[1 - jitter, 1 + jitter]`.
   * @defaultValue `0.2`
   */
  readonly jitter?: number;
  /**
   * How long lease and block-recovery failures (`HDFS_LEASE_HELD`) are retried, in ms. A dead
   * writer's lease expires after HDFS's 60 s soft limit and recovery takes ~5 s more, hence 90 s.
   * @defaultValue `90000`
   */
  readonly leaseRecoveryTimeoutMs?: number;
}

/** The {@link RetryPolicy} with every default filled in. */
export type ResolvedRetryPolicy = Required<RetryPolicy>;

/** Fills in defaults. */
export function resolveRetryPolicy(policy: RetryPolicy = {}): ResolvedRetryPolicy {
  return {
    maxAttempts: policy.maxAttempts ?? 10,
    initialDelayMs: policy.initialDelayMs ?? 100,
    maxDelayMs: policy.maxDelayMs ?? 2000,
    multiplier: policy.multiplier ?? 2,
    jitter: policy.jitter ?? 0.2,
    leaseRecoveryTimeoutMs: policy.leaseRecoveryTimeoutMs ?? 90_000,
  };
}

/** The delay before retry number `retry` (1-based), jitter applied with `random()` in [0, 1). */
export function backoffDelay(policy: ResolvedRetryPolicy, retry: number, random: () => number = Math.random): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.multiplier ** (retry - 1));
  const factor = 1 - policy.jitter + 2 * policy.jitter * random();
  return Math.max(0, Math.round(base * factor));
}

/** Where and how a retried call runs. */
export interface RetryContext {
  /** Operation name for the final error. */
  readonly operation: string;
  /** Path for the final error. */
  readonly path: string;
  /** The policy. */
  readonly policy: ResolvedRetryPolicy;
  /** Called before each retry (metrics). */
  readonly onRetry?: (error: FileSystemError, retry: number, delayMs: number) => void;
  /** Source of randomness for jitter. */
  readonly random?: () => number;
  /** Narrows which retriable errors are retried (e.g. not after a body was sent). */
  readonly shouldRetry?: (error: unknown) => boolean;
}

/** Whether `error` may be retried. */
export function isRetriable(error: unknown): error is FileSystemError {
  return isSluiceError(error) && error.retriable && error instanceof FileSystemError;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it succeeds, fails with a non-retriable error, or the budget runs out:
 * `maxAttempts` for transient failures, `leaseRecoveryTimeoutMs` of elapsed time for
 * `HDFS_LEASE_HELD`. Running out throws `HDFS_RETRIES_EXHAUSTED` with the last error as `cause`.
 */
export async function withRetry<T>(attempt: (attemptNumber: number) => Promise<T>, context: RetryContext): Promise<T> {
  const started = Date.now();
  const { policy } = context;
  let transientFailures = 0;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!isRetriable(error) || (context.shouldRetry !== undefined && !context.shouldRetry(error))) throw error;
      const elapsed = Date.now() - started;
      const lease = error.code === HdfsErrorCode.HDFS_LEASE_HELD;
      if (!lease) transientFailures++;
      const delay = backoffDelay(policy, n, context.random);
      const budgetLeft = lease
        ? elapsed + delay <= policy.leaseRecoveryTimeoutMs
        : transientFailures < policy.maxAttempts;
      if (!budgetLeft) {
        const budget = lease
          ? `the lease-recovery budget of ${policy.leaseRecoveryTimeoutMs} ms (option retry.leaseRecoveryTimeoutMs)`
          : `${policy.maxAttempts} attempts (option retry.maxAttempts)`;
        throw new FileSystemError(
          `${context.operation} ${context.path}: gave up after ${n} attempts in ${elapsed} ms, ` +
            `having used ${budget}. Last failure: ${error.message}`,
          {
            code: HdfsErrorCode.HDFS_RETRIES_EXHAUSTED,
            operation: context.operation,
            path: context.path,
            attempts: n,
            retriable: false,
            cause: error,
          },
        );
      }
      context.onRetry?.(error, n, delay);
      await sleep(delay);
    }
  }
}
