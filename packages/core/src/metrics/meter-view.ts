/**
 * A {@link Meter} that computes its rate from timestamped samples of a count, taken whenever the
 * rate is read (no timers, so a job with metrics never keeps the process alive).
 */
import type { Meter } from '../api/metric-group.js';

/** Options of a {@link MeterView}. */
export interface MeterViewOptions {
  /**
   * Sliding window length in seconds.
   * @defaultValue 10
   */
  readonly windowSeconds?: number;
  /**
   * An external count to follow instead of {@link MeterView.markEvent}.
   * @defaultValue none
   */
  readonly count?: () => number;
  /**
   * Clock in ms.
   * @defaultValue performance.now
   */
  readonly now?: () => number;
}

interface Sample {
  readonly at: number;
  readonly count: number;
}

/** Rate per second of a count over a sliding window. */
export class MeterView implements Meter {
  private events = 0;
  private readonly windowMs: number;
  private readonly readCount: (() => number) | undefined;
  private readonly now: () => number;
  private readonly samples: Sample[] = [];

  constructor(options: MeterViewOptions = {}) {
    const seconds = options.windowSeconds ?? 10;
    if (!(seconds > 0) || !Number.isFinite(seconds)) {
      throw new RangeError(`meter windowSeconds must be a positive number, got ${seconds}`);
    }
    this.windowMs = seconds * 1000;
    this.readCount = options.count;
    this.now = options.now ?? (() => performance.now());
    this.samples.push({ at: this.now(), count: this.count });
  }

  /** Records `n` events (ignored when the meter follows an external count). */
  markEvent(n = 1): void {
    this.events += n;
  }

  /** Events so far (the external count when one was given). */
  get count(): number {
    return this.readCount === undefined ? this.events : this.readCount();
  }

  /**
   * Events per second: the growth of the count since the oldest sample inside the window (or,
   * when none is that old yet, since the meter was created) divided by the elapsed time.
   */
  get rate(): number {
    const now = this.now();
    const count = this.count;
    this.samples.push({ at: now, count });
    const cutoff = now - this.windowMs;
    // Keep the newest sample at or before the cutoff as the baseline; drop older ones.
    while (this.samples.length > 2 && (this.samples[1] as Sample).at <= cutoff)
      this.samples.shift();
    // Bound memory when read very often: thin samples closer than 1/64 of the window.
    if (this.samples.length > 256) this.thin();
    const base = this.samples[0] as Sample;
    const elapsed = now - base.at;
    if (elapsed <= 0) return 0;
    return ((count - base.count) * 1000) / elapsed;
  }

  private thin(): void {
    const step = this.windowMs / 64;
    const kept: Sample[] = [this.samples[0] as Sample];
    for (const sample of this.samples.slice(1, -1)) {
      if (sample.at - (kept.at(-1) as Sample).at >= step) kept.push(sample);
    }
    kept.push(this.samples.at(-1) as Sample);
    this.samples.splice(0, this.samples.length, ...kept);
  }
}
