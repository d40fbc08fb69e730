import type { CriticalSection, Trace, TraceSpan } from '@milvus-otel/jaeger-query';
import { formatDuration } from '../trace/duration.js';
import { escapeHtml } from './escape.js';
import { ERROR_COLOR } from './service-colors.js';
import { timeTicks } from './time-axis.js';

const WIDTH = 1200;
const LABEL_WIDTH = 400;
const DURATION_WIDTH = 80;
const BAR_X = LABEL_WIDTH + DURATION_WIDTH + 12;
const BAR_WIDTH = WIDTH - BAR_X - 24;
const AXIS_HEIGHT = 30;
const ROW_HEIGHT = 24;
const BAR_HEIGHT = 14;
const INDENT = 14;
const MAX_INDENT_DEPTH = 16;
const MAX_TAGS_IN_TOOLTIP = 30;
const MAX_TOOLTIP_VALUE = 200;

export const WATERFALL_CSS = `
.waterfall .stripe { fill: #fafafa; }
.waterfall .grid { stroke: #e4e4e7; stroke-width: 1; }
.waterfall .tick { font-size: 11px; fill: #666; }
.waterfall .span-name { font-size: 12px; fill: #1d1d1f; }
.waterfall .span-name .service { font-weight: 600; }
.waterfall .span-row.error .span-name { fill: ${ERROR_COLOR}; }
.waterfall .span-row.orphan .span-name { fill: #8a5a00; }
.waterfall .duration { font-size: 12px; fill: #444; font-variant-numeric: tabular-nums; }
.waterfall .bar { stroke: rgba(0,0,0,.25); stroke-width: .5; }
.waterfall .span-row.error .bar { stroke: #7f0000; stroke-width: 1; }
.waterfall .span-row.orphan .bar { stroke: #8a5a00; stroke-width: 1; stroke-dasharray: 3 2; }
.waterfall .critical { fill: #111; opacity: .8; }
.waterfall .span-row:hover .stripe-hover { fill: #eef4ff; }
`;

const offsetX = (us: number, total: number) => BAR_X + (us / total) * BAR_WIDTH;
const fmt = (n: number) => (Math.round(n * 100) / 100).toString();

function tooltip(span: TraceSpan, trace: Trace, self: number | undefined): string {
  const lines = [
    `${span.service} · ${span.name}`,
    `${formatDuration(span.duration)} from +${formatDuration(span.startTime - trace.startTime)}${self === undefined ? '' : `, self ${formatDuration(self)}`}`,
  ];
  if (span.kind) lines.push(`kind: ${span.kind}`);
  if (span.error) lines.push(`error: ${span.error}`);
  if (span.orphan) lines.push(`parent ${span.parentId ?? ''} is not in the trace`);
  const tags = Object.entries(span.tags);
  for (const [key, value] of tags.slice(0, MAX_TAGS_IN_TOOLTIP)) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    lines.push(`${key} = ${text.length > MAX_TOOLTIP_VALUE ? `${text.slice(0, MAX_TOOLTIP_VALUE)}…` : text}`);
  }
  if (tags.length > MAX_TAGS_IN_TOOLTIP) lines.push(`… ${tags.length - MAX_TAGS_IN_TOOLTIP} more`);
  return escapeHtml(lines.join('\n'));
}

/**
 * The trace as an SVG waterfall: a time axis with ticks, then one row per span in tree order — indented service and
 * name, duration, and a bar on the axis in its service's colour (red when it failed, dashed when its parent is
 * missing), with the critical path's sections drawn over the bars in black.
 */
export function waterfallSvg(
  trace: Trace,
  path: readonly CriticalSection[],
  colorOf: (service: string) => string,
  selfTimeOf: (spanId: string) => number | undefined,
): string {
  const total = Math.max(1, trace.duration);
  const height = AXIS_HEIGHT + trace.spans.length * ROW_HEIGHT + 8;
  const rowOf = new Map(trace.spans.map((s, i) => [s.spanId, i]));
  const rowTop = (i: number) => AXIS_HEIGHT + i * ROW_HEIGHT;
  const barY = (i: number) => rowTop(i) + (ROW_HEIGHT - BAR_HEIGHT) / 2;

  const out: string[] = [];
  out.push(
    `<svg class="waterfall" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-label="Span waterfall">`,
    `<defs><clipPath id="label-clip"><rect x="0" y="0" width="${LABEL_WIDTH - 6}" height="${height}"/></clipPath></defs>`,
  );
  trace.spans.forEach((_, i) => {
    if (i % 2 === 1)
      out.push(`<rect class="stripe" x="0" y="${rowTop(i)}" width="${WIDTH}" height="${ROW_HEIGHT}"/>`);
  });
  out.push('<g class="axis">');
  for (const tick of timeTicks(total)) {
    const x = fmt(offsetX(tick, total));
    out.push(
      `<line class="grid" x1="${x}" y1="${AXIS_HEIGHT - 6}" x2="${x}" y2="${height - 4}"/>`,
      `<text class="tick" x="${x}" y="${AXIS_HEIGHT - 12}" text-anchor="${tick === 0 ? 'start' : 'middle'}">${escapeHtml(formatDuration(tick))}</text>`,
    );
  }
  out.push(
    `<text class="tick" x="${LABEL_WIDTH - 8}" y="${AXIS_HEIGHT - 12}" text-anchor="end">span</text>`,
    `<text class="tick" x="${LABEL_WIDTH + DURATION_WIDTH - 4}" y="${AXIS_HEIGHT - 12}" text-anchor="end">duration</text>`,
    '</g>',
  );

  trace.spans.forEach((span, i) => {
    const from = span.startTime - trace.startTime;
    const x = offsetX(from, total);
    const width = Math.max(1, (span.duration / total) * BAR_WIDTH);
    const classes = ['span-row', span.error ? 'error' : '', span.orphan ? 'orphan' : '']
      .filter(Boolean)
      .join(' ');
    const textY = rowTop(i) + ROW_HEIGHT / 2 + 4;
    const indent = 8 + Math.min(span.depth, MAX_INDENT_DEPTH) * INDENT;
    const marker = `${span.orphan ? '⚠ ' : ''}${span.error ? '✗ ' : ''}`;
    out.push(
      `<g class="${classes}" data-span-id="${escapeHtml(span.spanId)}" data-service="${escapeHtml(span.service)}">`,
      `<title>${tooltip(span, trace, selfTimeOf(span.spanId))}</title>`,
      `<rect class="stripe-hover" x="0" y="${rowTop(i)}" width="${WIDTH}" height="${ROW_HEIGHT}" fill="transparent"/>`,
      `<text class="span-name" x="${indent}" y="${textY}" clip-path="url(#label-clip)">${escapeHtml(marker)}<tspan class="service">${escapeHtml(span.service)}</tspan> <tspan class="name">${escapeHtml(span.name)}</tspan></text>`,
      `<text class="duration" x="${LABEL_WIDTH + DURATION_WIDTH - 4}" y="${textY}" text-anchor="end">${escapeHtml(formatDuration(span.duration))}</text>`,
      `<rect class="bar" x="${fmt(x)}" y="${barY(i)}" width="${fmt(width)}" height="${BAR_HEIGHT}" rx="2" fill="${span.error ? ERROR_COLOR : colorOf(span.service)}"/>`,
      '</g>',
    );
  });

  out.push('<g class="critical-path">');
  for (const section of path) {
    const i = rowOf.get(section.spanId);
    if (i === undefined) continue;
    const length = section.end - section.start;
    const x = offsetX(section.start - trace.startTime, total);
    const width = Math.max(1, (length / total) * BAR_WIDTH);
    out.push(
      `<rect class="critical" data-span-id="${escapeHtml(section.spanId)}" data-start="${section.start}" data-end="${section.end}" x="${fmt(x)}" y="${barY(i) + BAR_HEIGHT / 2 - 3}" width="${fmt(width)}" height="6"><title>critical path: ${escapeHtml(formatDuration(length))} of ${escapeHtml(trace.spans[i]?.name ?? '')}</title></rect>`,
    );
  }
  out.push('</g>', '</svg>');
  return out.join('\n');
}
