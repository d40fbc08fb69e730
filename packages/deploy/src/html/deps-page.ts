import type { DependencyLink } from '@milvus-otel/jaeger-query';
import { LABEL_HEIGHT, labelWidth, layoutGraph, type NodeBox, type Point } from './deps-layout.js';
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

const fmt = (n: number) => (Math.round(n * 10) / 10).toString();
const at = (p: Point) => `${fmt(p.x)},${fmt(p.y)}`;

/**
 * A smooth path through every point of a route (a Catmull-Rom spline as cubic Béziers), so that it passes under
 * the count dagre placed on the route; the last curve leaves along the last leg, and the arrowhead with it.
 */
function smoothPath(points: readonly Point[]): string {
  const [start] = points;
  if (!start) return '';
  const point = (i: number) => points[Math.max(0, Math.min(points.length - 1, i))] as Point;
  const parts = [`M${at(start)}`];
  for (let i = 0; i < points.length - 1; i++) {
    const [before, from, to, after] = [point(i - 1), point(i), point(i + 1), point(i + 2)];
    const c1 = { x: from.x + (to.x - before.x) / 6, y: from.y + (to.y - before.y) / 6 };
    const c2 = { x: to.x - (after.x - from.x) / 6, y: to.y - (after.y - from.y) / 6 };
    parts.push(`C${at(c1)} ${at(c2)} ${at(to)}`);
  }
  return parts.join(' ');
}

/** A small loop on top of the box, inside the room the layout keeps there, with its count above it. */
function selfCallLoop(box: NodeBox): { d: string; label: Point } {
  const cx = box.x + box.width / 2;
  const top = box.y;
  const d = `M${at({ x: cx - 12, y: top })} C${at({ x: cx - 26, y: top - 24 })} ${at({ x: cx + 26, y: top - 24 })} ${at({ x: cx + 12, y: top + 1 })}`;
  return { d, label: { x: cx, y: top - 18 - LABEL_HEIGHT / 2 - 1 } };
}

function graphSvg(links: readonly DependencyLink[]): string {
  const layout = layoutGraph(links);
  const colorOf = serviceColors([...layout.nodes.keys()]);
  const most = Math.max(1, ...links.map((l) => l.callCount));
  const out: string[] = [
    `<svg class="deps" width="${fmt(layout.width)}" height="${fmt(layout.height)}" viewBox="0 0 ${fmt(layout.width)} ${fmt(layout.height)}" role="img" aria-label="Service dependency graph">`,
    '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#52525b"/></marker></defs>',
  ];
  const edges: string[] = [];
  links.forEach((link, i) => {
    const route = layout.edges[i];
    const box = layout.nodes.get(link.parent);
    const drawn = route
      ? { d: smoothPath(route.points), label: route.label, kind: route.backward ? 'backward' : 'forward' }
      : link.parent === link.child && box
        ? { ...selfCallLoop(box), kind: 'self' }
        : undefined;
    if (!drawn) return;
    const { d, label, kind } = drawn;
    const count = String(link.callCount);
    const width = labelWidth(count);
    const strokeWidth = 1.2 + (2.5 * Math.log1p(link.callCount)) / Math.log1p(most);
    edges.push(
      `<g class="edge ${kind}" data-parent="${escapeHtml(link.parent)}" data-child="${escapeHtml(link.child)}" data-count="${escapeHtml(count)}">`,
      `<title>${escapeHtml(`${link.parent} → ${link.child}: ${count} call${link.callCount === 1 ? '' : 's'}`)}</title>`,
      `<path d="${d}" stroke-width="${fmt(strokeWidth)}" marker-end="url(#arrow)"/>`,
      `<rect class="label-bg" x="${fmt(label.x - width / 2)}" y="${fmt(label.y - LABEL_HEIGHT / 2)}" width="${fmt(width)}" height="${LABEL_HEIGHT}" rx="3"/>`,
      `<text class="count" x="${fmt(label.x)}" y="${fmt(label.y + 4)}" text-anchor="middle">${escapeHtml(count)}</text>`,
      '</g>',
    );
  });
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
 * Jaeger's service dependency graph as a self-contained HTML page: services as boxes laid out left to right from
 * callers to callees, calls as arrows labelled with their count, then the same calls as a table.
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
