import type { Trace, TraceSpan } from './model.js';
import { selfTimes } from './self-time.js';

/** One span of the merged tree of two traces: in both, or in one of them only. */
export interface DiffRow {
  /** service/name#n segments from the root, e.g. "express-service:GET /search#0/express-service:search docs#0/standalone:Proxy-Search#0" */
  readonly path: string;
  readonly depth: number;
  readonly service: string;
  readonly name: string;
  /** undefined: only in B */
  readonly a: TraceSpan | undefined;
  /** undefined: only in A */
  readonly b: TraceSpan | undefined;
  /** b.duration - a.duration (µs) when both; else the one span's duration, negative for only-in-A */
  readonly delta: number;
  /** b.duration / a.duration when both and a.duration > 0 */
  readonly ratio: number | undefined;
}

/** One service's time in two traces. */
export interface ServiceDiff {
  readonly service: string;
  /** summed self time in A (µs) */
  readonly a: number;
  /** summed self time in B (µs) */
  readonly b: number;
  readonly delta: number;
  readonly ratio: number | undefined;
  /** span counts */
  readonly onlyA: number;
  readonly onlyB: number;
  readonly matched: number;
}

export interface TraceDiff {
  readonly a: Trace;
  readonly b: Trace;
  /** merged tree of both, in tree order (children by start time, A's order first) — for drawing */
  readonly rows: readonly DiffRow[];
  /** the same rows sorted by impact: |delta| largest first, then by path */
  readonly byImpact: readonly DiffRow[];
  /** by |delta| largest first, then by name */
  readonly services: readonly ServiceDiff[];
}

const ROOT = Symbol('root');
type ParentKey = string | typeof ROOT;

interface Aligned {
  readonly segment: (span: TraceSpan) => string;
  /** Children in tree order; the trace's roots (orphans included) under ROOT. */
  readonly children: (parent: ParentKey) => readonly TraceSpan[];
}

/** True when some two of `spans` overlap in time. */
function overlapping(spans: readonly TraceSpan[]): boolean {
  const sorted = [...spans].sort((x, y) => x.startTime - y.startTime);
  return sorted.some(
    (s, i) =>
      i > 0 && s.startTime < (sorted[i - 1] as TraceSpan).startTime + (sorted[i - 1] as TraceSpan).duration,
  );
}

/**
 * Each span's path segment: service, name and its index among the siblings of the same service and name — by start
 * time (tree order), or, when those siblings run in parallel, by duration, longest first: parallel spans have no
 * order of their own (Milvus searches a request's segments concurrently, in any order), so the longest in A is
 * compared with the longest in B.
 */
function align(trace: Trace): Aligned {
  const children = new Map<ParentKey, TraceSpan[]>();
  for (const span of trace.spans) {
    const parent = span.depth === 0 || span.parentId === undefined ? ROOT : span.parentId;
    const siblings = children.get(parent) ?? [];
    siblings.push(span);
    children.set(parent, siblings);
  }
  const segments = new Map<string, string>();
  for (const siblings of children.values()) {
    const groups = new Map<string, TraceSpan[]>();
    for (const span of siblings) {
      const key = `${span.service}:${span.name}`;
      groups.set(key, [...(groups.get(key) ?? []), span]);
    }
    for (const [key, group] of groups) {
      const ordered =
        group.length > 1 && overlapping(group) ? [...group].sort((x, y) => y.duration - x.duration) : group;
      for (const [n, span] of ordered.entries()) segments.set(span.spanId, `${key}#${n}`);
    }
  }
  return {
    segment: (span) => segments.get(span.spanId) as string,
    children: (parent) => children.get(parent) ?? [],
  };
}

type Pair = readonly [a: TraceSpan | undefined, b: TraceSpan | undefined];

/**
 * Pairs two sibling lists by segment: A's order, each span only in B placed after the span it follows in B (before
 * all of A's when it comes first in B).
 */
function mergeSiblings(
  aSpans: readonly TraceSpan[],
  bSpans: readonly TraceSpan[],
  a: Aligned,
  b: Aligned,
): Pair[] {
  const bBySegment = new Map(bSpans.map((s) => [b.segment(s), s]));
  const inA = new Set(aSpans.map((s) => a.segment(s)));
  const onlyBAfter = new Map<ParentKey, TraceSpan[]>();
  let previous: ParentKey = ROOT;
  for (const span of bSpans) {
    const segment = b.segment(span);
    if (inA.has(segment)) {
      previous = segment;
      continue;
    }
    const list = onlyBAfter.get(previous) ?? [];
    list.push(span);
    onlyBAfter.set(previous, list);
  }
  const onlyB = (after: ParentKey): Pair[] =>
    (onlyBAfter.get(after) ?? []).map((span) => [undefined, span] as const);
  return [
    ...onlyB(ROOT),
    ...aSpans.flatMap((span) => {
      const segment = a.segment(span);
      return [[span, bBySegment.get(segment)] as const, ...onlyB(segment)];
    }),
  ];
}

function row(path: string, depth: number, [a, b]: Pair): DiffRow {
  const span = (a ?? b) as TraceSpan;
  const delta = a && b ? b.duration - a.duration : b ? b.duration : -(a as TraceSpan).duration;
  return {
    path,
    depth,
    service: span.service,
    name: span.name,
    a,
    b,
    delta,
    ratio: a && b && a.duration > 0 ? b.duration / a.duration : undefined,
  };
}

const byText = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

function serviceDiffs(a: Trace, b: Trace, rows: readonly DiffRow[]): ServiceDiff[] {
  const selfA = selfTimes(a);
  const selfB = selfTimes(b);
  const services = new Map<string, { a: number; b: number; onlyA: number; onlyB: number; matched: number }>();
  const entry = (service: string) => {
    const found = services.get(service) ?? { a: 0, b: 0, onlyA: 0, onlyB: 0, matched: 0 };
    services.set(service, found);
    return found;
  };
  for (const r of rows) {
    const e = entry(r.service);
    if (r.a) e.a += selfA.get(r.a.spanId) ?? 0;
    if (r.b) e.b += selfB.get(r.b.spanId) ?? 0;
    if (r.a && r.b) e.matched++;
    else if (r.a) e.onlyA++;
    else e.onlyB++;
  }
  return [...services]
    .map(([service, e]) => ({
      service,
      ...e,
      delta: e.b - e.a,
      ratio: e.a > 0 ? e.b / e.a : undefined,
    }))
    .sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta) || byText(x.service, y.service));
}

/**
 * Aligns two traces by span path: service + name + position among the siblings with the same service and name
 * (by start time; by duration when they run in parallel), from the root down. Roots: each trace's roots aligned the
 * same way.
 */
export function diffTraces(a: Trace, b: Trace): TraceDiff {
  const [alignedA, alignedB] = [align(a), align(b)];
  const rows: DiffRow[] = [];
  // Depth first with an explicit stack, so that a deep trace does not exhaust the call stack.
  const pending: { pair: Pair; parentPath: string; depth: number }[] = [];
  const push = (pairs: Pair[], parentPath: string, depth: number) => {
    for (let i = pairs.length - 1; i >= 0; i--) pending.push({ pair: pairs[i] as Pair, parentPath, depth });
  };
  push(mergeSiblings(alignedA.children(ROOT), alignedB.children(ROOT), alignedA, alignedB), '', 0);
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [spanA, spanB] = next.pair;
    const segment = spanA ? alignedA.segment(spanA) : alignedB.segment(spanB as TraceSpan);
    const path = next.parentPath ? `${next.parentPath}/${segment}` : segment;
    rows.push(row(path, next.depth, next.pair));
    const children = mergeSiblings(
      spanA ? alignedA.children(spanA.spanId) : [],
      spanB ? alignedB.children(spanB.spanId) : [],
      alignedA,
      alignedB,
    );
    push(children, path, next.depth + 1);
  }
  const byImpact = [...rows].sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta) || byText(x.path, y.path));
  return { a, b, rows, byImpact, services: serviceDiffs(a, b, rows) };
}
