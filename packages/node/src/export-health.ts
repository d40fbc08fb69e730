import type { ClientSettings } from '@milvus-otel/config';
import { RETRY_BACKOFF } from './export-retry.ts';

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

/** A collector that fails again this soon after it recovered is not announced again (a flapping collector). */
const OUTAGE_LOG_INTERVAL_MS = 60_000;

/**
 * The export pipeline's record of outages and drops, and its warnings. An outage is logged when it starts, once more
 * if no span could be exported for `stallWarningMs`, and when exporting resumes, with how long it lasted and how many
 * spans were dropped meanwhile; a collector that flaps is announced once a minute at most. The first drop is logged
 * once, with the collector URL; later drops are only counted.
 */
export class ExportHealth {
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
  private dropped = 0;
  private warnedDrop = false;

  constructor(
    private readonly settings: ClientSettings,
    private readonly warn: (message: string) => void,
    private readonly stallWarningMs: number,
  ) {}

  droppedSpans(): number {
    return this.dropped;
  }

  status(queuedSpans: number): ExportStatus {
    const failing = this.failingSince !== undefined;
    return {
      queuedSpans,
      droppedSpans: this.dropped,
      notExportedForMs: failing ? Date.now() - (this.lastExportAt ?? this.startedAt) : 0,
      ...(failing && this.lastError ? { lastError: this.lastError } : {}),
    };
  }

  /** An export succeeded: ends the outage, if any (announced if its start was). */
  exported(): void {
    this.lastExportAt = Date.now();
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

  /** An export failed and will be retried, with `queuedSpans` waiting (the failed batch included). */
  failed(reason: string, queuedSpans: number): void {
    const now = Date.now();
    this.lastError = reason;
    if (this.failingSince === undefined) {
      this.failingSince = now;
      this.droppedAtOutageStart = this.dropped;
      this.stallLogged = false;
      this.outageLogged = now - this.lastOutageLogAt >= OUTAGE_LOG_INTERVAL_MS;
      if (this.outageLogged) {
        this.lastOutageLogAt = now;
        this.warn(
          `@milvus-otel/node: exporting spans to ${this.settings.otlp.url} (${this.settings.otlp.protocol}) failed: ${reason}. ` +
            `Keeping up to ${this.settings.batch.maxQueueSize} spans and retrying with back-off (at most ${RETRY_BACKOFF.maxMs / 1000} s apart); the app is not affected.`,
        );
      }
    }
    const stalledMs = now - (this.lastExportAt ?? this.startedAt);
    if (this.outageLogged && !this.stallLogged && stalledMs >= this.stallWarningMs) {
      this.stallLogged = true;
      this.warn(
        `@milvus-otel/node: no span exported to ${this.settings.otlp.url} for ${seconds(stalledMs)} (${reason}); ` +
          `${queuedSpans} queued, ${this.dropped} dropped so far. Still retrying; check that the collector runs and is reachable.`,
      );
    }
  }

  /** Spans dropped: counted, and the first drop logged. */
  drop(count: number, reason: string): void {
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
