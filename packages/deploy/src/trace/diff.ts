import type { TraceDiff } from '@milvus-otel/jaeger-query';
import { createColors } from 'picocolors';
import { type DiffChange, diffChange } from '../html/diff-change.js';
import { formatDuration } from './duration.js';

/** How each change reads in the terminal. */
const LABEL: Record<DiffChange, string> = {
  removed: 'only in A',
  added: 'only in B',
  slower: 'slower',
  faster: 'faster',
  unchanged: 'same',
};

const signed = (us: number) => (us === 0 ? '0µs' : `${us > 0 ? '+' : '-'}${formatDuration(Math.abs(us))}`);
const ratioText = (ratio: number | undefined) => (ratio === undefined ? '–' : `×${ratio.toFixed(2)}`);

/**
 * Two traces side by side: one line per service (self time in A and B, spans only in one of them), then the spans
 * that changed most — only in A, only in B, slower or faster — largest first.
 */
export function renderDiff(diff: TraceDiff, { color = false, limit = 25 } = {}): string {
  const c = createColors(color);
  const paint: Record<DiffChange, (s: string) => string> = {
    removed: c.red,
    added: c.green,
    slower: c.red,
    faster: c.green,
    unchanged: c.dim,
  };
  const head = (label: string, t: TraceDiff['a']) =>
    `${label} ${t.traceId}  ${formatDuration(t.duration)}  ${t.spans.length} spans`;
  const lines = [
    c.bold('Trace diff'),
    head('A', diff.a),
    head('B', diff.b),
    `B − A: ${signed(diff.b.duration - diff.a.duration)} end to end (${ratioText(diff.a.duration > 0 ? diff.b.duration / diff.a.duration : undefined)})`,
    '',
    c.bold('By service (self time)'),
  ];
  const serviceW = Math.max(7, ...diff.services.map((s) => s.service.length));
  for (const s of diff.services) {
    const extra = [
      s.onlyA ? `${s.onlyA} only in A` : '',
      s.onlyB ? `${s.onlyB} only in B` : '',
      `${s.matched} matched`,
    ].filter(Boolean);
    lines.push(
      `  ${s.service.padEnd(serviceW)}  A ${formatDuration(s.a).padStart(8)}  B ${formatDuration(s.b).padStart(8)}  ${signed(s.delta).padStart(9)}  ${ratioText(s.ratio).padStart(6)}  ${c.dim(extra.join(', '))}`,
    );
  }
  const changed = diff.byImpact.filter((r) => diffChange(r) !== 'unchanged');
  lines.push('', c.bold(`Spans by impact (${changed.length} changed of ${diff.rows.length})`));
  lines.push(
    c.dim(
      `  ${'change'.padEnd(9)} ${'A'.padStart(8)} ${'B'.padStart(8)} ${'B − A'.padStart(9)} ${'ratio'.padStart(6)}  span`,
    ),
  );
  for (const row of changed.slice(0, limit)) {
    const change = diffChange(row);
    lines.push(
      paint[change](
        `  ${LABEL[change].padEnd(9)} ${(row.a ? formatDuration(row.a.duration) : '–').padStart(8)} ${(row.b ? formatDuration(row.b.duration) : '–').padStart(8)} ${signed(row.delta).padStart(9)} ${ratioText(row.ratio).padStart(6)}  ${row.service}: ${row.name}`,
      ),
    );
  }
  if (changed.length > limit)
    lines.push(c.dim(`  … ${changed.length - limit} more (--limit, or --json for all)`));
  if (!changed.length) lines.push(c.dim('  none: every span took about as long as its match'));
  return `${lines.join('\n')}\n`;
}
