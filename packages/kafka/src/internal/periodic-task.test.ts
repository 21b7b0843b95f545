import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PeriodicTask } from './periodic-task.js';

describe('PeriodicTask', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs every interval, never overlapping, and reports errors without stopping', async () => {
    const errors: unknown[] = [];
    let runs = 0;
    let release: (() => void) | undefined;
    const task = new PeriodicTask(
      100,
      () => {
        runs += 1;
        if (runs === 2) return Promise.reject(new Error('boom'));
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      },
      (error) => errors.push(error),
    );
    task.start();
    await vi.advanceTimersByTimeAsync(99);
    expect(runs).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(runs).toBe(1);
    // the first run is still going: no second one however long it takes
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(1);
    release?.();
    await vi.advanceTimersByTimeAsync(100);
    expect(runs).toBe(2);
    expect(errors).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    expect(runs).toBe(3);
    const stopped = task.stop();
    let done = false;
    void stopped.then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(false);
    release?.();
    await stopped;
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(3);
  });
});
