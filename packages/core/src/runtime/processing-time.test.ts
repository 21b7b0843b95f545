import { afterEach, describe, expect, it, vi } from 'vitest';
import { READS_PER_CLOCK_READ, processingTime } from './processing-time.js';

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('processingTime', () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });

  it('reads the clock once per event-loop turn', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000);
    await nextTurn();
    const clock = vi.spyOn(Date, 'now');
    expect(processingTime()).toBe(1_000);
    vi.setSystemTime(5_000);
    await Promise.resolve(); // microtasks do not turn the event loop
    expect(processingTime()).toBe(1_000);
    expect(clock).toHaveBeenCalledTimes(1);
    await nextTurn();
    expect(processingTime()).toBe(5_000);
    expect(clock).toHaveBeenCalledTimes(2);
  });

  it(`reads the clock again after ${READS_PER_CLOCK_READ} readings within one turn`, async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_000);
    await nextTurn();
    const clock = vi.spyOn(Date, 'now');
    for (let i = 0; i < READS_PER_CLOCK_READ; i += 1) expect(processingTime()).toBe(1_000);
    vi.setSystemTime(2_000);
    expect(processingTime()).toBe(2_000);
    expect(clock).toHaveBeenCalledTimes(2);
  });

  it('never runs ahead of the wall clock', async () => {
    for (let turn = 0; turn < 50; turn += 1) {
      expect(processingTime()).toBeLessThanOrEqual(Date.now());
      await (turn % 2 === 0 ? Promise.resolve() : nextTurn());
    }
  });
});
