import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { ClientSettings } from '@milvus-otel/config';
import { context, diag, TraceFlags } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode, suppressTracing } from '@opentelemetry/core';
import * as tracing from '@opentelemetry/sdk-trace';

// Exporters are loaded on demand: an app pays start-up time only for the protocol it uses.
const load = createRequire(import.meta.url);

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
  };
}

/** An exporter that can be built ahead of its first export (createExporter's, whose OTLP exporter is loaded lazily). */
export interface PreparableExporter extends tracing.SpanExporter {
  prepare?(): void;
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

/** gRPC status codes the OTLP specification calls retryable (CANCELLED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED,
 * ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS). */
const RETRYABLE_GRPC_CODES = new Set([1, 4, 8, 10, 11, 14, 15]);
/** HTTP statuses the OTLP specification calls retryable (the exporter already retried them within its timeout). */
const RETRYABLE_HTTP_STATUSES = new Set([408, 429, 502, 503, 504]);
/** Messages of the OTLP exporters for a collector that could not be reached or did not answer in time. */
const RETRYABLE_MESSAGE =
  /timed? ?out|timeout|retryable|concurrent export limit|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EAI_AGAIN|ENOTFOUND|ENETUNREACH|EHOSTUNREACH|socket hang up|unavailable/i;

/**
 * Whether a failed export is worth retrying: the collector was unreachable, unavailable, overloaded or too slow
 * (gRPC UNAVAILABLE / DEADLINE_EXCEEDED…, HTTP 429/502/503/504, connection refused or reset, the exporter's
 * timeout). Anything else — the collector rejected the data (gRPC INVALID_ARGUMENT, HTTP 400), a serialization error
 * — would fail again: those spans are dropped.
 */
export function isRetryableExportError(error: unknown): boolean {
  if (error === undefined || error === null) return true; // FAILED without a reason: try again
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'number') {
    if (code >= 100) return RETRYABLE_HTTP_STATUSES.has(code); // OTLPExporterError of an http(s) exporter
    return RETRYABLE_GRPC_CODES.has(code); // grpc-js ServiceError
  }
  if (typeof code === 'string' && RETRYABLE_MESSAGE.test(code)) return true; // ECONNREFUSED…
  return typeof message === 'string' && RETRYABLE_MESSAGE.test(message);
}

/** Back-off between retries after failed exports: 1 s, ×1.5 per failure, ±20 % jitter, at most 30 s. */
export const RETRY_BACKOFF = { initialMs: 1000, maxMs: 30_000, multiplier: 1.5, jitter: 0.2 } as const;

export function retryDelayMs(failures: number, random: () => number = Math.random): number {
  const base = RETRY_BACKOFF.initialMs * RETRY_BACKOFF.multiplier ** Math.max(0, failures - 1);
  return Math.round(Math.min(RETRY_BACKOFF.maxMs, base * (1 + RETRY_BACKOFF.jitter * (2 * random() - 1))));
}

type Outcome = 'exported' | 'retry' | 'dropped';

export interface PipelineOptions {
  /** Logs the first drop and the first failed export (once each). @default diag.warn */
  warn?: (message: string) => void;
  /** The retry delay after `failures` failed exports in a row. @default retryDelayMs */
  retryDelay?: (failures: number) => number;
}

/**
 * The batching span processor in front of the exporter. Like the SDK's batch processor it exports batches of
 * `maxExportBatchSize` spans every `scheduleDelayMs` (or as soon as a batch is full), one export at a time, with
 * tracing suppressed. Unlike it, a batch whose export failed for a retryable reason (collector down, unavailable or
 * too slow) is not dropped: it goes back to the head of the queue and is exported again, before newer spans, after a
 * back-off (1 s → 30 s, jittered; unref'd timers, so it never holds the process open nor blocks the app). Spans
 * made while the collector is down wait in the same queue.
 *
 * Memory stays bounded: at most `maxQueueSize` spans wait (queued, in flight or to retry, together); past that the
 * OLDEST are dropped first, so after an outage the most recent spans are the ones exported. Batches the collector
 * rejects (non-retryable, e.g. HTTP 400) are dropped. Drops are counted (`droppedSpans()`) and the first one is
 * logged once, with the collector URL; the first failed export is logged once too.
 *
 * forceFlush() exports everything queued now, back-off or not, and keeps what still fails for the next retry;
 * shutdown() does the same once more and counts what is left as dropped.
 */
export class BoundedExportPipeline {
  private queue: tracing.ReadableSpan[] = [];
  private inFlight: Promise<Outcome> | undefined;
  private inFlightCount = 0;
  private timer: NodeJS.Timeout | undefined;
  /** When the next retry is due (0: not backing off). */
  private retryAt = 0;
  private failures = 0;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private dropped = 0;
  private warnedDrop = false;
  private warnedFailure = false;
  private readonly warn: (message: string) => void;
  private readonly retryDelay: (failures: number) => number;
  private readonly maxQueueSize: number;
  private readonly batchSize: number;
  readonly processor: tracing.SpanProcessor;

  constructor(
    private readonly exporter: tracing.SpanExporter,
    private readonly settings: ClientSettings,
    options: PipelineOptions | ((message: string) => void) = {},
  ) {
    const opts = typeof options === 'function' ? { warn: options } : options;
    this.warn = opts.warn ?? ((m) => diag.warn(m));
    this.retryDelay = opts.retryDelay ?? ((n) => retryDelayMs(n));
    this.maxQueueSize = settings.batch.maxQueueSize;
    this.batchSize = Math.min(settings.batch.maxExportBatchSize, this.maxQueueSize);
    this.processor = {
      onStart: () => {},
      onEnd: (span) => this.add(span),
      forceFlush: () => this.flush(),
      shutdown: () => this.shutdown(),
    };
  }

  droppedSpans(): number {
    return this.dropped;
  }

  /** Spans waiting for export (queued, in flight or to retry). */
  queuedSpans(): number {
    return this.queue.length + this.inFlightCount;
  }

  private add(span: tracing.ReadableSpan): void {
    if (this.stopped) return;
    if (!(span.spanContext().traceFlags & TraceFlags.SAMPLED)) return; // not sampled: never exported
    if (this.queuedSpans() >= this.maxQueueSize) {
      if (this.queue.length === 0) {
        this.drop(1, `the export queue is full (${this.maxQueueSize} spans)`);
        return;
      }
      this.queue.shift(); // the oldest goes first
      this.drop(1, `the export queue is full (${this.maxQueueSize} spans); the oldest are dropped first`);
    }
    this.queue.push(span);
    this.schedule();
  }

  /** Starts an export now, or arms the timer for the next one (schedule delay, or the retry back-off). */
  private schedule(): void {
    if (this.inFlight || this.stopped || this.queue.length === 0) return;
    const now = Date.now();
    if (this.retryAt > now) {
      this.arm(this.retryAt - now);
      return;
    }
    if (this.retryAt > 0 || this.queue.length >= this.batchSize) {
      this.run();
      return;
    }
    this.arm(this.settings.batch.scheduleDelayMs);
  }

  private arm(ms: number): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.inFlight || this.stopped || this.queue.length === 0) return;
      if (this.retryAt > Date.now()) this.schedule();
      else this.run();
    }, ms);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private run(): void {
    this.clearTimer();
    this.exportNext().finally(() => this.schedule());
  }

  /** Exports the oldest batch; on a retryable failure puts it back at the head of the queue and backs off. */
  private exportNext(): Promise<Outcome> {
    if (this.inFlight) return this.inFlight;
    const batch = this.queue.splice(0, this.batchSize);
    if (batch.length === 0) return Promise.resolve('exported');
    this.inFlightCount = batch.length;
    const attempt = this.send(batch).then((result): Outcome => {
      this.inFlightCount = 0;
      if (result.code === ExportResultCode.SUCCESS) {
        this.failures = 0;
        this.retryAt = 0;
        return 'exported';
      }
      const reason = result.error?.message || 'export failed';
      if (this.stopped || !isRetryableExportError(result.error)) {
        this.drop(batch.length, reason);
        return 'dropped';
      }
      this.failures++;
      this.retryAt = Date.now() + this.retryDelay(this.failures);
      this.requeue(batch);
      if (!this.warnedFailure) {
        this.warnedFailure = true;
        this.warn(
          `@milvus-otel/node: exporting spans to ${this.settings.otlp.url} (${this.settings.otlp.protocol}) failed: ${reason}. ` +
            `Keeping up to ${this.maxQueueSize} spans and retrying with back-off; the app is not affected.`,
        );
      }
      return 'retry';
    });
    this.inFlight = attempt.finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Puts a failed batch back in front of newer spans, within the bound (oldest dropped first). */
  private requeue(batch: tracing.ReadableSpan[]): void {
    const room = this.maxQueueSize - this.queue.length;
    const over = batch.length - Math.max(0, room);
    if (over > 0) {
      this.drop(over, `the export queue is full (${this.maxQueueSize} spans); the oldest are dropped first`);
      batch = batch.slice(over);
    }
    this.queue = batch.concat(this.queue);
  }

  /**
   * One export call, in a macrotask of its own, with tracing suppressed, resolved within the batch export timeout.
   * The batch is started from the span.end() that filled it, i.e. on the path of the app's call; the exporter
   * serializes the whole batch synchronously (~10 ms for 512 spans), so that work runs after the app's call.
   */
  private send(spans: tracing.ReadableSpan[]): Promise<ExportResult> {
    return new Promise<ExportResult>((resolve) => {
      let settled = false;
      const finish = (result: ExportResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timeout);
        resolve(result);
      };
      const timeout = setTimeout(
        () =>
          finish({
            code: ExportResultCode.FAILED,
            error: new Error(`export timed out after ${this.settings.batch.exportTimeoutMs} ms`),
          }),
        this.settings.batch.exportTimeoutMs,
      );
      timeout.unref();
      const call = () => {
        try {
          this.exporter.export(spans, finish);
        } catch (error) {
          finish({
            code: ExportResultCode.FAILED,
            error: error instanceof Error ? error : new Error(String(error)),
          });
        }
      };
      context.with(suppressTracing(context.active()), () => {
        setImmediate(() => {
          const pending = new Set<NonNullable<tracing.ReadableSpan['resource']>>();
          for (const span of spans)
            if (span.resource.asyncAttributesPending && span.resource.waitForAsyncAttributes)
              pending.add(span.resource);
          if (pending.size === 0) return call();
          Promise.all([...pending].map((r) => r.waitForAsyncAttributes?.())).then(call, (error) =>
            finish({ code: ExportResultCode.FAILED, error }),
          );
        });
      });
    });
  }

  /** Exports everything queued now, back-off or not; stops at the first failure (what failed waits for a retry). */
  private async drain(): Promise<void> {
    this.clearTimer();
    if (this.inFlight) await this.inFlight;
    while (this.queue.length > 0) {
      const outcome = await this.exportNext();
      if (outcome === 'retry') break;
    }
  }

  private async flush(): Promise<void> {
    if (this.stopping) return this.stopping;
    await this.drain();
    await this.exporter.forceFlush?.();
    this.schedule();
  }

  private shutdown(): Promise<void> {
    this.stopping ??= (async () => {
      await this.drain();
      this.stopped = true;
      this.clearTimer();
      if (this.queue.length > 0) {
        this.drop(this.queue.length, 'the collector did not take them before shutdown');
        this.queue = [];
      }
      await this.exporter.shutdown();
    })();
    return this.stopping;
  }

  private drop(count: number, reason: string): void {
    this.dropped += count;
    if (this.warnedDrop) return;
    this.warnedDrop = true;
    this.warn(
      `@milvus-otel/node: dropped ${count} span(s) for ${this.settings.otlp.url} (${this.settings.otlp.protocol}): ${reason}. ` +
        'The app keeps running; further drops are counted (handle.droppedSpans()), not logged.',
    );
  }
}
