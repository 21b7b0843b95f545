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

/** Events per second over a sliding time window (Flink's `Meter`, e.g. `numRecordsInPerSecond`). */
export interface Meter {
  /** Records `n` events (default 1). */
  markEvent(n?: number): void;
  /** Events per second over the meter's window. */
  readonly rate: number;
  /** Events recorded since the meter was created. */
  readonly count: number;
}

/** Statistics of the values a {@link Histogram} holds (its most recent window of values). */
export interface HistogramStatistics {
  /** Values recorded since the histogram was created (not only those in the window). */
  readonly count: number;
  /** Smallest value in the window; 0 when empty. */
  readonly min: number;
  /** Largest value in the window; 0 when empty. */
  readonly max: number;
  /** Mean of the window; 0 when empty. */
  readonly mean: number;
  /** Median of the window (nearest rank). */
  readonly p50: number;
  /** 95th percentile of the window (nearest rank). */
  readonly p95: number;
  /** 99th percentile of the window (nearest rank). */
  readonly p99: number;
}

/** A distribution of values (Flink's `Histogram`), e.g. latencies or record sizes. */
export interface Histogram {
  /** Adds one value. */
  update(value: number): void;
  /** Statistics of the values currently held. */
  statistics(): HistogramStatistics;
}

/** Options of {@link MetricGroup.meter}. */
export interface MeterOptions {
  /**
   * Length of the sliding window the rate is computed over, in seconds.
   * @defaultValue 10
   */
  readonly windowSeconds?: number;
  /**
   * Reads a count that is kept elsewhere (a plain field on a hot path) instead of calling
   * {@link Meter.markEvent}: the rate is the growth of this count over the window.
   * @defaultValue none: the meter counts {@link Meter.markEvent} calls
   */
  readonly count?: () => number;
}

/** Options of {@link MetricGroup.histogram}. */
export interface HistogramOptions {
  /**
   * How many of the most recent values the histogram keeps for its statistics.
   * @defaultValue 1024
   */
  readonly windowSize?: number;
}

/** A group of named metrics. */
export interface MetricGroup {
  /** Returns the counter `name` in this group, creating it on first use. */
  counter(name: string): Counter;
  /** Registers a gauge whose value is read by `read` whenever metrics are reported. */
  gauge(name: string, read: () => number | string | boolean | null): void;
  /**
   * Returns the meter `name` in this group, creating it on first use.
   *
   * Optional in the type only so that `MetricGroup` implementations written before 0.2 keep
   * compiling; every group the runtime hands out (`RuntimeContext.metricGroup`) has it.
   */
  meter?(name: string, options?: MeterOptions): Meter;
  /**
   * Returns the histogram `name` in this group, creating it on first use.
   *
   * Optional in the type only for older `MetricGroup` implementations (see {@link MetricGroup.meter});
   * every group the runtime hands out has it.
   */
  histogram?(name: string, options?: HistogramOptions): Histogram;
  /**
   * Returns a nested group: `addGroup('KafkaConsumer')`, or a key/value group such as
   * `addGroup('topic', 'orders')` which Flink reports as `topic.orders`.
   */
  addGroup(name: string, value?: string): MetricGroup;
  /** The scope components of this group, outermost first. */
  readonly scope: readonly string[];
}
