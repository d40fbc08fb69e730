import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ClientSettings, OtlpProtocol, OtlpSettings, OtlpSignal } from '@milvus-otel/config';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import * as tracing from '@opentelemetry/sdk-trace';

// Exporters are loaded on demand: an app pays start-up time only for the protocol it uses.
const load = createRequire(import.meta.url);

/** An exporter that can be built ahead of its first export (createExporter's, whose OTLP exporter is loaded lazily). */
export interface PreparableExporter extends tracing.SpanExporter {
  prepare?(): void;
  /**
   * Forgets the connection so that the next export dials the collector afresh. A gRPC channel that failed to connect
   * waits out its own reconnect back-off (×1.6 per failure, up to 2 minutes) and fails every call at once meanwhile,
   * even after the collector is back: without this, exports could stay stalled minutes after an outage.
   */
  reconnect?(): void;
}

/**
 * The OTLP exporter the settings ask for (grpc, http/protobuf or http/json), or the console / none. The OTLP exporter
 * (and its protobuf code) is built on the first export, after start-up, not while the app boots.
 */
export function createExporter(settings: ClientSettings): PreparableExporter | undefined {
  const { exporters } = settings;
  if (exporters.includes('none') || exporters.length === 0) return undefined;
  if (!exporters.includes('otlp')) return new tracing.ConsoleSpanExporter();
  let exporter: tracing.SpanExporter | undefined;
  const real = () => {
    exporter ??= createOtlpExporter(settings);
    return exporter;
  };
  return {
    export: (spans, done) => real().export(spans, done),
    forceFlush: () => exporter?.forceFlush?.() ?? Promise.resolve(),
    shutdown: () => exporter?.shutdown() ?? Promise.resolve(),
    prepare: () => {
      try {
        real();
      } catch {
        // The first export builds it again and reports the error as a failed export.
      }
    },
    ...(settings.otlp.protocol === 'grpc'
      ? {
          reconnect: () => {
            // The next export builds a new exporter, whose new channel dials at once. The old one closes once its
            // pending calls have settled (each within its deadline).
            const old = exporter;
            exporter = undefined;
            old?.shutdown().catch(() => undefined);
          },
        }
      : {}),
  };
}

function createOtlpExporter(settings: ClientSettings): tracing.SpanExporter {
  return createOtlpSignalExporter('traces', settings.otlp);
}

/** The OTLP exporter class of each signal, per protocol: the same three transports for traces and metrics. */
const OTLP_PACKAGES = {
  traces: {
    grpc: '@opentelemetry/exporter-trace-otlp-grpc',
    'http/protobuf': '@opentelemetry/exporter-trace-otlp-proto',
    'http/json': '@opentelemetry/exporter-trace-otlp-http',
  },
  metrics: {
    grpc: '@opentelemetry/exporter-metrics-otlp-grpc',
    'http/protobuf': '@opentelemetry/exporter-metrics-otlp-proto',
    'http/json': '@opentelemetry/exporter-metrics-otlp-http',
  },
} as const satisfies Record<OtlpSignal, Record<OtlpProtocol, string>>;

interface SignalExporters {
  traces: tracing.SpanExporter;
  metrics: PushMetricExporter;
}

/**
 * The OTLP exporter of one signal for the protocol `otlp` names (loaded only now), with its URL, headers, timeout and
 * CA certificate. Metrics ask for cumulative temporality, which Prometheus's OTLP receiver takes (it drops deltas
 * unless a feature flag is on).
 */
export function createOtlpSignalExporter<S extends OtlpSignal>(
  signal: S,
  otlp: OtlpSettings,
): SignalExporters[S] {
  const module = load(OTLP_PACKAGES[signal][otlp.protocol]) as Record<
    string,
    new (
      config: object,
    ) => unknown
  >;
  const Exporter = module[signal === 'traces' ? 'OTLPTraceExporter' : 'OTLPMetricExporter'];
  if (!Exporter) throw new Error(`${OTLP_PACKAGES[signal][otlp.protocol]} has no OTLP exporter class`);
  const common = {
    url: otlp.url,
    timeoutMillis: otlp.timeoutMs,
    // AggregationTemporalityPreference.CUMULATIVE of the metrics exporters (the same value in all three).
    ...(signal === 'metrics' ? { temporalityPreference: CUMULATIVE } : {}),
  };
  if (otlp.protocol !== 'grpc')
    return new Exporter({ ...common, headers: { ...otlp.headers } }) as SignalExporters[S];
  const grpc = load('@grpc/grpc-js') as typeof import('@grpc/grpc-js');
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(otlp.headers)) metadata.set(key, value);
  return new Exporter({
    ...common,
    metadata,
    ...(otlp.certificateFile
      ? { credentials: grpc.credentials.createSsl(readFileSync(otlp.certificateFile)) }
      : {}),
  }) as SignalExporters[S];
}

/** AggregationTemporalityPreference.CUMULATIVE (@opentelemetry/exporter-metrics-otlp-http), without loading it. */
const CUMULATIVE = 1;
