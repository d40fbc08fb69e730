import { searchTrace } from '@milvus-otel/stack/trace-fixtures';
import { describe, expect, it } from 'vitest';
import { type CriticalSection, criticalPath, type Trace } from '../src/index.ts';
import { build, span } from './spans.ts';

/** The start of every trace that jaegerTrace builds, µs since the epoch. */
const T0 = 1_700_000_000_000_000;
/** Sections as [spanId, start, end], relative to the trace fixtures' start. */
const relative = (sections: CriticalSection[]) => sections.map((s) => [s.spanId, s.start - T0, s.end - T0]);
const total = (sections: CriticalSection[]) => sections.reduce((n, s) => n + s.end - s.start, 0);

describe('criticalPath', () => {
  it('follows a chain of nested spans down and back up', () => {
    const trace = build([span('r', 0, 100), span('a', 10, 90, 'r'), span('b', 20, 60, 'a')]);
    expect(relative(criticalPath(trace))).toEqual([
      ['r', 0, 10],
      ['a', 10, 20],
      ['b', 20, 60],
      ['a', 60, 90],
      ['r', 90, 100],
    ]);
  });

  it('walks back through sequential children, the parent covering the gaps between them', () => {
    const trace = build([span('r', 0, 100), span('a', 10, 40, 'r'), span('b', 50, 90, 'r')]);
    expect(relative(criticalPath(trace))).toEqual([
      ['r', 0, 10],
      ['a', 10, 40],
      ['r', 40, 50],
      ['b', 50, 90],
      ['r', 90, 100],
    ]);
  });

  it('as in the Jaeger UI, takes a child only when it ends strictly before the point returned to', () => {
    // a ends exactly when b starts: the parent is on the path for a's time.
    const trace = build([span('r', 0, 100), span('a', 10, 50, 'r'), span('b', 50, 90, 'r')]);
    expect(relative(criticalPath(trace))).toEqual([
      ['r', 0, 50],
      ['b', 50, 90],
      ['r', 90, 100],
    ]);
  });

  it('of overlapping parallel children takes the later-finishing one, and an earlier one only before its start', () => {
    const trace = build([
      span('r', 0, 100),
      span('c', 2, 15, 'r'),
      span('a', 10, 70, 'r'),
      span('b', 20, 80, 'r'),
    ]);
    // a overlaps b and ends after b started: not on the path. c ends before b starts.
    expect(relative(criticalPath(trace))).toEqual([
      ['r', 0, 2],
      ['c', 2, 15],
      ['r', 15, 20],
      ['b', 20, 80],
      ['r', 80, 100],
    ]);
  });

  it('clips children overflowing their parent (the grandchildren to the clipped child), drops those outside', () => {
    const trace = build([
      span('r', 0, 100),
      span('b', -10, 20, 'r'),
      span('a', 50, 130, 'r'),
      span('e', 90, 110, 'a'),
      span('c', 120, 150, 'r'),
      span('d', 125, 145, 'c'),
    ]);
    expect(relative(criticalPath(trace))).toEqual([
      ['b', 0, 20],
      ['r', 20, 50],
      ['a', 50, 90],
      ['e', 90, 100],
    ]);
  });

  it('of a trace of one span is that span', () => {
    expect(relative(criticalPath(build([span('r', 0, 40)])))).toEqual([['r', 0, 40]]);
  });

  it('starts at the first root and ignores orphans; none for an empty trace', () => {
    const trace = build([span('r', 0, 10), span('o', 5, 50, 'gone')]);
    expect(trace.orphans.map((s) => s.spanId)).toEqual(['o']);
    expect(relative(criticalPath(trace))).toEqual([['r', 0, 10]]);
    expect(criticalPath(build([]))).toEqual([]);
  });

  it('sums to the root duration: a search through the Express example', () => {
    const path = criticalPath(build(searchTrace()));
    expect(relative(path)).toEqual([
      ['s1', 0, 2000],
      ['s2', 2000, 3000],
      ['s3', 3000, 3500],
      ['s4', 3500, 14_500],
      ['s3', 14_500, 15_000],
      ['s2', 15_000, 17_000],
      ['s1', 17_000, 20_000],
    ]);
    expect(total(path)).toBe(20_000);
  });

  it('handles a chain of 10,000 nested spans', () => {
    // Span i lasts from i to 20,000 - i: one µs before and one after its child, two for the innermost.
    const spans = Array.from({ length: 10_000 }, (_, i) => ({
      traceId: 'aaaa',
      spanId: `s${i}`,
      parentId: i ? `s${i - 1}` : undefined,
      references: [],
      links: [],
      events: [],
      name: 'nested',
      service: 'api',
      kind: undefined,
      startTime: T0 + i,
      duration: 20_000 - 2 * i,
      tags: {},
      error: undefined,
      depth: i,
      orphan: false,
    }));
    const trace: Trace = {
      traceId: 'aaaa',
      spans,
      orphans: [],
      services: ['api'],
      startTime: T0,
      duration: 20_000,
      warnings: [],
    };
    const path = criticalPath(trace);
    expect(path).toHaveLength(19_999);
    expect(total(path)).toBe(20_000);
    expect(relative(path.slice(9998, 10_001))).toEqual([
      ['s9998', 9998, 9999],
      ['s9999', 9999, 10_001],
      ['s9998', 10_001, 10_002],
    ]);
  });
});
