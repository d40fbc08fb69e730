import type { Trace, TraceSpan } from './model.js';
import { childrenByParent } from './tree.js';

/** A stretch of one span that lies on the critical path. */
export interface CriticalSection {
  readonly spanId: string;
  /** µs since the epoch */
  readonly start: number;
  readonly end: number;
}

interface Interval {
  readonly start: number;
  readonly end: number;
}

interface PathNode {
  readonly span: TraceSpan;
  readonly parent: PathNode | undefined;
  /** The span clipped to its (clipped) parent. */
  readonly interval: Interval;
  /** Latest end first; equal ends in tree order, so the earlier-starting child wins a tie. */
  readonly children: PathNode[];
  /** Children before this index finish too late for the point the walk last returned to this span with. */
  next: number;
}

/**
 * The root's subtree with each span clipped to its parent's interval, top down, and children wholly outside their
 * parent dropped together with everything below them.
 */
function clippedTree(trace: Trace, root: TraceSpan): PathNode {
  const childrenOf = childrenByParent(trace);
  const top: PathNode = {
    span: root,
    parent: undefined,
    interval: { start: root.startTime, end: root.startTime + root.duration },
    children: [],
    next: 0,
  };
  const pending = [top];
  const seen = new Set([root.spanId]);
  for (let node = pending.pop(); node; node = pending.pop()) {
    const { start, end } = node.interval;
    for (const child of childrenOf.get(node.span.spanId) ?? []) {
      if (seen.has(child.spanId)) continue;
      seen.add(child.spanId);
      const childEnd = child.startTime + child.duration;
      if (child.startTime >= end || childEnd <= start) continue;
      const interval = { start: Math.max(child.startTime, start), end: Math.min(childEnd, end) };
      const childNode: PathNode = { span: child, parent: node, interval, children: [], next: 0 };
      node.children.push(childNode);
      pending.push(childNode);
    }
    // A stable sort keeps tree order among equal ends.
    node.children.sort((a, b) => b.interval.end - a.interval.end);
  }
  return top;
}

/** The child finishing last, strictly before `before` when the walk returns to the span from a child. */
function lastFinishingChild(node: PathNode, before: number | undefined): PathNode | undefined {
  // The points the walk returns with only decrease, so the candidates only move forward.
  while (before !== undefined && node.next < node.children.length) {
    const child = node.children[node.next] as PathNode;
    if (child.interval.end < before) break;
    node.next++;
  }
  return node.children[node.next];
}

/**
 * Jaeger UI's critical path (jaeger-ui packages/jaeger-ui/src/components/TracePage/CriticalPath): from the root span
 * (the first root in tree order; orphans are ignored), repeatedly descend into the child that finishes last (before
 * the point we are returning to), recording the parent's uncovered sections. A span's children are the spans whose
 * `parentId` is that span. Children that overflow their parent are clipped to the parent's [start, end]; children
 * entirely outside dropped. Returns the sections sorted by start; their lengths sum to the root's duration.
 */
export function criticalPath(trace: Trace): CriticalSection[] {
  const root = trace.spans.find((s) => s.depth === 0 && !s.orphan && s.parentId === undefined);
  if (!root) return [];
  const sections: CriticalSection[] = [];
  const record = (spanId: string, start: number, end: number) => {
    if (start !== end) sections.push({ spanId, start, end });
  };
  // Iterative rather than recursive, so that a deep trace does not exhaust the stack.
  let node: PathNode | undefined = clippedTree(trace, root);
  let returnedAt: number | undefined;
  while (node) {
    const end = returnedAt ?? node.interval.end;
    const child = lastFinishingChild(node, returnedAt);
    if (child) {
      // After the child that finishes last, the span waits on nothing of its own.
      record(node.span.spanId, child.interval.end, end);
      node = child;
      returnedAt = undefined;
    } else {
      record(node.span.spanId, node.interval.start, end);
      returnedAt = node.interval.start;
      node = node.parent;
    }
  }
  return sections.sort((a, b) => a.start - b.start);
}
