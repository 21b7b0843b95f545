/**
 * Turns the metrics of running jobs into Prometheus' text format with prom-client. A fresh
 * prom-client registry is filled on every scrape (metrics come and go with jobs and partitions);
 * Node process metrics come from a long-lived registry.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { JobStatus, MetricSample } from '@sluice/core';
import { metricPoints } from './metric-points.js';

/** A Prometheus metric or label name: `[a-zA-Z_][a-zA-Z0-9_]*`. */
export function promName(raw: string): string {
  const name = raw.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[a-zA-Z_]/.test(name) ? name : `_${name}`;
}

/** Prometheus name of a sample: `sluice_<level>_<groups>_<name>`. */
export function promMetricName(sample: MetricSample): string {
  return promName(['sluice', sample.level, ...sample.groups, sample.name].join('_'));
}

interface Series {
  readonly labels: Record<string, string>;
  readonly value: number;
}

interface Family {
  readonly type: 'counter' | 'gauge';
  readonly help: string;
  readonly series: Series[];
}

/** Renders jobs' metrics (and optionally Node process metrics) as Prometheus text. */
export class PrometheusExporter {
  private readonly processRegistry: Registry | undefined;

  constructor(options: { processMetrics: boolean }) {
    if (options.processMetrics) {
      this.processRegistry = new Registry();
      collectDefaultMetrics({ register: this.processRegistry, prefix: 'sluice_' });
    }
  }

  /** The content type of {@link PrometheusExporter.render}'s output. */
  get contentType(): string {
    return new Registry().contentType;
  }

  /** The exposition text for `jobs`. */
  async render(jobs: readonly JobStatus[]): Promise<string> {
    const families = new Map<string, Family>();
    const add = (name: string, family: Omit<Family, 'series'>, series: Series): void => {
      let existing = families.get(name);
      if (existing === undefined) {
        existing = { ...family, series: [] };
        families.set(name, existing);
      }
      existing.series.push(series);
    };
    for (const job of jobs) {
      add(
        'sluice_job_info',
        { type: 'gauge', help: 'Always 1; labels name the job run and its state.' },
        { labels: { job_name: job.jobName, job_id: job.jobId, state: job.state }, value: 1 },
      );
      for (const sample of job.metrics) this.addSample(sample, add);
    }
    const registry = new Registry();
    for (const [name, family] of families) {
      const labelNames = [...new Set(family.series.flatMap((s) => Object.keys(s.labels)))];
      const fill = (labels: Record<string, string>): Record<string, string> =>
        Object.fromEntries(labelNames.map((label) => [label, labels[label] ?? '']));
      if (family.type === 'counter') {
        const metric = new Counter({ name, help: family.help, labelNames, registers: [registry] });
        for (const s of family.series) metric.inc(fill(s.labels), s.value);
      } else {
        const metric = new Gauge({ name, help: family.help, labelNames, registers: [registry] });
        for (const s of family.series) metric.set(fill(s.labels), s.value);
      }
    }
    const text = await registry.metrics();
    return this.processRegistry === undefined
      ? text
      : text + (await this.processRegistry.metrics());
  }

  private addSample(
    sample: MetricSample,
    add: (name: string, family: Omit<Family, 'series'>, series: Series) => void,
  ): void {
    const name = promMetricName(sample);
    for (const point of metricPoints(sample)) {
      const labels = Object.fromEntries(
        Object.entries(point.labels).map(([key, value]) => [promName(key), value]),
      );
      // prom-client counters only go up; a counter that went below 0 is exposed as a gauge.
      const type = point.type === 'counter' && point.value >= 0 ? 'counter' : 'gauge';
      const suffix = point.part === 'count' ? '_count' : type === 'counter' ? '_total' : '';
      add(`${name}${suffix}`, { type, help: point.description }, { labels, value: point.value });
    }
  }
}
