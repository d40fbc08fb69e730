import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ClientSettings } from '@milvus-otel/config';
import { type Context, diag } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import * as tracing from '@opentelemetry/sdk-trace';

// Exporters are loaded on demand: an app pays start-up time only for the protocol it uses.
const load = createRequire(import.meta.url);

/**
 * The OTLP exporter the settings ask for (grpc, http/protobuf or http/json), or the console / none. The OTLP exporter
 * (and its protobuf code) is built on the first export, after start-up, not while the app boots.
 */
export function createExporter(settings: ClientSettings): tracing.SpanExporter | undefined {
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

/**
 * Keeps a slow or absent collector from growing memory or flooding the log: at most `maxQueueSize` spans wait for
 * export (more are dropped and counted), and the first failed export is logged once with the collector URL.
 */
export class BoundedExportPipeline {
  private pending = 0;
  private dropped = 0;
  private warned = false;
  readonly processor: tracing.SpanProcessor;

  constructor(
    exporter: tracing.SpanExporter,
    private readonly settings: ClientSettings,
    private readonly warn: (message: string) => void = (m) => diag.warn(m),
  ) {
    const counting: tracing.SpanExporter = {
      export: (spans, done) => {
        this.pending = Math.max(0, this.pending - spans.length);
        // The batch processor exports a full batch from inside the span.end() that filled it, i.e. on the path of
        // the app's call. The exporter serializes the whole batch synchronously (~10 ms for 512 spans), so that
        // work runs in a macrotask of its own: the call that ended the span completes first.
        // setImmediate keeps the async context, so the export still runs with tracing suppressed.
        setImmediate(() => {
          const finish = (result: ExportResult) => {
            if (result.code !== ExportResultCode.SUCCESS)
              this.drop(spans.length, result.error?.message ?? 'export failed');
            done(result);
          };
          try {
            exporter.export(spans, finish);
          } catch (error) {
            finish({
              code: ExportResultCode.FAILED,
              error: error instanceof Error ? error : new Error(String(error)),
            });
          }
        });
      },
      shutdown: () => exporter.shutdown(),
      forceFlush: () => exporter.forceFlush?.() ?? Promise.resolve(),
    };
    const batch = new tracing.BatchSpanProcessor({
      exporter: counting,
      maxQueueSize: settings.batch.maxQueueSize,
      maxExportBatchSize: settings.batch.maxExportBatchSize,
      scheduledDelayMillis: settings.batch.scheduleDelayMs,
      exportTimeoutMillis: settings.batch.exportTimeoutMs,
    });
    const self = this;
    this.processor = {
      onStart: (span: tracing.Span, parent: Context) => batch.onStart(span, parent),
      onEnd(span: tracing.ReadableSpan) {
        if (!span.spanContext().traceFlags) return; // not sampled: never exported
        if (self.pending >= self.settings.batch.maxQueueSize) {
          self.drop(1, `the export queue is full (${self.settings.batch.maxQueueSize} spans)`);
          return;
        }
        self.pending++;
        batch.onEnd(span);
      },
      forceFlush: () => batch.forceFlush(),
      shutdown: () => batch.shutdown(),
    };
  }

  droppedSpans(): number {
    return this.dropped;
  }

  private drop(count: number, reason: string): void {
    this.dropped += count;
    if (this.warned) return;
    this.warned = true;
    this.warn(
      `@milvus-otel/node: dropped ${count} span(s) for ${this.settings.otlp.url} (${this.settings.otlp.protocol}): ${reason}. ` +
        'The app keeps running; further drops are counted (handle.droppedSpans()), not logged.',
    );
  }
}
