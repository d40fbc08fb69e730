import type { DiffRow, ServiceDiff, Trace, TraceDiff } from '@milvus-otel/jaeger-query';
import { formatDuration } from '../trace/duration.js';
import {
  CHANGE_COLORS,
  changeBackground,
  type DiffChange,
  diffChange,
  durationChange,
} from './diff-change.js';
import { htmlDocument } from './document.js';
import { escapeHtml } from './escape.js';
import { legend } from './legend.js';
import { serviceColors } from './service-colors.js';

const TIMELINE_WIDTH = 260;
const TIMELINE_HEIGHT = 18;

const CSS = `
.diff td { white-space: nowrap; }
.diff td.span { white-space: normal; min-width: 260px; }
.diff .service { font-weight: 600; }
.diff tr.removed td.span .name { text-decoration: line-through; }
.diff .change { font-size: 12px; }
.diff .timeline { display: block; }
.diff .timeline .a { fill: #52525b; }
.diff .timeline .b { fill: #1f77b4; }
.diff .timeline .track { fill: rgba(255,255,255,.6); }
.services-diff td.num.delta { font-weight: 600; }
`;

const CHANGE_LABELS: Readonly<Record<DiffChange, string>> = {
  removed: 'only in A',
  added: 'only in B',
  slower: 'slower in B',
  faster: 'faster in B',
  unchanged: 'unchanged',
};

const signed = (us: number) => (us === 0 ? '0µs' : `${us > 0 ? '+' : '-'}${formatDuration(Math.abs(us))}`);
const ratioText = (ratio: number | undefined) => (ratio === undefined ? '–' : `×${ratio.toFixed(2)}`);
const durationCell = (us: number | undefined) =>
  `<td class="num">${us === undefined ? '–' : escapeHtml(formatDuration(us))}</td>`;

/** A and B's bars for one row, each on its own trace's clock, on the scale of the longer trace. */
function timeline(row: DiffRow, a: Trace, b: Trace, scale: number): string {
  const bar = (span: DiffRow['a'], trace: Trace, cls: 'a' | 'b', y: number) => {
    if (!span) return '';
    const x = ((span.startTime - trace.startTime) / scale) * TIMELINE_WIDTH;
    const w = Math.max(1, (span.duration / scale) * TIMELINE_WIDTH);
    return `<rect class="${cls}" x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="6" rx="1"/>`;
  };
  return `<svg class="timeline" width="${TIMELINE_WIDTH}" height="${TIMELINE_HEIGHT}" viewBox="0 0 ${TIMELINE_WIDTH} ${TIMELINE_HEIGHT}"><rect class="track" x="0" y="0" width="${TIMELINE_WIDTH}" height="${TIMELINE_HEIGHT}"/>${bar(row.a, a, 'a', 2)}${bar(row.b, b, 'b', 10)}</svg>`;
}

function rowHtml(row: DiffRow, diff: TraceDiff, scale: number, colorOf: (s: string) => string): string {
  const change = diffChange(row);
  const indent = Math.min(row.depth, 24) * 16 + 6;
  const title = [
    `${row.service} · ${row.name}`,
    `A: ${row.a ? formatDuration(row.a.duration) : 'absent'}`,
    `B: ${row.b ? formatDuration(row.b.duration) : 'absent'}`,
    `${CHANGE_LABELS[change]} (${signed(row.delta)}${row.ratio === undefined ? '' : `, ${ratioText(row.ratio)}`})`,
  ].join('\n');
  return `<tr class="diff-row ${change}" data-change="${change}" data-path="${escapeHtml(row.path)}" style="background:${changeBackground(change, row.ratio)}" title="${escapeHtml(title)}">
<td class="span" style="padding-left:${indent}px"><span class="swatch" style="background:${colorOf(row.service)}"></span> <span class="service">${escapeHtml(row.service)}</span> <span class="name">${escapeHtml(row.name)}</span></td>
<td class="change">${CHANGE_LABELS[change]}</td>
${durationCell(row.a?.duration)}${durationCell(row.b?.duration)}
<td class="num">${escapeHtml(signed(row.delta))}</td><td class="num">${ratioText(row.ratio)}</td>
<td>${timeline(row, diff.a, diff.b, scale)}</td>
</tr>`;
}

function serviceRow(s: ServiceDiff, colorOf: (s: string) => string): string {
  const change = durationChange(
    s.matched + s.onlyA > 0 ? s.a : undefined,
    s.matched + s.onlyB > 0 ? s.b : undefined,
  );
  return `<tr class="service-diff ${change}" data-service="${escapeHtml(s.service)}" data-change="${change}"><td><span class="swatch" style="background:${colorOf(s.service)}"></span> ${escapeHtml(s.service)}</td>${durationCell(s.a)}${durationCell(s.b)}<td class="num delta" style="background:${changeBackground(change, s.ratio)}">${escapeHtml(signed(s.delta))}</td><td class="num">${ratioText(s.ratio)}</td><td class="num">${s.matched}</td><td class="num">${s.onlyA}</td><td class="num">${s.onlyB}</td></tr>`;
}

const traceFacts = (label: string, t: Trace) =>
  `<div><dt>${label}</dt><dd><code>${escapeHtml(t.traceId)}</code> · ${escapeHtml(formatDuration(t.duration))} · ${t.spans.length} spans</dd></div>`;

/**
 * Two traces compared as a self-contained HTML page, coloured like Jaeger's trace comparison: the merged span tree
 * (only in A red, only in B green, matched spans shaded red when slower in B and green when faster, by how much, grey
 * when unchanged) with both durations, the delta and the ratio, then the self time per service in A and B.
 */
export function diffHtml(diff: TraceDiff): string {
  const colorOf = serviceColors([...new Set([...diff.a.services, ...diff.b.services])]);
  const scale = Math.max(1, diff.a.duration, diff.b.duration);
  const counts = new Map<DiffChange, number>();
  for (const row of diff.rows) {
    const change = diffChange(row);
    counts.set(change, (counts.get(change) ?? 0) + 1);
  }
  const totalDelta = diff.b.duration - diff.a.duration;
  const totalRatio = diff.a.duration > 0 ? diff.b.duration / diff.a.duration : undefined;

  const body = [
    `<header><h1>Trace comparison</h1><dl class="facts">`,
    traceFacts('A', diff.a),
    traceFacts('B', diff.b),
    `<div><dt>B − A</dt><dd>${escapeHtml(signed(totalDelta))} (${ratioText(totalRatio)})</dd></div>`,
    `</dl><dl class="facts">${(['removed', 'added', 'slower', 'faster', 'unchanged'] as const)
      .map((c) => `<div><dt>${CHANGE_LABELS[c]}</dt><dd>${counts.get(c) ?? 0}</dd></div>`)
      .join('')}</dl></header>`,
    '<h2>Spans</h2>',
    legend([
      { label: CHANGE_LABELS.removed, swatch: CHANGE_COLORS.removed, className: 'removed' },
      { label: CHANGE_LABELS.added, swatch: CHANGE_COLORS.added, className: 'added' },
      {
        label: `${CHANGE_LABELS.slower} (darker: larger ratio)`,
        swatch: 'linear-gradient(90deg,rgba(214,39,40,.1),rgba(214,39,40,.5))',
        className: 'slower',
      },
      {
        label: `${CHANGE_LABELS.faster} (darker: larger ratio)`,
        swatch: 'linear-gradient(90deg,rgba(44,160,44,.1),rgba(44,160,44,.5))',
        className: 'faster',
      },
      { label: 'unchanged (within 5%)', swatch: CHANGE_COLORS.unchanged, className: 'unchanged' },
      { label: 'bar: A', swatch: '#52525b' },
      { label: 'bar: B', swatch: '#1f77b4' },
    ]),
    diff.rows.length
      ? `<table class="diff"><thead><tr><th>Span</th><th>Change</th><th class="num">A</th><th class="num">B</th><th class="num">Δ</th><th class="num">B / A</th><th>Timeline (each trace from its start)</th></tr></thead><tbody>
${diff.rows.map((r) => rowHtml(r, diff, scale, colorOf)).join('\n')}
</tbody></table>`
      : '<p>Neither trace has spans.</p>',
  ];
  if (diff.services.length) {
    body.push(
      '<h2>Self time per service</h2>',
      `<table class="services-diff"><thead><tr><th>Service</th><th class="num">Self A</th><th class="num">Self B</th><th class="num">Δ</th><th class="num">B / A</th><th class="num">Matched</th><th class="num">Only in A</th><th class="num">Only in B</th></tr></thead><tbody>
${diff.services.map((s) => serviceRow(s, colorOf)).join('\n')}
</tbody></table>`,
    );
  }
  return htmlDocument(`Trace ${diff.a.traceId} vs ${diff.b.traceId}`, CSS, body.join('\n'));
}
