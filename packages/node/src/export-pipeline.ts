import { type ClientSettings, maskValue } from '@milvus-otel/config';
import { context, diag, TraceFlags } from '@opentelemetry/api';
import { type ExportResult, ExportResultCode, suppressTracing } from '@opentelemetry/core';
import type * as tracing from '@opentelemetry/sdk-trace';
import { ExportHealth, type ExportStatus } from './export-health.ts';
import { describeError, isRetryableExportError, isTimeout, retryDelayMs } from './export-retry.ts';
import type { PreparableExporter } from './exporter.ts';

/** The smallest batch a timed-out export is split down to. */
const MIN_ATTEMPT_SIZE = 16;
/** Successful exports in a row after which a split batch size doubles again. */
const GROW_AFTER_SUCCESSES = 4;
/** How long exports may fail before the "not exported for" warning. */
const STALL_WARNING_MS = 30_000;

type Outcome = 'exported' | 'retry' | 'dropped';

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
 * rejects (non-retryable, e.g. HTTP 400) are dropped. Drops and outages are counted and logged by ExportHealth
 * (`droppedSpans()`, `status()`).
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
  private stopped = false;
  private stopping: Promise<void> | undefined;
  private readonly health: ExportHealth;
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
    const warn = opts.warn ?? ((m: string) => diag.warn(m));
    // The endpoint and the transport's errors may hold URL credentials or query tokens: never log them.
    this.health = new ExportHealth(
      settings,
      (message) => warn(maskValue('message', message) ?? message),
      opts.stallWarningMs ?? STALL_WARNING_MS,
    );
    this.retryDelay = opts.retryDelay ?? ((n) => retryDelayMs(n));
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
    return this.health.droppedSpans();
  }

  /** Spans waiting for export (queued, in flight or to retry). */
  queuedSpans(): number {
    return this.queue.length + this.inFlightCount;
  }

  status(): ExportStatus {
    return this.health.status(this.queuedSpans());
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
    // Grow back slowly: a collector that is slow for large batches would otherwise time out every other export.
    if (++this.successesInARow % GROW_AFTER_SUCCESSES === 0)
      this.attemptSize = Math.min(this.batchSize, this.attemptSize * 2);
    this.health.exported();
  }

  /** A retryable failure: back off, dial afresh next time, split a batch that ran out of time; log the outage. */
  private failed(reason: string, size: number, timedOut: boolean): void {
    this.failures++;
    this.successesInARow = 0;
    this.retryAt = Date.now() + this.retryDelay(this.failures);
    if (timedOut)
      this.attemptSize = Math.max(Math.min(MIN_ATTEMPT_SIZE, this.batchSize), Math.floor(size / 2));
    (this.exporter as PreparableExporter).reconnect?.();
    this.health.failed(reason, this.queuedSpans() + size);
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
    this.health.drop(count, reason);
  }
}
