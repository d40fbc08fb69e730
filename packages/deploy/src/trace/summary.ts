import type { ServiceTime } from '@milvus-otel/jaeger-query';
import { createColors } from 'picocolors';
import { formatDuration } from './duration.js';

const percent = (part: number, whole: number) => (whole > 0 ? `${Math.round((part / whole) * 100)}%` : '–');

/**
 * Where a trace's time went, per service and per operation: self time (time not covered by child spans), its share,
 * and time on the critical path. Each service opens with one line naming its largest operation, e.g.
 * `standalone: 8.20ms self (64% of the trace), 70% of it in SegCoreSearch`.
 */
export function renderTimeSummary(summary: readonly ServiceTime[], { color = false } = {}): string {
  const c = createColors(color);
  const traceSelf = summary.reduce((sum, s) => sum + s.self, 0);
  const nameW = Math.min(
    48,
    Math.max(
      24,
      ...summary.flatMap((s) => [s.service.length, ...s.operations.map((o) => o.operation.length + 2)]),
    ),
  );
  const row = (name: string, spans: string, self: string, share: string, critical: string) =>
    `${name.length > nameW ? `${name.slice(0, nameW - 1)}…` : name.padEnd(nameW)} ${spans.padStart(5)} ${self.padStart(9)} ${share.padStart(6)} ${critical.padStart(9)}`;
  const lines = [
    c.bold('Where the time went'),
    c.dim(
      'self: time not covered by child spans · share: of the trace (services), of the service (operations)',
    ),
  ];
  for (const s of summary) {
    const top = s.operations[0];
    lines.push(
      `${c.bold(s.service)}: ${formatDuration(s.self)} self (${percent(s.self, traceSelf)} of the trace)${top ? `, ${percent(top.self, s.self)} of it in ${top.operation}` : ''}`,
    );
  }
  lines.push('', c.dim(row('service / operation', 'spans', 'self', 'share', 'critical')));
  for (const s of summary) {
    lines.push(
      c.bold(
        row(
          s.service,
          String(s.spans),
          formatDuration(s.self),
          percent(s.self, traceSelf),
          formatDuration(s.critical),
        ),
      ),
    );
    for (const o of s.operations) {
      lines.push(
        row(
          `  ${o.operation}`,
          String(o.count),
          formatDuration(o.self),
          percent(o.self, s.self),
          formatDuration(o.critical),
        ),
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
