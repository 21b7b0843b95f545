import { describe, expect, it } from 'vitest';
import { MeterView } from './meter-view.js';

describe('MeterView', () => {
  it('reports events per second over its window, from markEvent', () => {
    let now = 0;
    const meter = new MeterView({ windowSeconds: 10, now: () => now });
    meter.markEvent(50);
    now = 5_000;
    expect(meter.rate).toBe(10);
    expect(meter.count).toBe(50);
  });

  it('slides: events older than the window stop counting', () => {
    let now = 0;
    const meter = new MeterView({ windowSeconds: 10, now: () => now });
    meter.markEvent(1000);
    now = 10_000;
    expect(meter.rate).toBe(100);
    // Idle for another window: the baseline moves past the burst.
    now = 20_000;
    expect(meter.rate).toBe(0);
    now = 21_000;
    meter.markEvent(30);
    expect(meter.rate).toBeCloseTo(30 / 11, 6);
  });

  it('follows an external count', () => {
    let now = 0;
    let count = 0;
    const meter = new MeterView({ count: () => count, now: () => now });
    count = 200;
    now = 2_000;
    expect(meter.rate).toBe(100);
    expect(meter.count).toBe(200);
  });

  it('keeps a bounded number of samples when read very often', () => {
    let now = 0;
    const meter = new MeterView({ windowSeconds: 1, now: () => now });
    for (let i = 0; i < 10_000; i += 1) {
      meter.markEvent();
      now += 1;
      expect(meter.rate).toBeGreaterThan(0);
    }
    expect(meter.rate).toBeCloseTo(1000, -1);
  });

  it('rejects a bad window', () => {
    expect(() => new MeterView({ windowSeconds: 0 })).toThrow(RangeError);
  });
});
