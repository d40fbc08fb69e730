import { buildTrace, type JaegerTraceJson, type OtlpTracesJson, type Trace } from './model.js';
import { splitByTrace } from './otlp.js';

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

/** GET `path` of Jaeger's query API; JaegerError when nothing answers. */
async function get(base: string, path: string, timeoutMs: number): Promise<Response> {
  try {
    return await fetch(`${base}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    throw unreachable(base, error);
  }
}

const baseOf = (jaegerUrl: string) => jaegerUrl.replace(/\/+$/, '');

async function answerError(url: string, res: Response): Promise<JaegerError> {
  return new JaegerError(`${url} answered ${res.status} ${(await res.text()).slice(0, 200)}`);
}

/** Throws JaegerError unless Jaeger's query API answers at `jaegerUrl`. */
export async function pingJaeger(jaegerUrl: string, timeoutMs = 5000): Promise<void> {
  const base = baseOf(jaegerUrl);
  const res = await get(base, '/api/v3/services', timeoutMs);
  await res.body?.cancel();
  if (!res.ok)
    throw new JaegerError(
      `${base}/api/v3/services answered ${res.status}: is this Jaeger's query port (16686)?`,
    );
}

/** The services Jaeger has spans of, sorted. */
export async function listServices(jaegerUrl: string, timeoutMs = 5000): Promise<string[]> {
  const base = baseOf(jaegerUrl);
  const res = await get(base, '/api/v3/services', timeoutMs);
  if (!res.ok) throw await answerError(`${base}/api/v3/services`, res);
  const body = (await res.json()) as { services?: string[] | null };
  return [...(body.services ?? [])].sort();
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
   * Which of Jaeger's query APIs to read: `v3`, the stable OTLP query API (`GET /api/v3/traces/{id}`), which keeps a
   * span's parent and its links apart; or `v1`, the JSON of the Jaeger UI (`GET /api/traces/{id}`), for a Jaeger
   * without v3. Jaeger after v2.20 no longer serves v1. @default 'v3'
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
  { api = 'v3', timeoutMs = 5000 }: FetchOptions = {},
): Promise<Trace | undefined> {
  const problem = traceIdProblem(traceId);
  if (problem) throw new JaegerError(problem);
  const base = baseOf(jaegerUrl);
  const path = `/api${api === 'v3' ? '/v3' : ''}/traces/${traceId.toLowerCase()}`;
  const url = `${base}${path}`;
  const res = await get(base, path, timeoutMs);
  if (res.status === 404) {
    await res.body?.cancel();
    return undefined;
  }
  if (!res.ok) throw await answerError(url, res);
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

export interface SearchOptions {
  /** Traces with a span of this service… */
  readonly service: string;
  /** …of this operation (span name)… */
  readonly operation?: string;
  /**
   * …whose attributes hold these values (compared as text). Jaeger v2.13 ignores this part of the query, so the
   * traces it returns are filtered here too, from up to 1000 of the newest (10 × `limit`, at least 200).
   */
  readonly attributes?: Readonly<Record<string, string | number | boolean>>;
  /** …lasting at least this long, milliseconds. */
  readonly minDuration?: number;
  /** …lasting at most this long, milliseconds. */
  readonly maxDuration?: number;
  /** Spans that started from this time on (a Date, or milliseconds since the epoch). @default one hour before `end` */
  readonly start?: Date | number;
  /** …and before this time. @default now */
  readonly end?: Date | number;
  /** At most this many traces. @default 20 */
  readonly limit?: number;
  /** For the request. @default 10000 */
  readonly timeoutMs?: number;
}

const HOUR = 3_600_000;
/** The most traces one search with attributes reads from Jaeger. */
const ATTRIBUTE_SEARCH_DEPTH = 1000;
/** Milliseconds → a Go duration, as Jaeger parses `query.duration_min`. */
const goDuration = (ms: number) => `${Math.round(ms * 1000)}us`;

/**
 * The traces Jaeger finds for a search (`GET /api/v3/traces`), newest first; `[]` when none match. Each is the
 * whole trace, spans of other services included. Throws JaegerError when Jaeger is not reachable or answers with an
 * error.
 */
export async function searchTraces(
  jaegerUrl: string,
  {
    service,
    operation,
    attributes = {},
    minDuration,
    maxDuration,
    end = Date.now(),
    start = new Date(end).getTime() - HOUR,
    limit = 20,
    timeoutMs = 10_000,
  }: SearchOptions,
): Promise<Trace[]> {
  const [from, to] = [new Date(start), new Date(end)];
  if (!(from.getTime() < to.getTime()))
    throw new JaegerError(
      `search from ${from.toISOString()} to ${to.toISOString()}: start must be before end`,
    );
  const base = baseOf(jaegerUrl);
  // The snake_case names are the ones Jaeger v2.13 reads; later versions read them too, and read the search depth
  // as query.search_depth where v2.13 reads query.num_traces.
  const wanted = Object.entries(attributes).map(([key, value]) => [key, String(value)] as const);
  // Attributes are matched here, after Jaeger's answer: ask for more traces than wanted, so that the newest traces
  // without the attributes do not crowd out older ones with them.
  const depth = wanted.length ? Math.min(ATTRIBUTE_SEARCH_DEPTH, Math.max(limit * 10, 200)) : limit;
  const query = new URLSearchParams({
    'query.service_name': service,
    'query.start_time_min': from.toISOString(),
    'query.start_time_max': to.toISOString(),
    'query.search_depth': String(depth),
    'query.num_traces': String(depth),
  });
  if (operation !== undefined) query.set('query.operation_name', operation);
  if (wanted.length) query.set('query.attributes', JSON.stringify(Object.fromEntries(wanted)));
  if (minDuration !== undefined) query.set('query.duration_min', goDuration(minDuration));
  if (maxDuration !== undefined) query.set('query.duration_max', goDuration(maxDuration));
  const path = `/api/v3/traces?${query}`;
  const res = await get(base, path, timeoutMs);
  const text = await res.text();
  // No match: 404 with an error object (a 404 without one is a Jaeger without this API).
  if (res.status === 404 && text.trimStart().startsWith('{')) return [];
  if (!res.ok) throw new JaegerError(`${base}${path} answered ${res.status} ${text.slice(0, 200)}`);
  const body = JSON.parse(text) as { result?: OtlpTracesJson | null };
  const matches = (span: Trace['spans'][number]) =>
    span.service === service &&
    (operation === undefined || span.name === operation) &&
    wanted.every(([key, value]) => key in span.tags && String(span.tags[key]) === value);
  return [...splitByTrace(body.result ?? { resourceSpans: [] }).values()]
    .map((json) => buildTrace(json))
    .filter((trace) => !wanted.length || trace.spans.some(matches))
    .sort((a, b) => b.startTime - a.startTime)
    .slice(0, limit);
}

export interface DependencyLink {
  readonly parent: string;
  readonly child: string;
  readonly callCount: number;
}

export interface DependencyOptions {
  /** The end of the window (a Date, or milliseconds since the epoch). @default now */
  readonly end?: Date | number;
  /** The window's length, milliseconds. @default one hour */
  readonly lookbackMs?: number;
  /** For the request. @default 10000 */
  readonly timeoutMs?: number;
}

/** Code-unit order: the same in every locale. */
const byText = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

const isDependencyLink = (link: unknown): link is DependencyLink => {
  const { parent, child, callCount } = (link ?? {}) as Record<string, unknown>;
  return typeof parent === 'string' && typeof child === 'string' && typeof callCount === 'number';
};

/**
 * Jaeger's service dependency graph (`GET /api/dependencies`, the API of the Jaeger UI's dependencies page): which
 * service called which, how often, in the window; sorted by parent, then child. Throws JaegerError when Jaeger is
 * not reachable, does not serve that API, or answers with an error or something else.
 */
export async function fetchDependencies(
  jaegerUrl: string,
  { end = Date.now(), lookbackMs = HOUR, timeoutMs = 10_000 }: DependencyOptions = {},
): Promise<DependencyLink[]> {
  const base = baseOf(jaegerUrl);
  const path = `/api/dependencies?endTs=${new Date(end).getTime()}&lookback=${Math.round(lookbackMs)}`;
  const url = `${base}${path}`;
  const res = await get(base, path, timeoutMs);
  if (res.status === 404) {
    await res.body?.cancel();
    throw new JaegerError(
      `${url} answered 404: this Jaeger does not serve /api/dependencies (the Jaeger UI's dependencies API)`,
    );
  }
  if (!res.ok) throw await answerError(url, res);
  const text = await res.text();
  let data: unknown;
  try {
    data = (JSON.parse(text) as { data?: unknown }).data;
  } catch {
    data = undefined;
  }
  // Jaeger answers `data: null` when there are no dependencies.
  if (data === null) return [];
  if (!Array.isArray(data) || !data.every(isDependencyLink))
    throw new JaegerError(`${url} answered without a list of dependencies: ${text.slice(0, 200)}`);
  return data
    .map(({ parent, child, callCount }) => ({ parent, child, callCount }))
    .sort((a, b) => byText(a.parent, b.parent) || byText(a.child, b.child));
}

export interface WaitOptions {
  /** The query API to poll, as for fetchTrace. @default 'v3' */
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
