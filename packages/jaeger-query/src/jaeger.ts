import { buildTrace, type JaegerTraceJson, type OtlpTracesJson, type Trace } from './model.js';

/** Jaeger could not be asked (not reachable, or an unexpected answer); the message names the URL. */
export class JaegerError extends Error {
  override name = 'JaegerError';
}

function unreachable(base: string, error: unknown): JaegerError {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return new JaegerError(
    `Jaeger query API at ${base} is not reachable (${cause?.code ?? cause?.message ?? (error as Error).message}): start the stack (pnpm stack start) or point --jaeger-url / JAEGER_QUERY_URL at its query port (16686)`,
  );
}

/** Throws JaegerError unless Jaeger's query API answers at `jaegerUrl`. */
export async function pingJaeger(jaegerUrl: string, timeoutMs = 5000): Promise<void> {
  const base = jaegerUrl.replace(/\/+$/, '');
  let res: Response;
  try {
    res = await fetch(`${base}/api/services`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw unreachable(base, error);
  }
  await res.body?.cancel();
  if (!res.ok)
    throw new JaegerError(
      `${base}/api/services answered ${res.status}: is this Jaeger's query port (16686)?`,
    );
}

const TRACE_ID = /^[0-9a-f]{1,32}$/i;

/**
 * Why `traceId` is not a trace id Jaeger can hold, or undefined when it is one: 1–32 hex digits (32 as W3C Trace
 * Context writes them, 16 for older 64-bit ids), not all zeros (the invalid id of W3C Trace Context).
 */
export function traceIdProblem(traceId: string): string | undefined {
  if (!TRACE_ID.test(traceId)) return `"${traceId}" is not a trace id: expected 1–32 hex digits`;
  if (/^0+$/.test(traceId))
    return `"${traceId}" is the all-zero trace id, which W3C Trace Context defines as invalid`;
  return undefined;
}

export interface FetchOptions {
  /**
   * Which of Jaeger's query APIs to read: `v1`, the JSON of the Jaeger UI (`GET /api/traces/{id}`), or `v3`, the OTLP
   * query API of Jaeger v2 (`GET /api/v3/traces/{id}`), which keeps a span's parent and its links apart. @default 'v1'
   */
  readonly api?: 'v1' | 'v3';
  /** For each request. @default 5000 */
  readonly timeoutMs?: number;
}

/**
 * One trace from Jaeger's query API, or undefined when Jaeger does not have it (yet). Throws JaegerError when
 * Jaeger is not reachable or answers with an error.
 */
export async function fetchTrace(
  jaegerUrl: string,
  traceId: string,
  { api = 'v1', timeoutMs = 5000 }: FetchOptions = {},
): Promise<Trace | undefined> {
  const problem = traceIdProblem(traceId);
  if (problem) throw new JaegerError(problem);
  const base = jaegerUrl.replace(/\/+$/, '');
  const url = `${base}/api${api === 'v3' ? '/v3' : ''}/traces/${traceId.toLowerCase()}`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw unreachable(base, error);
  }
  if (res.status === 404) {
    await res.body?.cancel();
    return undefined;
  }
  if (!res.ok) throw new JaegerError(`${url} answered ${res.status} ${(await res.text()).slice(0, 200)}`);
  if (api === 'v3') {
    const body = (await res.json()) as { result?: OtlpTracesJson | null };
    if (!body.result)
      throw new JaegerError(`${url} answered without a result: ${JSON.stringify(body).slice(0, 200)}`);
    const trace = buildTrace(body.result);
    return trace.spans.length ? trace : undefined;
  }
  const body = (await res.json()) as { data?: JaegerTraceJson[] | null };
  const raw = body.data?.[0];
  return raw?.spans.length ? buildTrace(raw) : undefined;
}

export interface WaitOptions {
  /** The query API to poll, as for fetchTrace. @default 'v1' */
  readonly api?: FetchOptions['api'];
  /** Stop polling once this holds (default: the trace has no orphans). */
  readonly complete?: (trace: Trace) => boolean;
  /** Give up after this long and return the last trace seen. @default 30000 */
  readonly timeoutMs?: number;
  /** @default 500 */
  readonly intervalMs?: number;
  /**
   * Once complete, keep polling until the span count stays the same for this long, so spans still in a batch
   * exporter (the Milvus server exports on its own schedule) make it into the result. @default 1000
   */
  readonly settleMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls Jaeger until the trace is complete and settled, or the time is up. Spans of one trace arrive in batches
 * from each process's exporter, so the first answer is often partial. Returns the last trace seen (undefined when
 * Jaeger never had it), so the caller can say what is missing.
 */
export async function waitForTrace(
  jaegerUrl: string,
  traceId: string,
  {
    api,
    complete = (t) => t.orphans.length === 0,
    timeoutMs = 30_000,
    intervalMs = 500,
    settleMs = 1000,
  }: WaitOptions = {},
): Promise<Trace | undefined> {
  const deadline = Date.now() + timeoutMs;
  let last: Trace | undefined;
  let stableSince: number | undefined;
  for (;;) {
    const next = await fetchTrace(jaegerUrl, traceId, { api });
    if (next) {
      if (next.spans.length !== last?.spans.length) stableSince = Date.now();
      last = next;
    }
    if (last && complete(last) && stableSince !== undefined && Date.now() - stableSince >= settleMs)
      return last;
    if (Date.now() >= deadline) return last;
    await sleep(Math.min(intervalMs, Math.max(0, deadline - Date.now())));
  }
}
