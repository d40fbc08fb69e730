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

/** Whether a failed export ran out of time (the collector or the network too slow for the batch). */
export function isTimeout(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 4 || (typeof message === 'string' && /timed? ?out|timeout|deadline/i.test(message));
}

/** The message of a failed export's error, for logs and `exportStatus().lastError`. */
export function describeError(error: unknown): string {
  if (error === undefined || error === null) return 'export failed';
  const { message } = error as { message?: unknown };
  return typeof message === 'string' && message ? message : String(error);
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
