import { describe, expect, it } from 'vitest';
import { describeKill, drawKill, killStepRunOptions } from './kill-plan.js';
import { seededRandom } from './seeded-random.js';

describe('kill plans', () => {
  it('the same seed draws the same plan, within the window and the points', () => {
    const draw = (seed: number): string[] => {
      const random = seededRandom(seed);
      return Array.from({ length: 20 }, () =>
        describeKill(drawKill(random, { timerWindowMs: [100, 200], points: ['p', 'q'] })),
      );
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    for (const step of draw(7))
      expect(step).toMatch(/^(parent SIGKILL after (1\d\d|200) ms|[pq]:[123])$/);
  });

  it('draws only timer kills when the job has no injected points', () => {
    const random = seededRandom(1);
    for (let i = 0; i < 20; i += 1)
      expect(drawKill(random, { timerWindowMs: [0, 10] }).kind).toBe('timer');
  });

  it('draws each point up to its own maximum pass, and timers at the given share', () => {
    const random = seededRandom(3);
    const steps = Array.from({ length: 200 }, () =>
      drawKill(random, {
        timerWindowMs: [0, 10],
        points: { rare: 1, busy: 900 },
        timerShare: 0.25,
      }),
    );
    const timers = steps.filter((step) => step.kind === 'timer').length;
    expect(timers).toBeGreaterThan(20);
    expect(timers).toBeLessThan(80);
    for (const step of steps) {
      if (step.kind === 'point')
        expect(step.occurrence).toBeLessThanOrEqual(step.point === 'rare' ? 1 : 900);
    }
    expect(steps.some((step) => step.kind === 'point' && step.occurrence > 3)).toBe(true);
  });

  it('turns a step into the run options that carry it out', () => {
    expect(killStepRunOptions({ kind: 'point', point: 'sink.commit', occurrence: 2 })).toEqual({
      env: { SLUICE_KILL_AT: 'sink.commit:2' },
    });
    expect(killStepRunOptions({ kind: 'timer', afterMs: 300 })).toEqual({
      env: { SLUICE_KILL_AT: '' },
      killAfterMs: 300,
    });
    expect(killStepRunOptions({ kind: 'timer', afterMs: 50, afterOutput: 'first-record' })).toEqual(
      {
        env: { SLUICE_KILL_AT: '' },
        killAfterMs: 50,
        killAfterOutput: 'first-record',
      },
    );
    expect(killStepRunOptions(undefined)).toEqual({ env: { SLUICE_KILL_AT: '' } });
  });
});
