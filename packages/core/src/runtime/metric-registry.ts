/**
 * A simple in-memory metric registry of one job run: counters and gauges in nested scopes
 * (job → operator → subtask → user groups). Exporters come in a later issue; for now
 * {@link MetricRegistry.snapshot} reads every metric by its dotted scope name.
 */
import type { Counter, MetricGroup } from '../api/metric-group.js';

/** A metric value as reported. */
export type MetricValue = number | string | boolean | null;

class SimpleCounter implements Counter {
  count = 0;
  inc(n = 1): void {
    this.count += n;
  }
}

/** Holds the metrics of one job run (no global state: one registry per run). */
export class MetricRegistry {
  private readonly counters = new Map<string, SimpleCounter>();
  private readonly gauges = new Map<string, () => MetricValue>();

  /** A group with the given scope. */
  group(scope: readonly string[]): MetricGroup {
    return new SimpleMetricGroup(this, [...scope]);
  }

  /** @internal */
  counterAt(key: string): Counter {
    let counter = this.counters.get(key);
    if (counter === undefined) {
      counter = new SimpleCounter();
      this.counters.set(key, counter);
    }
    return counter;
  }

  /** @internal */
  gaugeAt(key: string, read: () => MetricValue): void {
    this.gauges.set(key, read);
  }

  /** Every metric by its dotted name (`job.operator.subtask.name`); a throwing gauge reads `null`. */
  snapshot(): Record<string, MetricValue> {
    const out: Record<string, MetricValue> = {};
    for (const [key, counter] of this.counters) out[key] = counter.count;
    for (const [key, read] of this.gauges) {
      try {
        out[key] = read();
      } catch {
        out[key] = null;
      }
    }
    return out;
  }
}

class SimpleMetricGroup implements MetricGroup {
  constructor(
    private readonly registry: MetricRegistry,
    readonly scope: readonly string[],
  ) {}

  counter(name: string): Counter {
    return this.registry.counterAt([...this.scope, name].join('.'));
  }

  gauge(name: string, read: () => MetricValue): void {
    this.registry.gaugeAt([...this.scope, name].join('.'), read);
  }

  addGroup(name: string, value?: string): MetricGroup {
    const extra = value === undefined ? [name] : [name, value];
    return new SimpleMetricGroup(this.registry, [...this.scope, ...extra]);
  }
}
