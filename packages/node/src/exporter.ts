import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ClientSettings } from '@milvus-otel/config';
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
  const { otlp } = settings;
  const common = { url: otlp.url, headers: { ...otlp.headers }, timeoutMillis: otlp.timeoutMs };
  switch (otlp.protocol) {
    case 'grpc': {
      const { OTLPTraceExporter } = load(
        '@opentelemetry/exporter-trace-otlp-grpc',
      ) as typeof import('@opentelemetry/exporter-trace-otlp-grpc');
      const grpc = load('@grpc/grpc-js') as typeof import('@grpc/grpc-js');
      const metadata = new grpc.Metadata();
      for (const [key, value] of Object.entries(common.headers)) metadata.set(key, value);
      return new OTLPTraceExporter({
        url: common.url,
        timeoutMillis: common.timeoutMillis,
        metadata,
        ...(otlp.certificateFile
          ? { credentials: grpc.credentials.createSsl(readFileSync(otlp.certificateFile)) }
          : {}),
      });
    }
    case 'http/protobuf': {
      const { OTLPTraceExporter } = load(
        '@opentelemetry/exporter-trace-otlp-proto',
      ) as typeof import('@opentelemetry/exporter-trace-otlp-proto');
      return new OTLPTraceExporter(common);
    }
    case 'http/json': {
      const { OTLPTraceExporter } = load(
        '@opentelemetry/exporter-trace-otlp-http',
      ) as typeof import('@opentelemetry/exporter-trace-otlp-http');
      return new OTLPTraceExporter(common);
    }
  }
}
