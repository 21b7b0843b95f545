/**
 * Retries an operation that failed with a retriable error (STYLE.md §5): only errors whose
 * `retriable` flag is `true` are retried, never programmer errors, with exponential backoff and
 * jitter; when the attempts run out a {@link RetriesExhaustedError} carries the last failure.
 */
import { ConfigError, CoreErrorCode, SluiceError } from '../errors.js';

/** Options of {@link retry}. */
export interface RetryOptions {
  /**
   * How many times to retry after the first attempt (so at most `retries + 1` attempts).
   * @defaultValue 5
   */
  readonly retries?: number;
  /**
   * Delay before the first retry, ms (before jitter).
   * @defaultValue 300
   */
  readonly initialRetryTimeMs?: number;
  /**
   * Upper bound of the delay before jitter, ms.
   * @defaultValue 30000
   */
  readonly maxRetryTimeMs?: number;
  /**
   * Growth of the delay from one retry to the next.
   * @defaultValue 2
   */
  readonly multiplier?: number;
  /**
   * Jitter: each delay is multiplied by a uniformly random factor in `[1 - jitter, 1 + jitter]`.
   * Must be in [0, 1].
   * @defaultValue 0.2
   */
  readonly jitter?: number;
  /**
   * Stops waiting and rejects with the signal's reason when aborted.
   * @defaultValue no signal
   */
  readonly signal?: AbortSignal;
  /**
   * Called before each wait, with the attempt that failed (1-based), its error and the delay.
   * @defaultValue none
   */
  readonly onRetry?: (info: { attempt: number; error: unknown; delayMs: number }) => void;
  /**
   * Source of randomness for the jitter, in [0, 1).
   * @defaultValue `Math.random`
   */
  readonly random?: () => number;
  /**
   * Waits `ms`; rejects when `signal` aborts. Inject one for tests.
   * @defaultValue a `setTimeout`-based sleep
   */
  readonly sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

/** Thrown by {@link retry} when the attempts ran out; `cause` is the last failure. */
export class RetriesExhaustedError extends SluiceError {
  /** How many attempts were made. */
  readonly attempts: number;

  constructor(message: string, options: { attempts: number; cause: unknown }) {
    super(message, { code: CoreErrorCode.RETRIES_EXHAUSTED, retriable: false, cause: options.cause });
    this.attempts = options.attempts;
  }
}

const PROGRAMMER_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError];

/**
 * Whether {@link retry} retries `error`: its `retriable` flag is `true` and it is not a
 * programmer error (`TypeError`, `RangeError`, `ReferenceError`, `SyntaxError`, ...).
 */
export function isRetriable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if (PROGRAMMER_ERRORS.some((type) => error instanceof type)) return false;
  return (error as { retriable?: unknown }).retriable === true;
}

/**
 * The delay before retry number `retry` (1-based): `min(maxRetryTimeMs, initialRetryTimeMs ×
 * multiplier^(retry-1))`, times a jitter factor `1 + jitter × (2·random() − 1)`.
 */
export function retryDelayMs(
  retryNumber: number,
  options: Pick<RetryOptions, 'initialRetryTimeMs' | 'maxRetryTimeMs' | 'multiplier' | 'jitter' | 'random'> = {},
): number {
  const initial = options.initialRetryTimeMs ?? 300;
  const max = options.maxRetryTimeMs ?? 30_000;
  const multiplier = options.multiplier ?? 2;
  const jitter = options.jitter ?? 0.2;
  const random = options.random ?? Math.random;
  const base = Math.min(max, initial * multiplier ** (retryNumber - 1));
  return Math.max(0, Math.round(base * (1 + jitter * (2 * random() - 1))));
}

/**
 * Runs `operation` (given the 1-based attempt number) until it succeeds. A failure that is not
 * retriable (see {@link isRetriable}) is rethrown as is; a retriable one is retried after
 * {@link retryDelayMs}; after `retries` retries a {@link RetriesExhaustedError}
 * (`RETRIES_EXHAUSTED`, with `attempts` and the last error as `cause`) is thrown.
 */
export async function retry<TResult>(
  operation: (attempt: number) => Promise<TResult> | TResult,
  options: RetryOptions = {},
): Promise<TResult> {
  validate(options);
  const retries = options.retries ?? 5;
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt += 1) {
    options.signal?.throwIfAborted();
    try {
      return await operation(attempt);
    } catch (error) {
      if (!isRetriable(error)) throw error;
      if (attempt > retries) {
        throw new RetriesExhaustedError(
          `Gave up after ${attempt} attempts; the last one failed with: ${messageOf(error)}. ` +
            'Raise `retries` or fix the cause.',
          { attempts: attempt, cause: error },
        );
      }
      const delayMs = retryDelayMs(attempt, options);
      options.onRetry?.({ attempt, error, delayMs });
      await sleep(delayMs, options.signal);
    }
  }
}

function validate(options: RetryOptions): void {
  const checks: [keyof RetryOptions, number | undefined, (value: number) => boolean, string][] = [
    ['retries', options.retries, (v) => Number.isInteger(v) && v >= 0, 'a non-negative integer'],
    ['initialRetryTimeMs', options.initialRetryTimeMs, (v) => v >= 0 && Number.isFinite(v), 'a finite number ≥ 0'],
    ['maxRetryTimeMs', options.maxRetryTimeMs, (v) => v >= 0, 'a number ≥ 0'],
    ['multiplier', options.multiplier, (v) => v >= 1 && Number.isFinite(v), 'a finite number ≥ 1'],
    ['jitter', options.jitter, (v) => v >= 0 && v <= 1, 'in [0, 1]'],
  ];
  for (const [option, value, ok, rule] of checks) {
    if (value !== undefined && !ok(value)) {
      throw new ConfigError(`retry option ${option} is ${value}; it must be ${rule}.`, { option });
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function defaultSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
