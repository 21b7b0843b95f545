import { describe, expect, it } from 'vitest';
import { WaitTimeoutError, waitFor } from './wait-for.js';

describe('waitFor', () => {
  it('returns the first truthy value', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? 'done' : undefined), {
      description: 'three calls',
      timeoutMs: 5000,
      intervalMs: 1,
    });
    expect(value).toBe('done');
    expect(calls).toBe(3);
  });

  it('times out naming what was awaited and the last error', async () => {
    const error = await waitFor(
      () => {
        throw new Error('not yet');
      },
      { description: 'the moon', timeoutMs: 20, intervalMs: 5 },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as Error).message).toMatch(/waiting for the moon; last error: not yet/);
  });

  it('stops at once when abortCheck throws', async () => {
    const error = await waitFor(() => undefined, {
      description: 'never',
      timeoutMs: 60_000,
      abortCheck: () => {
        throw new Error('server exited');
      },
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('server exited');
  });
});
