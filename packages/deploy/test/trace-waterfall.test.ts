import { buildTrace } from '@milvus-otel/jaeger-query';
import { ingestTrace, jaegerTrace, searchTrace, TRACE_ID } from '@milvus-otel/stack/trace-fixtures';
import { describe, expect, it } from 'vitest';
import { formatDuration, renderWaterfall, useColor } from '../src/trace/waterfall.ts';

const ESC = '\u001b[';

describe('renderWaterfall', () => {
  it('prints a header, the axis and one row per span in tree order, indented by depth', () => {
    const out = renderWaterfall(buildTrace(jaegerTrace([...ingestTrace()].reverse())), { width: 100 });
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toBe(`Trace ${TRACE_ID}  14.0ms  5 spans  services: api, worker, standalone`);
    expect(lines[1]).toMatch(/^span +service +duration 0 +7\.00ms +14\.0ms$/);
    expect(lines.slice(2).map((l) => l.slice(0, 40).trimEnd())).toEqual([
      'POST /ingest',
      '  send ingest',
      '    process ingest',
      '      upsert docs',
      '        milvus.proto.milvus.MilvusServi…',
    ]);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
    expect(out).not.toContain(ESC);
  });

  it('places each bar on the time axis in proportion to start and duration', () => {
    const out = renderWaterfall(buildTrace(jaegerTrace(ingestTrace())), { width: 100 });
    const rows = out.trimEnd().split('\n').slice(2);
    const barStart = out.split('\n')[1]?.indexOf(' 0 ') ?? -1;
    const bar = (row: string) => row.slice(barStart + 1);
    const width = bar(out.split('\n')[1] ?? '').length;
    // POST /ingest: 0 → 3ms of 14ms; process ingest: 5ms → 14ms (to the end).
    expect(bar(rows[0] ?? '').indexOf('█')).toBe(0);
    expect(bar(rows[0] ?? '').trimEnd().length).toBe(Math.round((3000 / 14000) * width));
    expect(bar(rows[1] ?? '').trimEnd().length).toBe(Math.round((1500 / 14000) * width));
    expect(bar(rows[2] ?? '').indexOf('█')).toBe(Math.floor((5000 / 14000) * width));
    expect(bar(rows[2] ?? '').trimEnd().length).toBe(width);
    expect(rows[2]).toContain('worker');
    expect(rows[2]).toContain('9.00ms');
  });

  it('scales to the width it is given', () => {
    const trace = buildTrace(jaegerTrace(searchTrace()));
    for (const width of [60, 100, 180]) {
      const lines = renderWaterfall(trace, { width }).trimEnd().split('\n');
      expect(Math.max(...lines.slice(1).map((l) => l.length))).toBe(width);
    }
  });

  it('shows failed spans in red with their message, and flags spans without their parent', () => {
    const specs = searchTrace().map((s) =>
      s.id === 's2'
        ? {
            ...s,
            tags: {
              ...s.tags,
              'otel.status_code': 'ERROR',
              'otel.status_description': 'collection docs not found',
            },
          }
        : s,
    );
    const plain = renderWaterfall(buildTrace(jaegerTrace(specs.filter((s) => s.id !== 's1'))), {
      width: 100,
    });
    expect(plain).toContain('1 error');
    expect(plain).toContain('\n  ✗ collection docs not found\n');
    const orphan = renderWaterfall(buildTrace(jaegerTrace(searchTrace().filter((s) => s.id !== 's2'))));
    expect(orphan).toContain('1 span(s) without their parent');
    expect(orphan).toContain('\n⚠ milvus.proto.milvus');
    expect(orphan).toContain('parent s2 is not in the trace');

    const coloured = renderWaterfall(buildTrace(jaegerTrace(specs)), { width: 100, color: true });
    expect(coloured).toContain(`${ESC}31m    ✗ collection docs not found${ESC}39m`);
    expect(coloured).toContain(`${ESC}36mapi`); // first service: cyan
    expect(coloured).toContain(`${ESC}35mstandalone`); // second: magenta
  });
});

describe('formatDuration and useColor', () => {
  it('formats µs, ms and s', () => {
    expect([850, 1234, 12_345, 1_250_000].map(formatDuration)).toEqual([
      '850µs',
      '1.23ms',
      '12.3ms',
      '1.25s',
    ]);
  });

  it('colours a TTY unless NO_COLOR is set', () => {
    expect(useColor({ isTTY: true }, {})).toBe(true);
    expect(useColor({ isTTY: false }, {})).toBe(false);
    expect(useColor({ isTTY: true }, { NO_COLOR: '1' })).toBe(false);
    expect(useColor({ isTTY: false }, { FORCE_COLOR: '1' })).toBe(true);
  });
});
