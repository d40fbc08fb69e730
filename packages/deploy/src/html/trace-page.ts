import { type CriticalSection, type ServiceTime, selfTimes, type Trace } from '@milvus-otel/jaeger-query';
import { formatDuration } from '../trace/duration.js';
import { htmlDocument } from './document.js';
import { escapeHtml } from './escape.js';
import { legend } from './legend.js';
import { SELF_TIME_CSS, selfTimeTable } from './self-time-table.js';
import { ERROR_COLOR, serviceColors } from './service-colors.js';
import { WATERFALL_CSS, waterfallSvg } from './waterfall-svg.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const fact = (label: string, value: string, className = '') =>
  `<div${className ? ` class="${className}"` : ''}><dt>${escapeHtml(label)}</dt><dd>${value}</dd></div>`;

/**
 * One trace as a self-contained HTML page: a header (id, start, duration, spans, services, errors, orphans), the
 * waterfall with the critical path drawn over the bars, the failed spans with their messages, and where the time
 * went per service and operation.
 */
export function traceHtml(
  trace: Trace,
  path: readonly CriticalSection[],
  summary: readonly ServiceTime[],
): string {
  const colorOf = serviceColors(trace.services);
  const self = selfTimes(trace);
  const failed = trace.spans.filter((s) => s.error !== undefined);
  const criticalLength = path.reduce((sum, s) => sum + (s.end - s.start), 0);
  const started = trace.spans.length ? new Date(trace.startTime / 1000).toISOString() : '–';

  const body: string[] = [];
  body.push(
    `<header><h1>Trace <code>${escapeHtml(trace.traceId)}</code></h1><dl class="facts">`,
    fact('Started', escapeHtml(started)),
    fact('Duration', escapeHtml(formatDuration(trace.duration))),
    fact('Spans', String(trace.spans.length)),
    fact('Services', String(trace.services.length)),
    fact('Errors', String(failed.length), failed.length ? 'error-text' : ''),
    trace.orphans.length ? fact('Without their parent', String(trace.orphans.length), 'warnings') : '',
    path.length
      ? fact(
          'Critical path',
          escapeHtml(`${formatDuration(criticalLength)} in ${plural(path.length, 'section')}`),
        )
      : '',
    '</dl></header>',
  );
  if (trace.warnings.length) {
    // Jaeger repeats a warning for every span it concerns: once each, with how often.
    const counts = new Map<string, number>();
    for (const w of trace.warnings) counts.set(w, (counts.get(w) ?? 0) + 1);
    body.push(
      `<ul class="warnings">${[...counts].map(([w, n]) => `<li>${escapeHtml(w)}${n > 1 ? ` (×${n})` : ''}</li>`).join('')}</ul>`,
    );
  }

  body.push('<h2>Waterfall</h2>');
  body.push(
    legend([
      ...trace.services.map((s) => ({ label: s, swatch: colorOf(s), className: 'service' })),
      { label: 'error', swatch: ERROR_COLOR },
      { label: 'critical path', swatch: '#111' },
      ...(trace.orphans.length
        ? [
            {
              label: '⚠ parent not in the trace',
              swatch: 'repeating-linear-gradient(45deg,#fff 0 3px,#8a5a00 3px 5px)',
            },
          ]
        : []),
    ]),
  );
  body.push(
    trace.spans.length
      ? `<div class="chart">${waterfallSvg(trace, path, colorOf, (id) => self.get(id))}</div>`
      : '<p>This trace has no spans.</p>',
  );

  if (failed.length) {
    body.push(
      '<h2>Errors</h2>',
      '<table class="errors"><thead><tr><th>Span</th><th>Service</th><th>Error</th></tr></thead><tbody>',
      ...failed.map(
        (s) =>
          `<tr data-span-id="${escapeHtml(s.spanId)}"><td>${escapeHtml(s.name)}</td><td>${escapeHtml(s.service)}</td><td class="error-text">${escapeHtml(s.error)}</td></tr>`,
      ),
      '</tbody></table>',
    );
  }

  if (summary.length) {
    body.push('<h2>Time per service and operation</h2>', selfTimeTable(summary, colorOf));
  }

  return htmlDocument(
    `Trace ${trace.traceId}`,
    WATERFALL_CSS + SELF_TIME_CSS,
    body.filter(Boolean).join('\n'),
  );
}
