import { type EdgeLabel, Graph, type GraphLabel, layout, type NodeLabel } from '@dagrejs/dagre';
import type { DependencyLink } from '@milvus-otel/jaeger-query';

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** A service's box, without the room reserved above it for a self-call's loop. */
export interface NodeBox {
  readonly name: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Where one call between two different services runs, from the caller's box to the callee's. */
export interface EdgeRoute {
  readonly points: readonly Point[];
  /** Centre of the call count's label, on the route. */
  readonly label: Point;
  /** The call runs against the left-to-right order: it closes a cycle. */
  readonly backward: boolean;
}

export interface GraphLayout {
  readonly nodes: ReadonlyMap<string, NodeBox>;
  /** One per link, in order; null for a self-call, which is drawn as a loop on its service's box. */
  readonly edges: readonly (EdgeRoute | null)[];
  readonly width: number;
  readonly height: number;
}

export const NODE_HEIGHT = 36;
/** Room above a box for its self-call's loop and count. */
export const SELF_CALL_ROOM = 38;
export const LABEL_HEIGHT = 16;
const MIN_NODE_WIDTH = 110;
const CHAR_WIDTH = 7.4;
const LABEL_CHAR_WIDTH = 7.5;
const MARGIN = 24;

export const nodeWidth = (name: string) => Math.max(MIN_NODE_WIDTH, Math.ceil(name.length * CHAR_WIDTH) + 28);
export const labelWidth = (text: string) => text.length * LABEL_CHAR_WIDTH + 8;

const centre = (box: NodeBox): Point => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 });

/** Where the line from the box's centre towards `towards` leaves the box. */
function boxExit(box: NodeBox, towards: Point): Point {
  const { x: cx, y: cy } = centre(box);
  const dx = towards.x - cx;
  const dy = towards.y - cy;
  if (!dx && !dy) return { x: cx, y: cy };
  const halfWidth = box.width / 2;
  const halfHeight = box.height / 2;
  if (Math.abs(dy) * halfWidth > Math.abs(dx) * halfHeight) {
    const h = dy < 0 ? -halfHeight : halfHeight;
    return { x: cx + (h * dx) / dy, y: cy + h };
  }
  const w = dx < 0 ? -halfWidth : halfWidth;
  return { x: cx + w, y: cy + (w * dy) / dx };
}

/**
 * Services as boxes laid out left to right by dagre, which ranks them, orders each rank to cut crossings, routes
 * the calls between them around the boxes and reserves room on each route for its count.
 */
export function layoutGraph(links: readonly DependencyLink[]): GraphLayout {
  const graph = new Graph<GraphLabel, NodeLabel, EdgeLabel>({ multigraph: true });
  graph.setGraph({ rankdir: 'LR', nodesep: 28, edgesep: 14, ranksep: 70, marginx: MARGIN, marginy: MARGIN });
  const names = [...new Set(links.flatMap((l) => [l.parent, l.child]))];
  const called = new Set(links.filter((l) => l.parent !== l.child).map((l) => l.child));
  const selfCalling = new Set(links.filter((l) => l.parent === l.child).map((l) => l.parent));
  // Services nobody calls first: dagre breaks cycles depth-first in this order, so calls back to them end up dashed.
  for (const name of [...names.filter((n) => !called.has(n)), ...names.filter((n) => called.has(n))]) {
    graph.setNode(name, {
      width: nodeWidth(name),
      height: NODE_HEIGHT + (selfCalling.has(name) ? SELF_CALL_ROOM : 0),
    });
  }
  links.forEach((link, i) => {
    if (link.parent === link.child) return;
    graph.setEdge(
      link.parent,
      link.child,
      { width: labelWidth(String(link.callCount)), height: LABEL_HEIGHT, labelpos: 'c' },
      String(i),
    );
  });
  layout(graph);

  const nodes = new Map<string, NodeBox>();
  for (const name of graph.nodes()) {
    const { x = 0, y = 0, width, height } = graph.node(name);
    nodes.set(name, {
      name,
      x: x - width / 2,
      y: y + height / 2 - NODE_HEIGHT,
      width,
      height: NODE_HEIGHT,
    });
  }
  const edges = links.map((link, i): EdgeRoute | null => {
    if (link.parent === link.child) return null;
    const edge = graph.edge(link.parent, link.child, String(i));
    const from = nodes.get(link.parent);
    const to = nodes.get(link.child);
    if (!edge || !from || !to) return null;
    const inner = (edge.points ?? []).slice(1, -1);
    const first = inner[0] ?? centre(to);
    const last = inner[inner.length - 1] ?? centre(from);
    // dagre ends routes on the box with its self-call room; end them on the drawn box instead.
    return {
      points: [boxExit(from, first), ...inner, boxExit(to, last)],
      label: { x: edge.x ?? (first.x + last.x) / 2, y: edge.y ?? (first.y + last.y) / 2 },
      backward: (graph.node(link.child).rank ?? 0) <= (graph.node(link.parent).rank ?? 0),
    };
  });
  const { width = 0, height = 0 } = graph.graph();
  return { nodes, edges, width: Math.max(width, 200), height };
}
