import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type ClientSettings, maskValue } from '@milvus-otel/config';
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

/**
 * Back-off between retries after failed exports: 1 s, ×1.5 per failure, ±20 % jitter, at most 5 s (the OTLP
 * exporters' own retry cap). A retry while the collector is down costs one refused connection; a longer wait would
 * only delay the export of the backlog once the collector is back.
 */
export const RETRY_BACKOFF = { initialMs: 1000, maxMs: 5000, multiplier: 1.5, jitter: 0.2 } as const;

export function retryDelayMs(failures: number, random: () => number = Math.random): number {
  const base = RETRY_BACKOFF.initialMs * RETRY_BACKOFF.multiplier ** Math.max(0, failures - 1);
  return Math.round(Math.min(RETRY_BACKOFF.maxMs, base * (1 + RETRY_BACKOFF.jitter * (2 * random() - 1))));
}

/** Whether a failed export ran out of time (the collector or the network too slow for the batch). */
function isTimeout(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 4 || (typeof message === 'string' && /timed? ?out|timeout|deadline/i.test(message));
}

function describeError(error: unknown): string {
  if (error === undefined || error === null) return 'export failed';
  const { message } = error as { message?: unknown };
  return typeof message === 'string' && message ? message : String(error);
}

/** The smallest batch a timed-out export is split down to. */
const MIN_ATTEMPT_SIZE = 16;
/** Successful exports in a row after which a split batch size doubles again. */
const GROW_AFTER_SUCCESSES = 4;
/** How long exports may fail before the "not exported for" warning. */
const STALL_WARNING_MS = 30_000;
/** A collector that fails again this soon after it recovered is not announced again (a flapping collector). */
const OUTAGE_LOG_INTERVAL_MS = 60_000;

type Outcome = 'exported' | 'retry' | 'dropped';

/** What the export pipeline is doing: readable from the handle (`exportStatus()`). */
export interface ExportStatus {
  /** Spans waiting for export (queued, in flight or to retry). */
  readonly queuedSpans: number;
  /** Spans dropped since start: the queue was full (oldest first), the collector rejected them, or shutdown left them. */
  readonly droppedSpans: number;
  /** While exports fail: how long since the last successful export (or since start, when none succeeded); else 0. */
  readonly notExportedForMs: number;
  /** Why the last export failed, while exports fail. */
  readonly lastError?: string;
}

export interface PipelineOptions {
  /** Logs the first drop and the first failed export (once each). @default diag.warn */
  warn?: (message: string) => void;
  /** The retry delay after `failures` failed exports in a row. @default retryDelayMs */
  retryDelay?: (failures: number) => number;
  /** How long exports may fail before the "no span exported for …" warning. @default 30 000 */
  stallWarningMs?: number;
}

/**
 * The batching span processor in front of the exporter. Like the SDK's batch processor it exports batches of
 * `maxExportBatchSize` spans every `scheduleDelayMs` (or as soon as a batch is full), one export at a time, with
 * tracing suppressed. Unlike it, a batch whose export failed for a retryable reason (collector down, unavailable or
 * too slow) is not dropped: it goes back to the head of the queue and is exported again, before newer spans, after a
 * back-off (1 s → 5 s, jittered; unref'd timers, so it never holds the process open nor blocks the app). Spans
 * made while the collector is down wait in the same queue.
 *
 * After an outage the pipeline always makes progress again:
 * - every retry dials the collector afresh (`reconnect()`), so a collector that is back is reached within one
 *   back-off step, not after the gRPC channel's own reconnect back-off (up to 2 minutes);
 * - an export that ran out of time is retried with half as many spans (down to 16), and the size doubles back after
 *   every 4 successes, so a backlog never turns into batches too large for the export timeout, retried forever;
 * - every export settles within the export timeout, whatever the exporter does.
 *
 * Memory stays bounded: at most `maxQueueSize` spans wait (plus, while an export is in flight, that batch); past that
 * the OLDEST are dropped first, so after an outage the most recent spans are the ones exported. Whether the batch in
 * flight is among the oldest to drop is decided when its export settles: a failed one goes back to the head of the
 * queue, and the oldest spans over the bound are dropped then. Batches the collector
 * rejects (non-retryable, e.g. HTTP 400) are dropped. Drops are counted (`droppedSpans()`, `status()`) and the first
 * is logged once, with the collector URL. An outage is logged when it starts, once more if no span could be exported
 * for 30 s, and when exporting resumes, with how long it lasted and how many spans were dropped meanwhile.
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
  /** Spans per export attempt: the batch size, halved after each timed-out export, doubled back after 4 successes. */
  private attemptSize: number;
  private successesInARow = 0;
  private readonly startedAt = Date.now();
  private lastExportAt: number | undefined;
  /** When the current outage began (first failure since the last success); undefined while exports succeed. */
  private failingSince: number | undefined;
  private lastError: string | undefined;
  private droppedAtOutageStart = 0;
  /** Whether the current outage was announced (then its stall and its end are too). */
  private outageLogged = false;
  private stallLogged = false;
  private lastOutageLogAt = Number.NEGATIVE_INFINITY;
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private dropped = 0;
  private warnedDrop = false;
  private readonly warn: (message: string) => void;
  private readonly retryDelay: (failures: number) => number;
  private readonly stallWarningMs: number;
  private readonly maxQueueSize: number;
  private readonly batchSize: number;
  readonly processor: tracing.SpanProcessor;

  constructor(
    private readonly exporter: tracing.SpanExporter,
    private readonly settings: ClientSettings,
    options: PipelineOptions | ((message: string) => void) = {},
  ) {
    const opts = typeof options === 'function' ? { warn: options } : options;
    const warn = opts.warn ?? ((m: string) => diag.warn(m));
    // The endpoint and the transport's errors may hold URL credentials or query tokens: never log them.
    this.warn = (message) => warn(maskValue('message', message) ?? message);
    this.retryDelay = opts.retryDelay ?? ((n) => retryDelayMs(n));
    this.stallWarningMs = opts.stallWarningMs ?? STALL_WARNING_MS;
    this.maxQueueSize = settings.batch.maxQueueSize;
    this.batchSize = Math.min(settings.batch.maxExportBatchSize, this.maxQueueSize);
    this.attemptSize = this.batchSize;
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

  status(): ExportStatus {
    const failing = this.failingSince !== undefined;
    return {
      queuedSpans: this.queuedSpans(),
      droppedSpans: this.dropped,
      notExportedForMs: failing ? Date.now() - (this.lastExportAt ?? this.startedAt) : 0,
      ...(failing && this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  private add(span: tracing.ReadableSpan): void {
    if (!(span.spanContext().traceFlags & TraceFlags.SAMPLED)) return; // not sampled: never exported
    if (this.stopped) {
      this.drop(1, 'the span ended after shutdown');
      return;
    }
    // The queue alone holds at most maxQueueSize: the batch in flight is not counted against it until its export
    // settles, because if that export fails its spans are the oldest and go first (requeue), not newer ones.
    if (this.queue.length >= this.maxQueueSize) {
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
    // A full batch (of the current attempt size, smaller after timeouts) goes at once: a backlog drains back to back.
    if (this.retryAt > 0 || this.queue.length >= this.attemptSize) {
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
    const batch = this.queue.splice(0, this.attemptSize);
    if (batch.length === 0) return Promise.resolve('exported');
    this.inFlightCount = batch.length;
    const began = Date.now();
    const attempt = this.send(batch).then((result): Outcome => {
      this.inFlightCount = 0;
      const ok = result.code === ExportResultCode.SUCCESS;
      diag.debug(
        `@milvus-otel/node: export of ${batch.length} span(s) ${ok ? 'succeeded' : `failed (${describeError(result.error)})`} in ${Date.now() - began} ms; ${this.queue.length} queued`,
      );
      if (ok) {
        this.exported();
        return 'exported';
      }
      const reason = describeError(result.error);
      if (this.stopped || !isRetryableExportError(result.error)) {
        this.drop(batch.length, reason);
        return 'dropped';
      }
      this.failed(reason, batch.length, isTimeout(result.error));
      this.requeue(batch);
      return 'retry';
    });
    this.inFlight = attempt.finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private exported(): void {
    this.failures = 0;
    this.retryAt = 0;
    this.lastExportAt = Date.now();
    // Grow back slowly: a collector that is slow for large batches would otherwise time out every other export.
    if (++this.successesInARow % GROW_AFTER_SUCCESSES === 0)
      this.attemptSize = Math.min(this.batchSize, this.attemptSize * 2);
    if (this.failingSince === undefined) return;
    if (this.outageLogged) {
      const dropped = this.dropped - this.droppedAtOutageStart;
      this.warn(
        `@milvus-otel/node: exporting spans to ${this.settings.otlp.url} resumed after ${seconds(Date.now() - this.failingSince)}; ` +
          `${dropped} span(s) dropped meanwhile${dropped > 0 ? ' (queue full: the oldest went first)' : ''}.`,
      );
      this.lastOutageLogAt = Date.now();
    }
    this.failingSince = undefined;
    this.lastError = undefined;
  }

  /** A retryable failure: back off, dial afresh next time, split a batch that ran out of time; log the outage. */
  private failed(reason: string, size: number, timedOut: boolean): void {
    const now = Date.now();
    this.failures++;
    this.successesInARow = 0;
    this.retryAt = now + this.retryDelay(this.failures);
    this.lastError = reason;
    if (timedOut)
      this.attemptSize = Math.max(Math.min(MIN_ATTEMPT_SIZE, this.batchSize), Math.floor(size / 2));
    (this.exporter as PreparableExporter).reconnect?.();
    if (this.failingSince === undefined) {
      this.failingSince = now;
      this.droppedAtOutageStart = this.dropped;
      this.stallLogged = false;
      // A collector that flaps is announced once a minute at most; its later outages are only counted.
      this.outageLogged = now - this.lastOutageLogAt >= OUTAGE_LOG_INTERVAL_MS;
      if (this.outageLogged) {
        this.lastOutageLogAt = now;
        this.warn(
          `@milvus-otel/node: exporting spans to ${this.settings.otlp.url} (${this.settings.otlp.protocol}) failed: ${reason}. ` +
            `Keeping up to ${this.maxQueueSize} spans and retrying with back-off (at most ${RETRY_BACKOFF.maxMs / 1000} s apart); the app is not affected.`,
        );
      }
    }
    const stalledMs = now - (this.lastExportAt ?? this.startedAt);
    if (this.outageLogged && !this.stallLogged && stalledMs >= this.stallWarningMs) {
      this.stallLogged = true;
      this.warn(
        `@milvus-otel/node: no span exported to ${this.settings.otlp.url} for ${seconds(stalledMs)} (${reason}); ` +
          `${this.queuedSpans() + size} queued, ${this.dropped} dropped so far. Still retrying; check that the collector runs and is reachable.`,
      );
    }
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

  /**
   * Exports everything queued now, back-off or not; stops at the first failure (what failed waits for a retry).
   * Returns only when nothing is in flight either: a flush and a shutdown may drain at once (SIGTERM flushes, then the
   * app shuts down), and a shutdown that returned while the other's last export was still in flight would close the
   * exporter under it and lose that batch.
   */
  private async drain(): Promise<void> {
    this.clearTimer();
    for (;;) {
      const outcome = this.inFlight
        ? await this.inFlight
        : this.queue.length > 0
          ? await this.exportNext()
          : undefined;
      if (outcome === undefined || outcome === 'retry') return;
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
    if (count <= 0) return;
    this.dropped += count;
    if (this.warnedDrop) return;
    this.warnedDrop = true;
    this.warn(
      `@milvus-otel/node: dropped ${count} span(s) for ${this.settings.otlp.url} (${this.settings.otlp.protocol}): ${reason}. ` +
        'The app keeps running; further drops are counted (handle.droppedSpans()), not logged.',
    );
  }
}

const seconds = (ms: number) => `${ms < 10_000 ? (ms / 1000).toFixed(1) : Math.round(ms / 1000)} s`;
