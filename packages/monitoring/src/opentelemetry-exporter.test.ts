import { afterEach, describe, expect, it } from 'vitest';
import type { MetricSample } from '@sluice/core';
import { fakeJob, jobStatus, sample } from '../test/helpers/fake-job.js';
import { inMemoryProvider, shutdownProviders } from '../test/helpers/in-memory-meter.js';
import { exportToOpenTelemetry, otelInstrumentName } from './opentelemetry-exporter.js';

afterEach(shutdownProviders);

describe('otelInstrumentName', () => {
  it('joins level, groups and name with dots and replaces characters OpenTelemetry refuses', () => {
    expect(
      otelInstrumentName(sample({ name: 'recordsLag', value: 1, groups: ['KafkaConsumer'] })),
    ).toBe('sluice.operator.KafkaConsumer.recordsLag');
    expect(otelInstrumentName(sample({ name: 'current offsets:t', value: 1, level: 'job' }))).toBe(
      'sluice.job.current_offsets_t',
    );
    expect(otelInstrumentName(sample({ name: 'latency', value: 1 }), 'count')).toBe(
      'sluice.operator.latency.count',
    );
  });
});

describe('exportToOpenTelemetry', () => {
  it('maps counters to monotonic sums and gauges, meters and histograms to gauges with the scope as attributes', async () => {
    const { provider, collect } = inMemoryProvider();
    // A live array: the test adds a metric later.
    const metrics: MetricSample[] = [
      sample({ name: 'numBytesOut', kind: 'counter', value: 4096 }),
      sample({ name: 'partsInProgress', value: 2 }),
      sample({ name: 'open', value: true }),
      sample({ name: 'label', value: 'text' }),
      sample({ name: 'numRecordsOutPerSecond', kind: 'meter', value: 12.5, count: 100 }),
      sample({
        name: 'latency',
        kind: 'histogram',
        value: 3,
        histogram: { count: 3, min: 1, max: 9, mean: 4, p50: 2, p95: 8, p99: 9 },
      }),
      sample({ name: 'uptime', level: 'job', value: 1234, labels: { job_name: 'j' } }),
    ];
    const exported = exportToOpenTelemetry(fakeJob(jobStatus({ metrics })), {
      meterProvider: provider,
    });
    const got = await collect();

    const bytes = got.get('sluice.operator.numBytesOut');
    expect(bytes?.dataPointType).toBe(3); // DataPointType.SUM
    expect(bytes).toMatchObject({ isMonotonic: true });
    expect(bytes?.dataPoints).toEqual([
      expect.objectContaining({
        value: 4096,
        attributes: { job_name: 'j', operator_id: 'op', subtask_index: '0' },
      }),
    ]);
    expect(got.get('sluice.operator.partsInProgress')?.dataPoints[0]?.value).toBe(2);
    expect(got.get('sluice.operator.open')?.dataPoints[0]?.value).toBe(1);
    expect(got.has('sluice.operator.label')).toBe(false);
    expect(got.get('sluice.operator.numRecordsOutPerSecond')?.dataPoints[0]?.value).toBe(12.5);
    expect(
      got
        .get('sluice.operator.latency')
        ?.dataPoints.map((p) => [p.attributes['quantile'], p.value]),
    ).toEqual([
      ['0.5', 2],
      ['0.95', 8],
      ['0.99', 9],
    ]);
    expect(got.get('sluice.operator.latency.count')?.dataPoints[0]?.value).toBe(3);
    expect(got.get('sluice.job.uptime')?.dataPoints[0]).toMatchObject({
      value: 1234,
      attributes: { job_name: 'j' },
    });
    expect(got.get('sluice.job.info')?.dataPoints[0]).toMatchObject({
      value: 1,
      attributes: { job_name: 'j', job_id: 'id-1', state: 'running' },
    });

    // A metric registered later (an operator opening late) is exported from the next collection on.
    metrics.push(sample({ name: 'partsFinished', kind: 'counter', value: 7 }));
    await collect();
    expect((await collect()).get('sluice.operator.partsFinished')?.dataPoints[0]?.value).toBe(7);

    exported.close();
    metrics[1] = sample({ name: 'partsInProgress', value: 5 });
    const after = await collect();
    expect(
      after.get('sluice.operator.partsInProgress')?.dataPoints.map((p) => p.value),
    ).not.toContain(5);
  });

  it('names the missing meterProvider option', () => {
    expect(() => exportToOpenTelemetry(fakeJob(jobStatus()), {} as never)).toThrow(
      expect.objectContaining({ code: 'CONFIG_MONITORING_OPTION', option: 'meterProvider' }),
    );
  });
});
