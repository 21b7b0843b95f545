// Exports the metrics of a running job to OpenTelemetry and reads them from an in-memory exporter.
import { afterEach, expect, it } from 'vitest';
import type { JobHandle } from '@sluice/core';
import { exportToOpenTelemetry } from '../src/index.js';
import type { OpenTelemetryExport } from '../src/index.js';
import { inMemoryProvider, shutdownProviders } from './helpers/in-memory-meter.js';
import { startTestJob, stopJob, waitFor } from './helpers/running-job.js';

let job: JobHandle | undefined;
let exported: OpenTelemetryExport | undefined;
afterEach(async () => {
  exported?.close();
  exported = undefined;
  await shutdownProviders();
  await stopJob(job);
  job = undefined;
});

it('exports records, bytes and file sink parts of a running job with job/operator/subtask attributes', async () => {
  job = await startTestJob({ name: 'otel-export', checkpointInterval: 100, fileSinkMetrics: true });
  const { provider, collect } = inMemoryProvider();
  exported = exportToOpenTelemetry(job, { meterProvider: provider });

  const finished = await waitFor(
    'finished file sink parts in an OpenTelemetry collection',
    async () => {
      const points = (await collect()).get('sluice.operator.partsFinished')?.dataPoints ?? [];
      return points.some((p) => Number(p.value) > 0) ? points : undefined;
    },
  );
  expect(
    finished
      .map((p) => p.attributes)
      .sort((a, b) => String(a['subtask_index']).localeCompare(String(b['subtask_index']))),
  ).toEqual([
    { job_name: 'otel-export', operator_id: 'discard', subtask_index: '0' },
    { job_name: 'otel-export', operator_id: 'discard', subtask_index: '1' },
  ]);
  const metrics = await collect();
  const sourceOut = metrics
    .get('sluice.operator.numRecordsOut')
    ?.dataPoints.find((p) => p.attributes['operator_id'] === 'ticker');
  expect(Number(sourceOut?.value)).toBeGreaterThan(0);
  const bytesIn = metrics.get('sluice.operator.numBytesIn')?.dataPoints ?? [];
  expect(bytesIn.map((p) => p.attributes['operator_id'])).toEqual(['ticker']);
  expect(metrics.get('sluice.operator.numBytesOut')?.dataPoints).toHaveLength(2);
  expect(
    Number(metrics.get('sluice.job.numberOfCompletedCheckpoints')?.dataPoints[0]?.value),
  ).toBeGreaterThan(0);
  expect(metrics.get('sluice.job.info')?.dataPoints[0]?.attributes).toEqual({
    job_name: 'otel-export',
    job_id: job.jobId,
    state: 'running',
  });
});
