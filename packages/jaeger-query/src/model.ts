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

export interface TraceSpan {
  readonly traceId: string;
  readonly spanId: string;
  /**
   * The parent, as the Jaeger UI draws it: the first reference into this trace, CHILD_OF preferred. A link to the
   * parent itself (a queue consumer that continues the producer's trace and links to it) arrives as the only
   * reference, of type FOLLOWS_FROM, so FOLLOWS_FROM counts as the parent when there is no CHILD_OF.
   */
  readonly parentId: string | undefined;
  /** Every reference: the parent, and the span links (FOLLOWS_FROM), also into other traces. */
  readonly references: readonly SpanReference[];
  readonly name: string;
  readonly service: string;
  readonly kind: SpanKindName | undefined;
  /** Microseconds since the epoch. */
  readonly startTime: number;
  /** Microseconds. */
  readonly duration: number;
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

const KINDS = new Set<string>(['server', 'client', 'producer', 'consumer', 'internal']);

function errorOf(tags: Record<string, unknown>, logs: JaegerSpanJson['logs']): string | undefined {
  const failed =
    String(tags['otel.status_code'] ?? '').toUpperCase() === 'ERROR' ||
    tags.error === true ||
    tags.error === 'true';
  if (!failed) return undefined;
  const fromLogs = (logs ?? [])
    .map((l) => Object.fromEntries(l.fields.map((f) => [f.key, f.value])))
    .find((f) => f['exception.message'] !== undefined || f.message !== undefined);
  const message =
    tags['otel.status_description'] ??
    tags['error.message'] ??
    fromLogs?.['exception.message'] ??
    fromLogs?.message ??
    tags['error.type'];
  return message === undefined || message === '' ? 'error' : String(message);
}

/** Builds the span tree of a trace from Jaeger's JSON: parents from the references, orphans, tree order. */
export function buildTrace(raw: JaegerTraceJson): Trace {
  const base = raw.spans.map((s) => {
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
      name: s.operationName,
      service: raw.processes[s.processID]?.serviceName ?? s.processID,
      kind: KINDS.has(kind) ? (kind as SpanKindName) : undefined,
      startTime: s.startTime,
      duration: s.duration,
      tags,
      error: errorOf(tags, s.logs),
      warnings: s.warnings ?? [],
    };
  });
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
    spans.push({ ...rest, depth, orphan: orphanIds.has(s.spanId) });
    for (const c of [...(children.get(s.spanId) ?? [])].sort(byStart)) visit(c, depth + 1);
  };
  for (const root of [...(children.get(undefined) ?? [])].sort(byStart)) visit(root, 0);
  // A reference cycle (malformed data) leaves spans unvisited: list them at the top level rather than lose them.
  for (const s of [...base].sort(byStart)) visit(s, 0);

  const startTime = spans.length ? Math.min(...spans.map((s) => s.startTime)) : 0;
  const end = spans.length ? Math.max(...spans.map((s) => s.startTime + s.duration)) : 0;
  const warnings = [
    ...(raw.warnings ?? []),
    ...base.flatMap((s) => s.warnings.map((w) => `${s.name}: ${w}`)),
  ];
  return {
    traceId: raw.traceID,
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
