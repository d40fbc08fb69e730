import type { DependencyLink } from '@milvus-otel/jaeger-query';
import { layoutGraph, type NodeBox } from './deps-layout.js';
import { htmlDocument } from './document.js';
import { escapeHtml } from './escape.js';
import { serviceColors } from './service-colors.js';

const CSS = `
.deps .node rect { fill: #fff; stroke-width: 2; }
.deps .node text { font-size: 13px; fill: #1d1d1f; }
.deps .edge path { fill: none; stroke: #71717a; }
.deps .edge.backward path { stroke-dasharray: 5 3; }
.deps .edge .label-bg { fill: #fff; opacity: .9; }
.deps .edge text { font-size: 12px; fill: #1d1d1f; font-weight: 600; font-variant-numeric: tabular-nums; }
.deps .edge:hover path { stroke: #1d1d1f; }
`;

interface Point {
  readonly x: number;
  readonly y: number;
}

const fmt = (n: number) => (Math.round(n * 10) / 10).toString();
const centre = (n: NodeBox): Point => ({ x: n.x + n.width / 2, y: n.y + n.height / 2 });

/** The point halfway along a cubic Bézier curve, where its label goes. */
const halfway = (p0: Point, p1: Point, p2: Point, p3: Point): Point => ({
  x: (p0.x + 3 * p1.x + 3 * p2.x + p3.x) / 8,
  y: (p0.y + 3 * p1.y + 3 * p2.y + p3.y) / 8,
});

const curve = (p0: Point, p1: Point, p2: Point, p3: Point) =>
  `M${fmt(p0.x)},${fmt(p0.y)} C${fmt(p1.x)},${fmt(p1.y)} ${fmt(p2.x)},${fmt(p2.y)} ${fmt(p3.x)},${fmt(p3.y)}`;

/** Left to right for calls into a later layer; self-calls loop over the box; the rest pass below the graph. */
function edgeGeometry(
  from: NodeBox,
  to: NodeBox,
  belowAt: number,
): { d: string; label: Point; kind: 'forward' | 'self' | 'backward' } {
  if (from.name === to.name) {
    // A small loop over the box's top right corner, inside the gap to the box above.
    const right = from.x + from.width;
    const p0 = { x: right - 20, y: from.y };
    const p1 = { x: right - 14, y: from.y - 34 };
    const p2 = { x: right + 34, y: from.y - 4 };
    const p3 = { x: right + 1, y: from.y + 12 };
    return { d: curve(p0, p1, p2, p3), label: halfway(p0, p1, p2, p3), kind: 'self' };
  }
  if (to.layer > from.layer) {
    const p0 = { x: from.x + from.width, y: centre(from).y };
    const p3 = { x: to.x - 2, y: centre(to).y };
    const bend = (p3.x - p0.x) / 2;
    const p1 = { x: p0.x + bend, y: p0.y };
    const p2 = { x: p3.x - bend, y: p3.y };
    return { d: curve(p0, p1, p2, p3), label: halfway(p0, p1, p2, p3), kind: 'forward' };
  }
  const p0 = { x: centre(from).x + 8, y: from.y + from.height };
  const p3 = { x: centre(to).x - 8, y: to.y + to.height + 2 };
  const dip = belowAt + (belowAt - Math.min(p0.y, p3.y)) * 0.35;
  const p1 = { x: p0.x, y: dip };
  const p2 = { x: p3.x, y: dip };
  return { d: curve(p0, p1, p2, p3), label: halfway(p0, p1, p2, p3), kind: 'backward' };
}

function graphSvg(links: readonly DependencyLink[]): string {
  const layout = layoutGraph(links);
  const colorOf = serviceColors([...layout.nodes.keys()]);
  const most = Math.max(1, ...links.map((l) => l.callCount));
  const out: string[] = [
    `<svg class="deps" width="${fmt(layout.width)}" height="${fmt(layout.height)}" viewBox="0 0 ${fmt(layout.width)} ${fmt(layout.height)}" role="img" aria-label="Service dependency graph">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#52525b"/></marker></defs>',
  ];
  let backward = 0;
  const edges: string[] = [];
  for (const link of links) {
    const from = layout.nodes.get(link.parent);
    const to = layout.nodes.get(link.child);
    if (!from || !to) continue;
    const isBackward = from.name !== to.name && to.layer <= from.layer;
    const { d, label, kind } = edgeGeometry(
      from,
      to,
      layout.bottom + 18 + (isBackward ? backward++ : 0) * 16,
    );
    const count = String(link.callCount);
    const labelWidth = count.length * 7.5 + 8;
    const strokeWidth = 1.2 + (2.5 * Math.log1p(link.callCount)) / Math.log1p(most);
    edges.push(
      `<g class="edge ${kind}" data-parent="${escapeHtml(link.parent)}" data-child="${escapeHtml(link.child)}" data-count="${escapeHtml(count)}">`,
      `<title>${escapeHtml(`${link.parent} → ${link.child}: ${count} call${link.callCount === 1 ? '' : 's'}`)}</title>`,
      `<path d="${d}" stroke-width="${fmt(strokeWidth)}" marker-end="url(#arrow)"/>`,
      `<rect class="label-bg" x="${fmt(label.x - labelWidth / 2)}" y="${fmt(label.y - 9)}" width="${fmt(labelWidth)}" height="16" rx="3"/>`,
      `<text class="count" x="${fmt(label.x)}" y="${fmt(label.y + 4)}" text-anchor="middle">${escapeHtml(count)}</text>`,
      '</g>',
    );
  }
  const calls = (name: string, side: 'parent' | 'child') =>
    links.filter((l) => l[side] === name).reduce((sum, l) => sum + l.callCount, 0);
  for (const node of layout.nodes.values()) {
    out.push(
      `<g class="node" data-service="${escapeHtml(node.name)}">`,
      `<title>${escapeHtml(`${node.name}\ncalls made: ${calls(node.name, 'parent')}\ncalls received: ${calls(node.name, 'child')}`)}</title>`,
      `<rect x="${fmt(node.x)}" y="${fmt(node.y)}" width="${fmt(node.width)}" height="${node.height}" rx="6" stroke="${colorOf(node.name)}"/>`,
      `<text x="${fmt(node.x + node.width / 2)}" y="${fmt(node.y + node.height / 2 + 4.5)}" text-anchor="middle">${escapeHtml(node.name)}</text>`,
      '</g>',
    );
  }
  // Edges over the boxes, so that a label is never hidden behind a service.
  out.push(...edges, '</svg>');
  return out.join('\n');
}

/**
 * Jaeger's service dependency graph as a self-contained HTML page: services as boxes laid out left to right by how
 * deep in the call chain they sit, calls as arrows labelled with their count, then the same calls as a table.
 */
export function depsHtml(
  links: readonly DependencyLink[],
  meta: { jaegerUrl: string; from: Date; to: Date },
): string {
  const services = new Set(links.flatMap((l) => [l.parent, l.child]));
  const calls = links.reduce((sum, l) => sum + l.callCount, 0);
  const body = [
    '<header><h1>Service dependencies</h1><dl class="facts">',
    `<div><dt>Jaeger</dt><dd><code>${escapeHtml(meta.jaegerUrl)}</code></dd></div>`,
    `<div><dt>From</dt><dd>${escapeHtml(meta.from.toISOString())}</dd></div>`,
    `<div><dt>To</dt><dd>${escapeHtml(meta.to.toISOString())}</dd></div>`,
    `<div><dt>Services</dt><dd>${services.size}</dd></div>`,
    `<div><dt>Calls between services</dt><dd>${links.length}</dd></div>`,
    `<div><dt>Total calls</dt><dd>${calls}</dd></div>`,
    '</dl></header>',
  ];
  if (!links.length) {
    body.push('<p>Jaeger recorded no calls between services in this window.</p>');
  } else {
    body.push(
      '<h2>Graph</h2>',
      '<p class="hint">Arrows point from caller to callee, labelled with the number of calls; dashed arrows point back against the left-to-right order (a cycle).</p>',
      `<div class="chart">${graphSvg(links)}</div>`,
      '<h2>Calls</h2>',
      '<table class="edges"><thead><tr><th>Caller</th><th>Callee</th><th class="num">Calls</th></tr></thead><tbody>',
      ...links.map(
        (l) =>
          `<tr data-parent="${escapeHtml(l.parent)}" data-child="${escapeHtml(l.child)}"><td>${escapeHtml(l.parent)}</td><td>${escapeHtml(l.child)}</td><td class="num">${escapeHtml(l.callCount)}</td></tr>`,
      ),
      '</tbody></table>',
    );
  }
  return htmlDocument('Service dependencies', CSS, body.join('\n'));
}
