import { describe, expect, it } from 'vitest';
import { ReservoirHistogram } from './reservoir-histogram.js';

describe('ReservoirHistogram', () => {
  it('computes min, max, mean and nearest-rank percentiles', () => {
    const histogram = new ReservoirHistogram();
    for (let v = 1; v <= 100; v += 1) histogram.update(v);
    expect(histogram.statistics()).toEqual({
      count: 100,
      min: 1,
      max: 100,
      mean: 50.5,
      p50: 50,
      p95: 95,
      p99: 99,
    });
  });

  it('keeps only the most recent window of values but counts all', () => {
    const histogram = new ReservoirHistogram({ windowSize: 10 });
    for (let v = 1; v <= 25; v += 1) histogram.update(v);
    const stats = histogram.statistics();
    expect(stats.count).toBe(25);
    expect(stats.min).toBe(16);
    expect(stats.max).toBe(25);
  });

  it('is all zeros when empty and ignores non-finite values', () => {
    const histogram = new ReservoirHistogram();
    histogram.update(Number.NaN);
    expect(histogram.statistics()).toEqual({
      count: 0,
      min: 0,
      max: 0,
      mean: 0,
      p50: 0,
      p95: 0,
      p99: 0,
    });
  });

  it('rejects a bad window size', () => {
    expect(() => new ReservoirHistogram({ windowSize: 0 })).toThrow(RangeError);
  });
});
