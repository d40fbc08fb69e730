import type { Trace } from '@milvus-otel/jaeger-query';
import { createColors } from 'picocolors';
import { formatDuration } from './duration.js';

/** How long ago `us` (µs since the epoch) was, as `12s ago`, `5m ago`, `2h ago`. */
function ago(us: number, now: number): string {
  const s = Math.max(0, Math.round((now - us / 1000) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}

/** One row per trace, newest first: id, when, root span, services, span count, duration, errors. */
export function renderTraceTable(
  traces: readonly Trace[],
  { color = false, now = Date.now() }: { color?: boolean; now?: number } = {},
): string {
  const c = createColors(color);
  const rows = traces.map((t) => {
    const root = t.spans[0];
    const errors = t.spans.filter((s) => s.error).length;
    return [
      t.traceId,
      ago(t.startTime, now),
      root ? `${root.service}: ${root.name}` : '–',
      t.services.join(', '),
      String(t.spans.length),
      formatDuration(t.duration),
      errors ? String(errors) : '',
    ] as const;
  });
  const header = ['trace id', 'started', 'root span', 'services', 'spans', 'duration', 'errors'] as const;
  const widths = header.map((h, i) =>
    Math.min(i === 2 || i === 3 ? 40 : 64, Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0))),
  );
  const right = new Set([4, 5, 6]);
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => {
        const w = widths[i] ?? 0;
        const text = cell.length > w ? `${cell.slice(0, w - 1)}…` : cell;
        return right.has(i) ? text.padStart(w) : text.padEnd(w);
      })
      .join('  ')
      .trimEnd();
  return `${[c.dim(line(header)), ...rows.map((r) => (r[6] ? c.red(line(r)) : line(r)))].join('\n')}\n`;
}
