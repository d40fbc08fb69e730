import { type CriticalSection, criticalPath } from './critical-path.js';
import type { Trace } from './model.js';
import { childrenByParent } from './tree.js';

/** A span's own time: its duration minus the union of its children's intervals (clipped to the span), in µs. */
export function selfTimes(trace: Trace): Map<string, number> {
  const childrenOf = childrenByParent(trace);
  const result = new Map<string, number>();
  for (const span of trace.spans) {
    const [start, end] = [span.startTime, span.startTime + span.duration];
    const intervals = (childrenOf.get(span.spanId) ?? [])
      .map((c) => [Math.max(c.startTime, start), Math.min(c.startTime + c.duration, end)] as const)
      .filter(([from, to]) => from < to)
      .sort((a, b) => a[0] - b[0]);
    let covered = 0;
    let reached = start;
    for (const [from, to] of intervals) {
      if (to <= reached) continue;
      covered += to - Math.max(from, reached);
      reached = to;
    }
    result.set(span.spanId, span.duration - covered);
  }
  return result;
}

/** One operation (service + span name) of a trace: where its time went. All times in µs. */
export interface OperationTime {
  readonly service: string;
  /** The span name. */
  readonly operation: string;
  /** Spans of this service and name. */
  readonly count: number;
  /** Sum of their durations. */
  readonly total: number;
  /** Sum of their self times. */
  readonly self: number;
  /** Their time on the critical path. */
  readonly critical: number;
}

/** One service of a trace: where its time went. All times in µs. */
export interface ServiceTime {
  readonly service: string;
  readonly spans: number;
  readonly self: number;
  readonly critical: number;
  /** this service's operations, by self time, largest first */
  readonly operations: readonly OperationTime[];
}

/** Largest self time first; then by name, so that equal times keep one order. */
const bySelf =
  <T extends { self: number }>(name: (t: T) => string) =>
  (a: T, b: T) =>
    b.self - a.self || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : 0);

/**
 * Per service (by self time, largest first) and per operation: where the trace's time went. `path` is the trace's
 * critical path, computed when not given.
 */
export function timeSummary(trace: Trace, path?: readonly CriticalSection[]): ServiceTime[] {
  const self = selfTimes(trace);
  const critical = new Map<string, number>();
  for (const section of path ?? criticalPath(trace))
    critical.set(section.spanId, (critical.get(section.spanId) ?? 0) + section.end - section.start);
  const services = new Map<string, Map<string, OperationTime>>();
  for (const span of trace.spans) {
    const operations = services.get(span.service) ?? new Map<string, OperationTime>();
    services.set(span.service, operations);
    const before = operations.get(span.name);
    operations.set(span.name, {
      service: span.service,
      operation: span.name,
      count: (before?.count ?? 0) + 1,
      total: (before?.total ?? 0) + span.duration,
      self: (before?.self ?? 0) + (self.get(span.spanId) ?? 0),
      critical: (before?.critical ?? 0) + (critical.get(span.spanId) ?? 0),
    });
  }
  const sum = (ops: OperationTime[], field: 'count' | 'self' | 'critical') =>
    ops.reduce((n, op) => n + op[field], 0);
  return [...services]
    .map(([service, byName]) => {
      const operations = [...byName.values()].sort(bySelf((op: OperationTime) => op.operation));
      return {
        service,
        spans: sum(operations, 'count'),
        self: sum(operations, 'self'),
        critical: sum(operations, 'critical'),
        operations,
      };
    })
    .sort(bySelf((s: ServiceTime) => s.service));
}
