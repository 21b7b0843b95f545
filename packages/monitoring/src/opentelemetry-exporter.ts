/**
 * Publishes the metrics of running jobs as OpenTelemetry instruments on a meter of the user's
 * `MeterProvider`: counters as observable counters, everything else as observable gauges, read when
 * the provider's readers collect. Only `@opentelemetry/api` types are used (an optional peer
 * dependency); the SDK, its readers and exporters (OTLP, Prometheus, console, …) are the user's.
 */
import type { BatchObservableResult, Meter, MeterProvider, Observable } from '@opentelemetry/api';
import type { JobHandle, MetricSample } from '@sluice/core';
import { MonitoringError, MonitoringErrorCode } from './errors.js';
import { metricPoints } from './metric-points.js';
import type { MetricPoint } from './metric-points.js';

/** Options of {@link exportToOpenTelemetry}. */
export interface OpenTelemetryExportOptions {
  /**
   * The provider whose meter gets the instruments, e.g. `new MeterProvider({ readers: [...] })`
   * from `@opentelemetry/sdk-metrics`, or `metrics.getMeterProvider()` for the global one. Its
   * readers decide where and how often the metrics go.
   */
  readonly meterProvider: MeterProvider;
  /**
   * Name of the meter (the instrumentation scope).
   * @defaultValue `'@sluice/monitoring'`
   */
  readonly meterName?: string;
}

/** A running export started by {@link exportToOpenTelemetry}. */
export interface OpenTelemetryExport {
  /** Exports another job's metrics too. */
  addJob(handle: JobHandle): void;
  /** Stops exporting a job's metrics; returns whether it was exported. */
  removeJob(jobId: string): boolean;
  /** Stops observing: the instruments report nothing from the next collection on. */
  close(): void;
}

/**
 * OpenTelemetry instrument name of a point: `sluice.<level>.<groups>.<name>` (`.count` for a
 * histogram's count); characters OpenTelemetry does not allow become `_`.
 */
export function otelInstrumentName(
  sample: MetricSample,
  part: MetricPoint['part'] = 'value',
): string {
  const parts = ['sluice', sample.level, ...sample.groups, sample.name];
  if (part === 'count') parts.push('count');
  return parts
    .join('.')
    .replace(/[^A-Za-z0-9_./-]/g, '_')
    .slice(0, 255);
}

/**
 * Exports the metrics of one job or several to OpenTelemetry. Every metric becomes an instrument
 * named by {@link otelInstrumentName} whose attributes are the metric's scope: `job_name`, and for
 * operator metrics `operator_id` and `subtask_index`, plus key/value groups (`topic`,
 * `partition`, …) and `quantile` for histograms. Values are read from the jobs when a reader
 * collects; nothing runs in between. A metric that first appears while the job runs (an operator
 * that opens late) is exported from the following collection on. Throws a {@link MonitoringError}
 * (`CONFIG_MONITORING_OPTION`) without a `meterProvider`.
 */
export function exportToOpenTelemetry(
  jobs: JobHandle | readonly JobHandle[],
  options: OpenTelemetryExportOptions,
): OpenTelemetryExport {
  if (
    typeof (options as Partial<OpenTelemetryExportOptions>).meterProvider?.getMeter !== 'function'
  ) {
    throw new MonitoringError(
      'exportToOpenTelemetry needs option meterProvider: a MeterProvider such as ' +
        'new MeterProvider({ readers: [...] }) from @opentelemetry/sdk-metrics, or metrics.getMeterProvider() from @opentelemetry/api.',
      { code: MonitoringErrorCode.CONFIG_MONITORING_OPTION, option: 'meterProvider' },
    );
  }
  const meter: Meter = options.meterProvider.getMeter(options.meterName ?? '@sluice/monitoring');
  const handles = new Map<string, JobHandle>();
  for (const handle of Array.isArray(jobs) ? (jobs as readonly JobHandle[]) : [jobs as JobHandle]) {
    handles.set(handle.jobId, handle);
  }
  const instruments = new Map<string, Observable>();
  // A batch callback may only observe the instruments it was registered with, and instruments
  // appear over time: one callback per set of instruments created together.
  const registrations: {
    callback: (result: BatchObservableResult) => void;
    observables: Observable[];
  }[] = [];
  const register = (
    observables: Observable[],
    callback: (result: BatchObservableResult) => void,
  ): void => {
    registrations.push({ callback, observables });
    meter.addBatchObservableCallback(callback, observables);
  };

  const forEachPoint = (visit: (name: string, point: MetricPoint) => void): void => {
    for (const handle of handles.values()) {
      for (const sample of handle.status().metrics) {
        for (const point of metricPoints(sample)) {
          visit(otelInstrumentName(sample, point.part), point);
        }
      }
    }
  };

  /** Creates the instruments of metrics that have none yet, with a callback that observes them. */
  const addNewInstruments = (): void => {
    const fresh = new Map<string, Observable>();
    forEachPoint((name, point) => {
      if (instruments.has(name) || fresh.has(name)) return;
      const options = { description: point.description };
      fresh.set(
        name,
        point.type === 'counter'
          ? meter.createObservableCounter(name, options)
          : meter.createObservableGauge(name, options),
      );
    });
    if (fresh.size === 0) return;
    for (const [name, instrument] of fresh) instruments.set(name, instrument);
    const own = new Set(fresh.values());
    register([...own], (result) => {
      forEachPoint((name, point) => {
        const instrument = instruments.get(name);
        if (instrument === undefined || !own.has(instrument)) return;
        // An observable counter cannot report a counter that went below zero.
        if (point.type === 'counter' && point.value < 0) return;
        result.observe(instrument, point.value, point.labels);
      });
    });
  };

  // `sluice.job.info` (always 1; attributes name the job run and its state) is observed on every
  // collection; its callback also creates the instruments of metrics that appeared since.
  const info = meter.createObservableGauge('sluice.job.info', {
    description: 'Always 1; attributes name the job run (job_name, job_id) and its state.',
  });
  register([info], (result) => {
    for (const handle of handles.values()) {
      const { jobName, jobId, state } = handle.status();
      result.observe(info, 1, { job_name: jobName, job_id: jobId, state });
    }
    addNewInstruments();
  });
  addNewInstruments();

  return {
    addJob: (handle) => {
      handles.set(handle.jobId, handle);
      addNewInstruments();
    },
    removeJob: (jobId) => handles.delete(jobId),
    close: () => {
      for (const { callback, observables } of registrations.splice(0)) {
        meter.removeBatchObservableCallback(callback, observables);
      }
    },
  };
}
