import type { Trace, TraceSpan } from './model.js';

/** Each span's children (spans whose parent is in the trace), in tree order, by the parent's span id. */
export function childrenByParent(trace: Trace): Map<string, TraceSpan[]> {
  const children = new Map<string, TraceSpan[]>();
  for (const span of trace.spans) {
    if (span.parentId === undefined || span.orphan) continue;
    const siblings = children.get(span.parentId) ?? [];
    siblings.push(span);
    children.set(span.parentId, siblings);
  }
  return children;
}
