/**
 * The numbers an exporter publishes for one metric sample, shared by the Prometheus and the
 * OpenTelemetry exporters so that both publish the same values under the same rules.
 */
import type { MetricSample } from '@sluice/core';

/** One published number of a sample. */
export interface MetricPoint {
  /**
   * `value` for the metric itself (histograms: one point per quantile); `count` for the number of
   * values a histogram recorded, published as a metric of its own.
   */
  readonly part: 'value' | 'count';
  /** A counter (only goes up within a run) or a gauge. */
  readonly type: 'counter' | 'gauge';
  readonly description: string;
  /** The sample's labels, plus `quantile` for a histogram's quantiles. */
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

function numeric(value: MetricSample['value']): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return undefined;
}

/**
 * The points of `sample`: counters and numeric or boolean (1/0) gauges and meters as one point;
 * histograms as their p50/p95/p99 (label `quantile`) plus their count; strings, `null` and
 * non-finite values as none.
 */
export function metricPoints(sample: MetricSample): MetricPoint[] {
  const description = `Sluice ${sample.kind} ${[...sample.groups, sample.name].join('.')}`;
  const labels = sample.labels;
  if (sample.histogram !== undefined) {
    const stats = sample.histogram;
    return [
      ...(
        [
          ['0.5', stats.p50],
          ['0.95', stats.p95],
          ['0.99', stats.p99],
        ] as const
      ).map(([quantile, value]) => ({
        part: 'value' as const,
        type: 'gauge' as const,
        description: `${description} (quantiles over the window)`,
        labels: { ...labels, quantile },
        value,
      })),
      {
        part: 'count',
        type: 'gauge',
        description: `${description}: values recorded`,
        labels,
        value: stats.count,
      },
    ];
  }
  const value = numeric(sample.value);
  if (value === undefined) return [];
  return [
    {
      part: 'value',
      type: sample.kind === 'counter' ? 'counter' : 'gauge',
      description,
      labels,
      value,
    },
  ];
}
