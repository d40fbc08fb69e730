import { type OtlpTracesJson, otlpSpans } from './otlp.js';

export type { OtlpTracesJson } from './otlp.js';

/** A trace as Jaeger's HTTP query API returns it (`GET /api/traces/{id}` → `data[0]`). */
export interface JaegerTraceJson {
  traceID: string;
  spans: JaegerSpanJson[];
  processes: Record<string, { serviceName: string; tags?: JaegerTagJson[] }>;
  warnings?: string[] | null;
}

export interface JaegerSpanJson {
  traceID: string;
  spanID: string;
  operationName: string;
  references?: { refType: 'CHILD_OF' | 'FOLLOWS_FROM'; traceID: string; spanID: string }[] | null;
  /** Microseconds since the epoch. */
  startTime: number;
  /** Microseconds. */
  duration: number;
  tags?: JaegerTagJson[] | null;
  logs?: { timestamp: number; fields: JaegerTagJson[] }[] | null;
  processID: string;
  warnings?: string[] | null;
}

export interface JaegerTagJson {
  key: string;
  type?: string;
  value: unknown;
}

export type SpanKindName = 'server' | 'client' | 'producer' | 'consumer' | 'internal';

export interface SpanReference {
  readonly type: 'CHILD_OF' | 'FOLLOWS_FROM';
  readonly traceId: string;
  readonly spanId: string;
}

/** A span link: to another span of this trace or of another one. */
export interface SpanLink {
  readonly traceId: string;
  readonly spanId: string;
}

/** A span event (a log in Jaeger's v1 JSON), e.g. `exception`. */
export interface SpanEvent {
  readonly name: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  /** Microseconds since the epoch. */
  readonly time: number;
}

export interface TraceSpan {
  readonly traceId: string;
  readonly spanId: string;
  /**
   * The parent. From the OTLP API (v3): the span's `parentSpanId`. From the v1 JSON, as the Jaeger UI draws it: the
   * first reference into this trace, CHILD_OF preferred — a link to the parent itself (a queue consumer that
   * continues the producer's trace and links to it) arrives there as the only reference, of type FOLLOWS_FROM, so
   * FOLLOWS_FROM counts as the parent when there is no CHILD_OF.
   */
  readonly parentId: string | undefined;
  /**
   * Every reference: the parent (CHILD_OF; FOLLOWS_FROM in the v1 JSON when the parent is also linked), and the span
   * links (FOLLOWS_FROM), also into other traces.
   */
  readonly references: readonly SpanReference[];
  /**
   * The span links. From the v1 JSON: every FOLLOWS_FROM reference, since Jaeger writes links, and only links, as
   * FOLLOWS_FROM (a link to the parent included).
   */
  readonly links: readonly SpanLink[];
  /** In the order the span recorded them. */
  readonly events: readonly SpanEvent[];
  readonly name: string;
  readonly service: string;
  readonly kind: SpanKindName | undefined;
  /** Microseconds since the epoch. */
  readonly startTime: number;
  /** Microseconds. */
  readonly duration: number;
  /**
   * The span's attributes, plus what Jaeger adds: `span.kind`, `otel.status_code` / `otel.status_description`,
   * `otel.scope.name` / `otel.scope.version`. Integers are numbers; from the OTLP API, arrays are arrays (the v1
   * JSON writes them as JSON text).
   */
  readonly tags: Readonly<Record<string, unknown>>;
  /** The error message when the span failed (status ERROR or error=true), else undefined. */
  readonly error: string | undefined;
  /** Depth in the tree, 0 for roots and orphans. */
  readonly depth: number;
  /** The parent reference points into this trace, but that span is not in it. */
  readonly orphan: boolean;
}

export interface Trace {
  readonly traceId: string;
  /** Every span in tree order: depth first, children by start time. */
  readonly spans: readonly TraceSpan[];
  /** Spans whose parent is not in the trace (lost, or still in an exporter's batch). */
  readonly orphans: readonly TraceSpan[];
  /** Service names in order of first appearance in the tree. */
  readonly services: readonly string[];
  /** Earliest start, microseconds since the epoch. */
  readonly startTime: number;
  /** From the earliest start to the latest end, microseconds. */
  readonly duration: number;
  readonly warnings: readonly string[];
}

/** A span as read from either API, before it has its place in the tree. */
export type SpanRecord = Omit<TraceSpan, 'error' | 'depth' | 'orphan'> & {
  readonly warnings: readonly string[];
};

const KINDS = new Set<string>(['server', 'client', 'producer', 'consumer', 'internal']);

function errorOf({ tags, events }: SpanRecord): string | undefined {
  const failed =
    String(tags['otel.status_code'] ?? '').toUpperCase() === 'ERROR' ||
    tags.error === true ||
    tags.error === 'true';
  if (!failed) return undefined;
  const fromEvents = events
    .map((e) => e.attributes)
    .find((a) => a['exception.message'] !== undefined || a.message !== undefined);
  const message =
    tags['otel.status_description'] ??
    tags['error.message'] ??
    fromEvents?.['exception.message'] ??
    fromEvents?.message ??
    tags['error.type'];
  return message === undefined || message === '' ? 'error' : String(message);
}

function jaegerSpans(raw: JaegerTraceJson): SpanRecord[] {
  return raw.spans.map((s) => {
    const tags = Object.fromEntries((s.tags ?? []).map((t) => [t.key, t.value]));
    const references = (s.references ?? []).map((r) => ({
      type: r.refType,
      traceId: r.traceID,
      spanId: r.spanID,
    }));
    const inTrace = references.filter((r) => r.traceId === s.traceID && r.spanId !== s.spanID);
    const parent = inTrace.find((r) => r.type === 'CHILD_OF') ?? inTrace[0];
    const kind = String(tags['span.kind'] ?? '').toLowerCase();
    return {
      traceId: s.traceID,
      spanId: s.spanID,
      parentId: parent?.spanId,
      references,
      links: references
        .filter((r) => r.type === 'FOLLOWS_FROM')
        .map((r) => ({ traceId: r.traceId, spanId: r.spanId })),
      events: (s.logs ?? []).map((l) => {
        const { event, ...attributes } = Object.fromEntries(l.fields.map((f) => [f.key, f.value]));
        return { name: event === undefined ? '' : String(event), attributes, time: l.timestamp };
      }),
      name: s.operationName,
      service: raw.processes[s.processID]?.serviceName ?? s.processID,
      kind: KINDS.has(kind) ? (kind as SpanKindName) : undefined,
      startTime: s.startTime,
      duration: s.duration,
      tags,
      warnings: s.warnings ?? [],
    };
  });
}

/**
 * Builds the span tree of a trace from either of Jaeger's answers: the v1 JSON (`GET /api/traces/{id}` →
 * `data[0]`) or OTLP JSON (`GET /api/v3/traces/{id}` → `result`). Parents, orphans, tree order.
 */
export function buildTrace(raw: JaegerTraceJson | OtlpTracesJson): Trace {
  const base = 'resourceSpans' in raw ? otlpSpans(raw) : jaegerSpans(raw);
  const byId = new Map(base.map((s) => [s.spanId, s]));
  const children = new Map<string | undefined, typeof base>();
  const orphanIds = new Set<string>();
  for (const s of base) {
    let key = s.parentId;
    if (key !== undefined && !byId.has(key)) {
      orphanIds.add(s.spanId);
      key = undefined;
    }
    const list = children.get(key) ?? [];
    list.push(s);
    children.set(key, list);
  }
  const byStart = (a: (typeof base)[number], b: (typeof base)[number]) =>
    a.startTime - b.startTime || a.name.localeCompare(b.name);
  const spans: TraceSpan[] = [];
  const seen = new Set<string>();
  const visit = (s: (typeof base)[number], depth: number) => {
    if (seen.has(s.spanId)) return;
    seen.add(s.spanId);
    const { warnings: _w, ...rest } = s;
    spans.push({ ...rest, error: errorOf(s), depth, orphan: orphanIds.has(s.spanId) });
    for (const c of [...(children.get(s.spanId) ?? [])].sort(byStart)) visit(c, depth + 1);
  };
  for (const root of [...(children.get(undefined) ?? [])].sort(byStart)) visit(root, 0);
  // A reference cycle (malformed data) leaves spans unvisited: list them at the top level rather than lose them.
  for (const s of [...base].sort(byStart)) visit(s, 0);

  const startTime = spans.length ? Math.min(...spans.map((s) => s.startTime)) : 0;
  const end = spans.length ? Math.max(...spans.map((s) => s.startTime + s.duration)) : 0;
  const warnings = [
    ...(('warnings' in raw && raw.warnings) || []),
    ...base.flatMap((s) => s.warnings.map((w) => `${s.name}: ${w}`)),
  ];
  return {
    traceId: 'traceID' in raw ? raw.traceID : (base[0]?.traceId ?? ''),
    spans,
    orphans: spans.filter((s) => s.orphan),
    services: [...new Set(spans.map((s) => s.service))],
    startTime,
    duration: end - startTime,
    warnings,
  };
}

/** True when `ancestorId` is on the parent chain of `span`. */
export function isDescendant(trace: Trace, span: TraceSpan, ancestorId: string): boolean {
  const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
  let parent = span.parentId;
  const seen = new Set<string>();
  while (parent !== undefined && !seen.has(parent)) {
    if (parent === ancestorId) return true;
    seen.add(parent);
    parent = byId.get(parent)?.parentId;
  }
  return false;
}

/** Every span below `ancestor` in the tree. */
export function descendants(trace: Trace, ancestor: TraceSpan): TraceSpan[] {
  return trace.spans.filter((s) => isDescendant(trace, s, ancestor.spanId));
}
