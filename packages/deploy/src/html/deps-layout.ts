import type { DependencyLink } from '@milvus-otel/jaeger-query';

export interface NodeBox {
  readonly name: string;
  readonly layer: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface GraphLayout {
  readonly nodes: ReadonlyMap<string, NodeBox>;
  readonly width: number;
  readonly height: number;
  /** Where edges that do not run left to right pass below the nodes. */
  readonly bottom: number;
}

const NODE_HEIGHT = 36;
const MIN_NODE_WIDTH = 110;
const MAX_NODE_WIDTH = 320;
const CHAR_WIDTH = 7.4;
const COLUMN_GAP = 120;
const ROW_GAP = 30;
/** Room above the nodes for self-calls' loops. */
const MARGIN_TOP = 36;
const MARGIN = 24;

export const nodeWidth = (name: string) =>
  Math.min(MAX_NODE_WIDTH, Math.max(MIN_NODE_WIDTH, Math.ceil(name.length * CHAR_WIDTH) + 28));

/**
 * Each service's layer, left to right: the longest call path from a service nobody calls. Calls that close a
 * cycle (found by a depth-first search from the entry services) and self-calls do not count, so cycles end.
 */
export function serviceLayers(links: readonly DependencyLink[]): Map<string, number> {
  const names = [...new Set(links.flatMap((l) => [l.parent, l.child]))].sort();
  const out = new Map<string, string[]>(names.map((n) => [n, []]));
  const calledBy = new Map<string, number>(names.map((n) => [n, 0]));
  for (const { parent, child } of links) {
    if (parent === child) continue;
    out.get(parent)?.push(child);
    calledBy.set(child, (calledBy.get(child) ?? 0) + 1);
  }
  // Depth-first, entry services first, with an explicit stack: an edge to a service still on the stack closes a cycle.
  const state = new Map<string, 'open' | 'done'>();
  const forward = new Map<string, string[]>(names.map((n) => [n, []]));
  const starts = [...names.filter((n) => calledBy.get(n) === 0), ...names];
  for (const start of starts) {
    if (state.has(start)) continue;
    state.set(start, 'open');
    const stack: { node: string; next: number }[] = [{ node: start, next: 0 }];
    while (stack.length) {
      const top = stack[stack.length - 1] as { node: string; next: number };
      const targets = out.get(top.node) ?? [];
      if (top.next >= targets.length) {
        state.set(top.node, 'done');
        stack.pop();
        continue;
      }
      const target = targets[top.next++] as string;
      const seen = state.get(target);
      if (seen === 'open') continue;
      forward.get(top.node)?.push(target);
      if (seen === undefined) {
        state.set(target, 'open');
        stack.push({ node: target, next: 0 });
      }
    }
  }
  // Longest path over what is left, which has no cycle: Kahn's topological order.
  const indegree = new Map<string, number>(names.map((n) => [n, 0]));
  for (const targets of forward.values())
    for (const t of targets) indegree.set(t, (indegree.get(t) ?? 0) + 1);
  const layer = new Map<string, number>(names.map((n) => [n, 0]));
  const ready = names.filter((n) => indegree.get(n) === 0);
  for (let node = ready.shift(); node !== undefined; node = ready.shift()) {
    for (const t of forward.get(node) ?? []) {
      layer.set(t, Math.max(layer.get(t) ?? 0, (layer.get(node) ?? 0) + 1));
      const left = (indegree.get(t) ?? 0) - 1;
      indegree.set(t, left);
      if (left === 0) ready.push(t);
    }
  }
  return layer;
}

/** Boxes for the services: one column per layer, each column ordered by where its callers sit, centred vertically. */
export function layoutGraph(links: readonly DependencyLink[]): GraphLayout {
  const layers = serviceLayers(links);
  const depth = Math.max(-1, ...layers.values()) + 1;
  const columns: string[][] = Array.from({ length: depth }, () => []);
  for (const [name, layer] of layers) columns[layer]?.push(name);
  const position = new Map<string, number>();
  const callers = new Map<string, string[]>();
  for (const { parent, child } of links) {
    if (parent !== child) callers.set(child, [...(callers.get(child) ?? []), parent]);
  }
  columns.forEach((column, layer) => {
    const barycentre = (name: string) => {
      const placed = (callers.get(name) ?? [])
        .filter((c) => (layers.get(c) ?? 0) < layer)
        .map((c) => position.get(c) ?? 0);
      return placed.length ? placed.reduce((a, b) => a + b, 0) / placed.length : Number.POSITIVE_INFINITY;
    };
    const keyed = column.map((name) => ({ name, key: barycentre(name) }));
    keyed.sort((a, b) => a.key - b.key || a.name.localeCompare(b.name));
    keyed.forEach(({ name }, i) => {
      position.set(name, i);
    });
    columns[layer] = keyed.map((k) => k.name);
  });

  const tallest = Math.max(0, ...columns.map((c) => c.length));
  const graphHeight = tallest * NODE_HEIGHT + Math.max(0, tallest - 1) * ROW_GAP;
  const nodes = new Map<string, NodeBox>();
  let x = MARGIN;
  columns.forEach((column, layer) => {
    const width = Math.max(MIN_NODE_WIDTH, ...column.map(nodeWidth));
    const height = column.length * NODE_HEIGHT + Math.max(0, column.length - 1) * ROW_GAP;
    const top = MARGIN_TOP + (graphHeight - height) / 2;
    column.forEach((name, i) => {
      nodes.set(name, {
        name,
        layer,
        x: x + (width - nodeWidth(name)) / 2,
        y: top + i * (NODE_HEIGHT + ROW_GAP),
        width: nodeWidth(name),
        height: NODE_HEIGHT,
      });
    });
    x += width + COLUMN_GAP;
  });
  const backward = links.filter(
    (l) => l.parent !== l.child && (layers.get(l.child) ?? 0) <= (layers.get(l.parent) ?? 0),
  ).length;
  const bottom = MARGIN_TOP + graphHeight;
  return {
    nodes,
    width: Math.max(x - COLUMN_GAP + MARGIN, 200),
    height: bottom + MARGIN + (backward ? 30 + backward * 16 : 0),
    bottom,
  };
}
