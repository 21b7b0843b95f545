import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, CoreErrorCode, SluiceError, isSluiceError } from '../errors.js';
import { RetriesExhaustedError, isRetriable, retry, retryDelayMs } from './retry.js';

function retriableError(message: string): SluiceError {
  return new SluiceError(message, { code: 'TEST_RETRIABLE', retriable: true });
}

const noSleep = (): Promise<void> => Promise.resolve();

describe('retry', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('returns the first success and retries only retriable errors', async () => {
    const operation = vi
      .fn<(attempt: number) => Promise<string>>()
      .mockRejectedValueOnce(retriableError('busy'))
      .mockRejectedValueOnce(retriableError('busy'))
      .mockResolvedValueOnce('ok');
    await expect(retry(operation, { sleep: noSleep })).resolves.toBe('ok');
    expect(operation.mock.calls.map(([attempt]) => attempt)).toEqual([1, 2, 3]);
  });

  it.each([
    ['a non-retriable SluiceError', new SluiceError('fenced', { code: 'X' })],
    ['a plain Error', new Error('boom')],
    ['a TypeError even when flagged retriable', Object.assign(new TypeError('bug'), { retriable: true })],
    ['a RangeError even when flagged retriable', Object.assign(new RangeError('bug'), { retriable: true })],
    ['a thrown string', 'oops'],
  ])('rethrows %s at once, unwrapped', async (_label, error) => {
    const operation = vi.fn(() => Promise.reject(error));
    await expect(retry(operation, { sleep: noSleep })).rejects.toBe(error);
    expect(operation).toHaveBeenCalledTimes(1);
  });

  it('throws RETRIES_EXHAUSTED with attempts and the last cause', async () => {
    let n = 0;
    const caught = await retry(
      () => {
        n += 1;
        throw retriableError(`busy ${n}`);
      },
      { retries: 3, sleep: noSleep },
    ).catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(RetriesExhaustedError);
    expect(isSluiceError(caught)).toBe(true);
    const exhausted = caught as RetriesExhaustedError;
    expect(exhausted.code).toBe(CoreErrorCode.RETRIES_EXHAUSTED);
    expect(exhausted.name).toBe('RetriesExhaustedError');
    expect(exhausted.attempts).toBe(4);
    expect(exhausted.retriable).toBe(false);
    expect((exhausted.cause as Error).message).toBe('busy 4');
    expect(exhausted.message).toMatch(/4 attempts.*busy 4/);
  });

  it('waits the documented backoff between attempts (fake timers)', async () => {
    vi.useFakeTimers();
    const delays: number[] = [];
    let attempts = 0;
    const done = retry(
      () => {
        attempts += 1;
        if (attempts < 4) throw retriableError('busy');
        return 'ok';
      },
      { initialRetryTimeMs: 100, jitter: 0, onRetry: ({ delayMs }) => void delays.push(delayMs) },
    );
    await vi.advanceTimersByTimeAsync(99);
    expect(attempts).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(attempts).toBe(2);
    await vi.advanceTimersByTimeAsync(600);
    await expect(done).resolves.toBe('ok');
    expect(delays).toEqual([100, 200, 400]);
  });

  it('stops waiting when the signal aborts', async () => {
    const controller = new AbortController();
    const done = retry(
      () => {
        throw retriableError('busy');
      },
      { initialRetryTimeMs: 60_000, signal: controller.signal },
    );
    controller.abort(new Error('cancelled'));
    await expect(done).rejects.toThrow('cancelled');
  });

  it.each([
    ['retries', { retries: -1 }],
    ['retries', { retries: 1.5 }],
    ['jitter', { jitter: 2 }],
    ['multiplier', { multiplier: 0.5 }],
    ['initialRetryTimeMs', { initialRetryTimeMs: -1 }],
  ])('rejects a bad %s naming it', async (option, options) => {
    const caught = await retry(() => 1, options).catch((error: unknown) => error);
    expect(caught).toBeInstanceOf(ConfigError);
    expect(caught).toMatchObject({ option });
  });
});

describe('retryDelayMs', () => {
  it('stays within ±jitter of the capped exponential delay', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, random, jitter) => {
          const base = Math.min(30_000, 300 * 2 ** (n - 1));
          const delay = retryDelayMs(n, { jitter, random: () => random });
          return delay >= Math.floor(base * (1 - jitter)) && delay <= Math.ceil(base * (1 + jitter));
        },
      ),
    );
  });

  it('isRetriable is true only for a retriable flag on a non-programmer error', () => {
    expect(isRetriable(retriableError('x'))).toBe(true);
    expect(isRetriable({ retriable: true })).toBe(true);
    expect(isRetriable(new SluiceError('x', { code: 'X', cause: { retriable: true } }))).toBe(true);
    expect(isRetriable(new Error('x'))).toBe(false);
    expect(isRetriable(null)).toBe(false);
  });
});
