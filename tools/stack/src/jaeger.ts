/** A span as read back from Jaeger's HTTP query API, with its service and parent resolved. */
export interface JaegerSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  name: string;
  service: string;
  startTime: number;
  duration: number;
  tags: Record<string, unknown>;
}

export interface JaegerTrace {
  traceId: string;
  spans: JaegerSpan[];
}

export interface JaegerRawSpan {
  traceID: string;
  spanID: string;
  operationName: string;
  references?: { refType: string; traceID: string; spanID: string }[];
  startTime: number;
  duration: number;
  tags?: { key: string; value: unknown }[];
  processID: string;
}

/** A trace as Jaeger's HTTP API returns it. */
export interface JaegerRawTrace {
  traceID: string;
  spans: JaegerRawSpan[];
  processes: Record<string, { serviceName: string }>;
}

/** A trace of Jaeger's HTTP API as a span list with parent ids (what isDescendant and the tests read). */
export function normalizeTrace(raw: JaegerRawTrace): JaegerTrace {
  return {
    traceId: raw.traceID,
    spans: raw.spans.map((s) => ({
      traceId: s.traceID,
      spanId: s.spanID,
      // Jaeger turns a parent that is also linked (a queue consumer continuing its producer's trace) into a
      // FOLLOWS_FROM reference: the parent is the first reference into the same trace, CHILD_OF preferred.
      parentSpanId: (
        s.references?.find((r) => r.refType === 'CHILD_OF' && r.traceID === raw.traceID) ??
        s.references?.find((r) => r.traceID === raw.traceID)
      )?.spanID,
      name: s.operationName,
      service: raw.processes[s.processID]?.serviceName ?? '?',
      startTime: s.startTime,
      duration: s.duration,
      tags: Object.fromEntries((s.tags ?? []).map((t) => [t.key, t.value])),
    })),
  };
}

/** One trace by id, or undefined while Jaeger does not have it yet. */
export async function getTrace(queryUrl: string, traceId: string): Promise<JaegerTrace | undefined> {
  const res = await fetch(`${queryUrl}/api/traces/${traceId}`, { signal: AbortSignal.timeout(5000) });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(`Jaeger ${queryUrl}/api/traces/${traceId} answered ${res.status}`);
  const body = (await res.json()) as { data?: JaegerRawTrace[] };
  const raw = body.data?.[0];
  return raw ? normalizeTrace(raw) : undefined;
}

/**
 * Polls Jaeger until the trace satisfies `complete` (spans arrive from each process's batch exporter at its own
 * pace). Returns the last trace seen when the time is up, so the caller's assertions say what was missing.
 */
export async function waitForTrace(
  queryUrl: string,
  traceId: string,
  complete: (trace: JaegerTrace) => boolean,
  timeoutMs = 30_000,
): Promise<JaegerTrace | undefined> {
  const deadline = Date.now() + timeoutMs;
  let last: JaegerTrace | undefined;
  for (;;) {
    last = (await getTrace(queryUrl, traceId)) ?? last;
    if (last && complete(last)) return last;
    if (Date.now() >= deadline) return last;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** True when `ancestorId` is on the parent chain of `span`. */
export function isDescendant(trace: JaegerTrace, span: JaegerSpan, ancestorId: string): boolean {
  const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
  let parent = span.parentSpanId;
  const seen = new Set<string>();
  while (parent && !seen.has(parent)) {
    if (parent === ancestorId) return true;
    seen.add(parent);
    parent = byId.get(parent)?.parentSpanId;
  }
  return false;
}
