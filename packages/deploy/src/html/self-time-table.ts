import type { ServiceTime } from '@milvus-otel/jaeger-query';
import { formatDuration } from '../trace/duration.js';
import { escapeHtml } from './escape.js';

export const SELF_TIME_CSS = `
.self-time tr.service td { background: #f9f9fb; font-weight: 600; border-top: 2px solid #e4e4e7; }
.self-time tr.operation td:first-child { padding-left: 28px; }
.self-time .share { position: relative; min-width: 90px; }
.self-time .share span { position: relative; }
.self-time .share i { position: absolute; left: 0; top: 3px; bottom: 3px; background: rgba(31,119,180,.18); border-radius: 2px; }
`;

const percent = (part: number, whole: number) => (whole > 0 ? (part / whole) * 100 : 0);

const shareCell = (value: number) =>
  `<td class="num share"><i style="width:${Math.min(100, Math.max(0, value)).toFixed(1)}%"></i><span>${value.toFixed(1)}%</span></td>`;

/**
 * Where the trace's time went: per service (its share of all self time) and per operation (its share of the
 * service's self time), with the time each spent on the critical path.
 */
export function selfTimeTable(summary: readonly ServiceTime[], colorOf: (service: string) => string): string {
  const allSelf = summary.reduce((sum, s) => sum + s.self, 0);
  const rows: string[] = [];
  for (const service of summary) {
    const total = service.operations.reduce((sum, o) => sum + o.total, 0);
    rows.push(
      `<tr class="service" data-service="${escapeHtml(service.service)}"><td><span class="swatch" style="background:${colorOf(service.service)}"></span> ${escapeHtml(service.service)}</td><td class="num">${service.spans}</td><td class="num">${formatDuration(total)}</td><td class="num">${formatDuration(service.self)}</td>${shareCell(percent(service.self, allSelf))}<td class="num">${formatDuration(service.critical)}</td></tr>`,
    );
    for (const op of service.operations) {
      rows.push(
        `<tr class="operation" data-service="${escapeHtml(op.service)}" data-operation="${escapeHtml(op.operation)}"><td>${escapeHtml(op.operation)}</td><td class="num">${op.count}</td><td class="num">${formatDuration(op.total)}</td><td class="num">${formatDuration(op.self)}</td>${shareCell(percent(op.self, service.self))}<td class="num">${formatDuration(op.critical)}</td></tr>`,
      );
    }
  }
  return `<table class="self-time">
<caption hidden>Self time per service and operation</caption>
<thead><tr><th>Service / operation</th><th class="num">Spans</th><th class="num">Total</th><th class="num">Self</th><th class="num" title="Service rows: share of the trace's self time. Operation rows: share of the service's self time.">Share of self</th><th class="num">Critical path</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>`;
}
