import type { CriticalSection, Trace, TraceSpan } from '@milvus-otel/jaeger-query';
import { createColors } from 'picocolors';
import { formatDuration } from './duration.js';

export { formatDuration };

export interface WaterfallOptions {
  /** Total width in columns. @default 100 */
  readonly width?: number;
  /** ANSI colours. @default false */
  readonly color?: boolean;
  /** Draws these sections of the bars solid and the rest of each bar light: the trace's critical path. */
  readonly criticalPath?: readonly CriticalSection[];
}

const truncate = (text: string, width: number) =>
  text.length <= width ? text.padEnd(width) : `${text.slice(0, Math.max(0, width - 1))}…`;

/** Whether the output should be coloured: a TTY and no NO_COLOR (FORCE_COLOR forces it). */
export function useColor(
  stream: { isTTY?: boolean } = process.stdout,
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

/**
 * The trace as a terminal waterfall: a header (id, duration, span count, services), a time axis, then one row per
 * span in tree order — indented name, service, duration, and a bar placed on the axis. Failed spans are red, with
 * their error message on the next line; spans whose parent is missing are flagged.
 */
export function renderWaterfall(
  trace: Trace,
  { width = 100, color = false, criticalPath }: WaterfallOptions = {},
): string {
  const c = createColors(color);
  const palette = [c.cyan, c.magenta, c.yellow, c.green, c.blue, c.white];
  const serviceColor = new Map(trace.services.map((s, i) => [s, palette[i % palette.length] ?? c.white]));
  const paint = (span: TraceSpan, text: string) =>
    span.error ? c.red(text) : (serviceColor.get(span.service) ?? c.white)(text);

  const lines: string[] = [];
  lines.push(
    `${c.bold(`Trace ${trace.traceId}`)}  ${formatDuration(trace.duration)}  ${trace.spans.length} span${trace.spans.length === 1 ? '' : 's'}  services: ${trace.services.map((s) => (serviceColor.get(s) ?? c.white)(s)).join(', ')}`,
  );
  const errors = trace.spans.filter((s) => s.error).length;
  if (errors || trace.orphans.length) {
    const parts = [
      errors ? c.red(`${errors} error${errors === 1 ? '' : 's'}`) : '',
      trace.orphans.length ? c.yellow(`${trace.orphans.length} span(s) without their parent`) : '',
    ].filter(Boolean);
    lines.push(parts.join('  '));
  }
  if (criticalPath) lines.push(c.dim('█ on the critical path  ░ off it'));
  if (!trace.spans.length) return `${lines.join('\n')}\n`;

  const serviceW = Math.min(20, Math.max(7, ...trace.services.map((s) => s.length)));
  const durW = 8;
  const labels = trace.spans.map((s) => `${'  '.repeat(s.depth)}${s.orphan ? '⚠ ' : ''}${s.name}`);
  const nameW = Math.min(Math.max(16, Math.floor(width * 0.4)), Math.max(...labels.map((l) => l.length)));
  const barW = Math.max(10, width - nameW - serviceW - durW - 3);
  const total = Math.max(1, trace.duration);

  const axisEnd = formatDuration(trace.duration);
  const axisMid = formatDuration(trace.duration / 2);
  const axis = [...`0${' '.repeat(barW)}`.slice(0, barW)];
  const put = (at: number, text: string) => {
    for (let i = 0; i < text.length && at + i < barW; i++) axis[at + i] = text[i] ?? ' ';
  };
  put(Math.max(0, Math.floor(barW / 2) - Math.floor(axisMid.length / 2)), axisMid);
  put(Math.max(0, barW - axisEnd.length), axisEnd);
  lines.push(
    c.dim(
      `${'span'.padEnd(nameW)} ${'service'.padEnd(serviceW)} ${'duration'.padStart(durW)} ${axis.join('')}`,
    ),
  );

  const sections = new Map<string, CriticalSection[]>();
  for (const section of criticalPath ?? []) {
    sections.set(section.spanId, [...(sections.get(section.spanId) ?? []), section]);
  }
  // A cell is solid when its time slot overlaps one of the span's critical sections.
  const barCells = (span: TraceSpan, offset: number, length: number) => {
    if (!criticalPath) return '█'.repeat(length);
    const own = sections.get(span.spanId) ?? [];
    let cells = '';
    for (let i = offset; i < offset + length; i++) {
      const from = trace.startTime + (i / barW) * total;
      const to = trace.startTime + ((i + 1) / barW) * total;
      cells += own.some((s) => s.start < to && s.end > from) ? '█' : '░';
    }
    return cells;
  };

  trace.spans.forEach((span, i) => {
    const from = span.startTime - trace.startTime;
    const offset = Math.min(barW - 1, Math.floor((from / total) * barW));
    const end = Math.min(barW, Math.round(((from + span.duration) / total) * barW));
    const length = Math.max(1, end - offset);
    const bar = `${' '.repeat(offset)}${barCells(span, offset, length)}`.padEnd(barW);
    const service = (serviceColor.get(span.service) ?? c.white)(truncate(span.service, serviceW));
    const name = truncate(labels[i] ?? span.name, nameW);
    lines.push(
      `${span.error ? c.red(c.bold(name)) : span.orphan ? c.yellow(name) : name} ${service} ${formatDuration(span.duration).padStart(durW)} ${paint(span, bar)}`.trimEnd(),
    );
    const indent = `${'  '.repeat(span.depth + 1)}`;
    if (span.error) lines.push(c.red(`${indent}✗ ${span.error}`));
    if (span.orphan) lines.push(c.yellow(`${indent}parent ${span.parentId} is not in the trace`));
  });
  return `${lines.join('\n')}\n`;
}
