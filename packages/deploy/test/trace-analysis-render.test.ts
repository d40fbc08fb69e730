// The terminal renderings of the analysis commands, from fixture traces (the commands against the examples' real
// traces are tested end to end in tests/e2e).
import { buildTrace, criticalPath, diffTraces, timeSummary } from '@milvus-otel/jaeger-query';
import { jaegerTrace, searchTrace } from '@milvus-otel/stack/trace-fixtures';
import { describe, expect, it } from 'vitest';
import { renderDependencies } from '../src/trace/deps.ts';
import { renderDiff } from '../src/trace/diff.ts';
import { formatDuration, parseDurationMs } from '../src/trace/duration.ts';
import { renderTraceTable } from '../src/trace/search.ts';
import { renderTimeSummary } from '../src/trace/summary.ts';
import { renderWaterfall } from '../src/trace/waterfall.ts';

const trace = () => buildTrace(jaegerTrace(searchTrace()));

describe('durations', () => {
  it.each([
    ['500us', 0.5],
    ['500µs', 0.5],
    ['10ms', 10],
    ['1.5s', 1500],
    ['15m', 900_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['1d', 86_400_000],
  ])('parses %s as %d ms', (text, ms) => {
    expect(parseDurationMs(text)).toBe(ms);
  });

  it.each(['15', '', 'abc', '-5m', '5 minutes', '1e3ms', 'm'])('refuses %j: a unit is required', (text) => {
    expect(parseDurationMs(text)).toBeUndefined();
  });

  it.each([
    [850, '850µs'],
    [12_300, '12.3ms'],
    [1_250_000, '1.25s'],
    [900_000_000, '15m'],
    [3_600_000_000, '1h'],
    [5_400_000_000, '1.5h'],
    [-2000, '-2.00ms'],
  ])('formats %d µs as %s', (us, text) => {
    expect(formatDuration(us)).toBe(text);
  });
});

describe('renderWaterfall with the critical path', () => {
  it('draws the critical sections solid and the rest of each bar light', () => {
    const t = trace();
    const out = renderWaterfall(t, { width: 100, criticalPath: criticalPath(t) }).split('\n');
    expect(out[1]).toBe('█ on the critical path  ░ off it');
    const axis = out[2] ?? '';
    const bar = (row: string) => row.slice(axis.indexOf(' 0 ') + 1).trimEnd();
    // GET /search (0–20ms) waits on search docs (2–17ms): solid only before 2ms and after 17ms.
    const root = bar(out[3] ?? '');
    expect(root).toMatch(/^█+░+█+$/);
    // Proxy-Search is the leaf that finishes last: solid all along.
    expect(bar(out[6] ?? '').trim()).toMatch(/^█+$/);
  });
});

describe('renderTimeSummary', () => {
  it('opens each service with one line naming where its time went, then a row per operation', () => {
    const t = trace();
    const out = renderTimeSummary(timeSummary(t, criticalPath(t)));
    // api: GET /search 5ms self + search docs 3ms self = 8ms of 20ms; standalone 1ms + 11ms = 12ms.
    expect(out).toContain('standalone: 12.0ms self (60% of the trace), 92% of it in Proxy-Search\n');
    expect(out).toContain('api: 8.00ms self (40% of the trace), 63% of it in GET /search\n');
    expect(out).toMatch(/^ {2}Proxy-Search +1 +11\.0ms +92% +11\.0ms$/m);
  });
});

describe('renderDiff', () => {
  it('lists spans only in A, only in B, slower and faster, largest change first, and a line per service', () => {
    const a = buildTrace(jaegerTrace(searchTrace()));
    const specs = searchTrace().map((s) => (s.id === 's4' ? { ...s, duration: 5500 } : s));
    specs.push({
      id: 's5',
      name: 'SegCoreSearch',
      service: 'segcore',
      parent: 's4',
      start: 4000,
      duration: 1000,
    });
    const b = buildTrace(jaegerTrace(specs, 'bbbb0000000000000000000000000002'));
    const lines = renderDiff(diffTraces(a, b)).split('\n');
    expect(lines[1]).toBe('A aaaa0000000000000000000000000001  20.0ms  4 spans');
    expect(lines[2]).toBe('B bbbb0000000000000000000000000002  20.0ms  5 spans');
    const spans = lines.slice(lines.findIndex((l) => l.startsWith('Spans by impact')) + 2).filter(Boolean);
    expect(spans[0]).toMatch(/^ {2}faster +11\.0ms +5\.50ms +-5\.50ms +×0\.50 {2}standalone: Proxy-Search$/);
    expect(spans[1]).toMatch(/^ {2}only in B +– +1\.00ms +\+1\.00ms +– {2}segcore: SegCoreSearch$/);
    expect(
      lines.find((l) => l.includes('segcore') && l.includes('only in B') && l.startsWith('  segcore')),
    ).toBeDefined();
  });
});

describe('renderDependencies', () => {
  const links = [
    { parent: 'api', child: 'api', callCount: 7 },
    { parent: 'api', child: 'standalone', callCount: 42 },
    { parent: 'api', child: 'worker "b"', callCount: 3 },
  ];

  it('prints one edge per line with its count, and the calls inside one service apart', () => {
    expect(renderDependencies(links)).toBe(
      'api → standalone (42)\napi → worker "b" (3)\ninside one service: api (7)\n',
    );
  });

  it('writes Graphviz dot and Mermaid, names quoted', () => {
    expect(renderDependencies(links, { format: 'dot' })).toBe(
      'digraph services {\n  rankdir=LR;\n  node [shape=box];\n  "api" -> "standalone" [label="42"];\n  "api" -> "worker \\"b\\"" [label="3"];\n}\n',
    );
    expect(renderDependencies(links, { format: 'mermaid' })).toBe(
      'flowchart LR\n  s0["api"] -->|42| s1["standalone"]\n  s0["api"] -->|3| s2["worker #quot;b#quot;"]\n',
    );
  });
});

describe('renderTraceTable', () => {
  it('prints a header and one row per trace: id, age, root span, services, spans, duration, errors', () => {
    const t = trace();
    const now = t.startTime / 1000 + 90_000;
    const lines = renderTraceTable([t], { now }).trimEnd().split('\n');
    expect(lines[0]).toMatch(/^trace id +started +root span +services +spans +duration +errors$/);
    expect(lines[1]).toMatch(
      /^aaaa0000000000000000000000000001 +90s ago +api: GET \/search +api, standalone +4 +20\.0ms$/,
    );
  });
});
