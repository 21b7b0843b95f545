import { describe, expect, it } from 'vitest';
import type { JobStatus, MetricSample } from '@sluice/core';
import { jobStatus, sample } from '../test/helpers/fake-job.js';
import { PrometheusExporter, promMetricName, promName } from './prometheus-exporter.js';

function job(metrics: MetricSample[]): JobStatus {
  return jobStatus({ metrics });
}

describe('Prometheus names', () => {
  it('sanitizes names and prefixes the level and user groups', () => {
    expect(promName('current-offsets.t-0')).toBe('current_offsets_t_0');
    expect(promName('0abc')).toBe('_0abc');
    expect(promMetricName(sample({ name: 'recordsLag', value: 1, groups: ['KafkaConsumer'] }))).toBe(
      'sluice_operator_KafkaConsumer_recordsLag',
    );
    expect(promMetricName(sample({ name: 'uptime', value: 1, level: 'job' }))).toBe('sluice_job_uptime');
  });
});

describe('PrometheusExporter', () => {
  const exporter = new PrometheusExporter({ processMetrics: false });

  it('renders counters, gauges, booleans and histogram quantiles; skips strings and nulls', async () => {
    const text = await exporter.render([
      job([
        sample({ name: 'written', kind: 'counter', value: 5 }),
        sample({ name: 'open', value: true }),
        sample({ name: 'mode', value: 'x' }),
        sample({ name: 'missing', value: null }),
        sample({
          name: 'latency',
          kind: 'histogram',
          value: 3,
          histogram: { count: 3, min: 1, max: 3, mean: 2, p50: 2, p95: 3, p99: 3 },
        }),
      ]),
    ]);
    expect(text).toContain('# TYPE sluice_operator_written_total counter');
    expect(text).toContain('sluice_operator_written_total{job_name="j",operator_id="op",subtask_index="0"} 5');
    expect(text).toContain('sluice_operator_open{job_name="j",operator_id="op",subtask_index="0"} 1');
    expect(text).not.toContain('sluice_operator_mode');
    expect(text).not.toContain('sluice_operator_missing');
    expect(text).toContain('sluice_operator_latency{job_name="j",operator_id="op",subtask_index="0",quantile="0.95"} 3');
    expect(text).toContain('sluice_operator_latency_count{job_name="j",operator_id="op",subtask_index="0"} 3');
    expect(text).toContain('sluice_job_info{job_name="j",job_id="id-1",state="running"} 1');
  });

  it('gives every series of a name the union of the label names', async () => {
    const text = await exporter.render([
      job([
        sample({ name: 'lag', value: 1, labels: { job_name: 'j', topic: 'a' } }),
        sample({ name: 'lag', value: 2, labels: { job_name: 'j', partition: '3' } }),
      ]),
    ]);
    expect(text).toContain('sluice_operator_lag{job_name="j",topic="a",partition=""} 1');
    expect(text).toContain('sluice_operator_lag{job_name="j",topic="",partition="3"} 2');
  });

  it('adds Node process metrics when asked', async () => {
    const text = await new PrometheusExporter({ processMetrics: true }).render([]);
    expect(text).toContain('sluice_process_resident_memory_bytes');
  });
});
