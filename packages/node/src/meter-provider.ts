import { createRequire } from 'node:module';
import type { ClientSettings } from '@milvus-otel/config';
import { diag, metrics } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { MeterProvider } from '@opentelemetry/sdk-metrics';
import { createOtlpSignalExporter } from './exporter.ts';

// The metrics SDK is loaded only when OTEL_METRICS_EXPORTER=otlp: with metrics off (the default) none of its code is read.
const load = createRequire(import.meta.url);

/** The part of the MeterProvider the handle flushes and shuts down with the tracer provider. */
export interface MetricsHandle {
  readonly provider: MeterProvider;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** The longest one export may take: the SDK's default (30 s), but never longer than the interval between exports. */
const MAX_EXPORT_TIMEOUT_MS = 30_000;

/**
 * With OTEL_METRICS_EXPORTER=otlp: a MeterProvider with the traces' resource whose PeriodicExportingMetricReader sends
 * cumulative OTLP metrics every OTEL_METRIC_EXPORT_INTERVAL ms, registered as the global meter provider (what the
 * instrumentations' meters record into). Undefined when metrics are off.
 */
export function startMetrics(settings: ClientSettings, resource: Resource): MetricsHandle | undefined {
  if (settings.metrics.exporter !== 'otlp') return undefined;
  const sdk = load('@opentelemetry/sdk-metrics') as typeof import('@opentelemetry/sdk-metrics');
  const interval = settings.metrics.exportIntervalMs;
  const reader = new sdk.PeriodicExportingMetricReader({
    exporter: createOtlpSignalExporter('metrics', settings.metrics.otlp),
    exportIntervalMillis: interval,
    exportTimeoutMillis: Math.min(MAX_EXPORT_TIMEOUT_MS, interval),
  });
  const provider = new sdk.MeterProvider({ resource, readers: [reader] });
  if (!metrics.setGlobalMeterProvider(provider)) {
    diag.warn(
      '@milvus-otel/node: another OpenTelemetry meter provider is already registered; the instrumentations record into this one, other meters into that one',
    );
  }
  return {
    provider,
    forceFlush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown().finally(() => metrics.disable()),
  };
}
