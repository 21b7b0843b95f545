/** The {@link Counter} the runtime hands out: a plain number field. */
import type { Counter } from '../api/metric-group.js';

/** A counter backed by one number field. */
export class SimpleCounter implements Counter {
  /** The current count. */
  count = 0;

  /** Adds `n` (default 1). */
  inc(n = 1): void {
    this.count += n;
  }
}
