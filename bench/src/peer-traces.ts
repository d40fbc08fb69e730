/**
 * What the peers benchmark reads back from Jaeger for one worker process: the spans it stored per call, their
 * attributes, and whether the Milvus server's spans joined the client's trace. Pure functions over the traces
 * `@milvus-otel/jaeger-query` returns, so they are tested on recorded trace structures.
 */
import type { Trace, TraceSpan } from '@milvus-otel/jaeger-query';

/** The Milvus server's service name in the local stack. */
export const SERVER_SERVICE = 'standalone';

/**
 * Tags Jaeger adds to a span's attributes (from its scope, kind and status): not attributes the instrumentation set.
 */
const DERIVED_TAGS = new Set([
  'otel.scope.name',
  'otel.scope.version',
  'span.kind',
  'otel.status_code',
  'otel.status_description',
  'error',
]);

/** The attributes a span was recorded with, without the tags Jaeger derives from its scope, kind and status. */
export function attributeCount(span: Pick<TraceSpan, 'tags'>): number {
  return Object.keys(span.tags).filter((key) => !DERIVED_TAGS.has(key)).length;
}

/** Which spans are the client side of a call: the client process's spans of the mode's operation. */
export interface ClientSpanMatch {
  /** The client process's service name. */
  readonly service: string;
  /** The operation (span name) of the client-side span the server's spans should descend from. */
  readonly operation: string;
}

const isClientSpan = (span: TraceSpan, match: ClientSpanMatch) =>
  span.service === match.service && span.name === match.operation;

/**
 * A trace is linked when it has the client-side span and at least one server span whose chain of parents reaches a
 * client-side span of this trace. Server spans that are roots of their own trace, or whose chain stops at a span
 * that is not in the trace, do not link it.
 */
export function isLinked(
  trace: Pick<Trace, 'spans'>,
  match: ClientSpanMatch,
  server = SERVER_SERVICE,
): boolean {
  const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
  const clients = new Set(trace.spans.filter((s) => isClientSpan(s, match)).map((s) => s.spanId));
  if (clients.size === 0) return false;
  for (const span of trace.spans) {
    if (span.service !== server) continue;
    const seen = new Set<string>();
    for (let id = span.parentId; id !== undefined && !seen.has(id); id = byId.get(id)?.parentId) {
      if (clients.has(id)) return true;
      seen.add(id);
    }
  }
  return false;
}

export interface StoredSummary {
  /** Traces that hold a client-side span of the mode's operation. */
  readonly clientTraces: number;
  /** …of which linked (see isLinked). */
  readonly linkedTraces: number;
  /** linkedTraces / clientTraces × 100; NaN when there is no client trace. */
  readonly linkedPercent: number;
  /** Every span of the client process in the traces read (its own app spans excluded). */
  readonly clientSpans: number;
  /** Spans of the client process per call: clientSpans / calls. */
  readonly spansPerCall: number;
  /** Mean attribute count over those spans (attributeCount); NaN when there is none. */
  readonly attributesPerSpan: number;
  /** Server spans in the traces that hold a client-side span, per such trace. */
  readonly serverSpansPerClientTrace: number;
}

/**
 * Summarizes the traces of one client process (every trace with a span of its service): `calls` is how many calls
 * the process made, so spans per call counts every span it exported, also spans in traces of their own (a gRPC
 * instrumentation's span per RPC, without a parent, is a trace per RPC). Spans named `appSpan` are the benchmark's
 * own request spans, not the instrumentation's, and are left out of the span and attribute counts.
 */
export function summarizeStored(
  traces: readonly Pick<Trace, 'spans'>[],
  match: ClientSpanMatch,
  calls: number,
  { appSpan = 'request', server = SERVER_SERVICE }: { appSpan?: string; server?: string } = {},
): StoredSummary {
  let clientTraces = 0;
  let linkedTraces = 0;
  let clientSpans = 0;
  let attributes = 0;
  let serverSpans = 0;
  for (const trace of traces) {
    const own = trace.spans.filter((s) => s.service === match.service && s.name !== appSpan);
    clientSpans += own.length;
    for (const span of own) attributes += attributeCount(span);
    if (!own.some((s) => s.name === match.operation)) continue;
    clientTraces++;
    serverSpans += trace.spans.filter((s) => s.service === server).length;
    if (isLinked(trace, match, server)) linkedTraces++;
  }
  return {
    clientTraces,
    linkedTraces,
    linkedPercent: clientTraces === 0 ? Number.NaN : (100 * linkedTraces) / clientTraces,
    clientSpans,
    spansPerCall: calls > 0 ? clientSpans / calls : Number.NaN,
    attributesPerSpan: clientSpans === 0 ? Number.NaN : attributes / clientSpans,
    serverSpansPerClientTrace: clientTraces === 0 ? Number.NaN : serverSpans / clientTraces,
  };
}
