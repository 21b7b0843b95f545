/**
 * The metrics a function can register (Flink's `MetricGroup`). Scopes nest: job → operator →
 * subtask → user groups added with {@link MetricGroup.addGroup}.
 */

/** A monotonically increasing count. */
export interface Counter {
  /** Adds `n` (default 1). */
  inc(n?: number): void;
  /** The current count. */
  readonly count: number;
}

/** A group of named metrics. */
export interface MetricGroup {
  /** Returns the counter `name` in this group, creating it on first use. */
  counter(name: string): Counter;
  /** Registers a gauge whose value is read by `read` whenever metrics are reported. */
  gauge(name: string, read: () => number | string | boolean | null): void;
  /**
   * Returns a nested group: `addGroup('KafkaConsumer')`, or a key/value group such as
   * `addGroup('topic', 'orders')` which Flink reports as `topic.orders`.
   */
  addGroup(name: string, value?: string): MetricGroup;
  /** The scope components of this group, outermost first. */
  readonly scope: readonly string[];
}
