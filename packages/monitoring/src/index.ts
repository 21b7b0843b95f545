// The public entry point of @sluice/monitoring (STYLE.md §4).
export { startMonitoring, monitoringOptionsFromEnv } from './monitoring-server.js';
export type { MonitoringOptions, MonitoringServer } from './monitoring-server.js';
export { createLogger, subtaskLogger } from './logger.js';
export type { LoggerOptions, MonitoringLogger } from './logger.js';
export { MonitoringError, MonitoringErrorCode } from './errors.js';
export type { MonitoringErrorOptions } from './errors.js';
export { promMetricName } from './prometheus-exporter.js';
export { fileSinkStatus, kafkaLag, vertexMetrics } from './job-views.js';
export type {
  FileSinkStatus,
  JobSummary,
  KafkaPartitionLag,
  VertexMetrics,
} from './job-views.js';
export { exportToOpenTelemetry, otelInstrumentName } from './opentelemetry-exporter.js';
export type { OpenTelemetryExport, OpenTelemetryExportOptions } from './opentelemetry-exporter.js';
