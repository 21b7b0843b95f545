// An OpenTelemetry MeterProvider with an in-memory exporter, collected on demand (no timers).
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import type { MetricData } from '@opentelemetry/sdk-metrics';

const providers: MeterProvider[] = [];

/** A meter provider and `collect()`, which exports once and answers the metrics by name. */
export function inMemoryProvider(): {
  provider: MeterProvider;
  collect: () => Promise<Map<string, MetricData>>;
} {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // The interval never passes within a test: exports happen on forceFlush only.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  providers.push(provider);
  return {
    provider,
    collect: async () => {
      exporter.reset();
      await provider.forceFlush();
      const metrics = exporter
        .getMetrics()
        .flatMap((r) => r.scopeMetrics.flatMap((s) => s.metrics));
      return new Map(metrics.map((m) => [m.descriptor.name, m]));
    },
  };
}

/** Shuts down every provider made by {@link inMemoryProvider}. */
export async function shutdownProviders(): Promise<void> {
  for (const provider of providers.splice(0)) await provider.shutdown();
}
