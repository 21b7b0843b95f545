/**
 * A {@link Histogram} over the most recent values (a ring buffer, like Flink's
 * `DescriptiveStatisticsHistogram` window): percentiles by nearest rank.
 */
import type { Histogram, HistogramStatistics } from '../api/metric-group.js';

/** Options of a {@link ReservoirHistogram}. */
export interface ReservoirHistogramOptions {
  /**
   * Number of most recent values kept.
   * @defaultValue 1024
   */
  readonly windowSize?: number;
}

/** A histogram of the last `windowSize` values. */
export class ReservoirHistogram implements Histogram {
  private readonly values: number[] = [];
  private readonly size: number;
  private next = 0;
  private total = 0;

  constructor(options: ReservoirHistogramOptions = {}) {
    const size = options.windowSize ?? 1024;
    if (!Number.isInteger(size) || size < 1) {
      throw new RangeError(`histogram windowSize must be a positive integer, got ${size}`);
    }
    this.size = size;
  }

  /** Adds one value (replacing the oldest once the window is full). Non-finite values are ignored. */
  update(value: number): void {
    if (!Number.isFinite(value)) return;
    this.total += 1;
    if (this.values.length < this.size) {
      this.values.push(value);
      return;
    }
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.size;
  }

  /** Statistics of the window; all zero (count aside) when no value was recorded. */
  statistics(): HistogramStatistics {
    const sorted = [...this.values].sort((a, b) => a - b);
    const n = sorted.length;
    if (n === 0) return { count: this.total, min: 0, max: 0, mean: 0, p50: 0, p95: 0, p99: 0 };
    let sum = 0;
    for (const value of sorted) sum += value;
    const rank = (q: number): number =>
      sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))] as number;
    return {
      count: this.total,
      min: sorted[0] as number,
      max: sorted[n - 1] as number,
      mean: sum / n,
      p50: rank(0.5),
      p95: rank(0.95),
      p99: rank(0.99),
    };
  }
}
