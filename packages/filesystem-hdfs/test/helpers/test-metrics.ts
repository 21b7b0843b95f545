// A minimal in-memory MetricGroup for tests.
import type { Counter, MetricGroup } from '@sluice/core';

/** A MetricGroup that keeps counters in a map. */
export class TestMetricGroup implements MetricGroup {
  readonly counters = new Map<string, Counter & { count: number }>();
  readonly scope: readonly string[] = ['test'];

  counter(name: string): Counter {
    let c = this.counters.get(name);
    if (c === undefined) {
      const counter = {
        count: 0,
        inc(n = 1): void {
          counter.count += n;
        },
      };
      c = counter;
      this.counters.set(name, c);
    }
    return c;
  }

  readonly gauges = new Map<string, () => number | string | boolean | null>();

  gauge(name: string, read: () => number | string | boolean | null): void {
    this.gauges.set(name, read);
  }

  /** The current value of gauge `name`. */
  read(name: string): number | string | boolean | null | undefined {
    return this.gauges.get(name)?.();
  }

  addGroup(): MetricGroup {
    return this;
  }

  count(name: string): number {
    return this.counters.get(name)?.count ?? 0;
  }
}
