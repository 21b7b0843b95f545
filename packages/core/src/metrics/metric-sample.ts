/** The structured view of one metric that exporters (Prometheus, REST) read. */
import type { HistogramStatistics } from '../api/metric-group.js';

/** A metric value as reported in flat snapshots. */
export type MetricValue = number | string | boolean | null;

/** The kind of a metric. */
export type MetricKind = 'counter' | 'gauge' | 'meter' | 'histogram';

/** One metric with its scope, labels and current value. */
export interface MetricSample {
  /** Dotted full name: scope components then the name, e.g. `squares.counter-source.0.numRecordsOut`. */
  readonly id: string;
  /** The metric's own name, e.g. `numRecordsOut`. */
  readonly name: string;
  readonly kind: MetricKind;
  /** `job` for job-wide metrics, `operator` for metrics of one operator subtask. */
  readonly level: 'job' | 'operator';
  /** Every scope component, outermost first (system scope, then user groups). */
  readonly scope: readonly string[];
  /**
   * Names of the user groups that are not key/value groups, outermost first: `['KafkaConsumer']`
   * for `addGroup('KafkaConsumer').addGroup('topic', 't')`.
   */
  readonly groups: readonly string[];
  /**
   * Scope variables: `job_name`, and for operator metrics `operator_id` (the uid) and
   * `subtask_index`, plus one entry per key/value user group (`topic`, `partition`, …).
   */
  readonly labels: Readonly<Record<string, string>>;
  /**
   * Counter: the count; gauge: what it read (`null` when it threw); meter: the rate per second;
   * histogram: the number of values recorded.
   */
  readonly value: MetricValue;
  /** Meters only: events since creation. */
  readonly count?: number;
  /** Histograms only. */
  readonly histogram?: HistogramStatistics;
}
