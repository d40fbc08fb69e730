import { describe, expect, it } from 'vitest';
import { selfTimes, timeSummary } from '../src/index.ts';
import { build, span } from './spans.ts';

describe('selfTimes', () => {
  it('subtracts the union of the children, clipped to the span, and not the grandchildren', () => {
    const trace = build([
      span('r', 0, 100),
      span('a', 10, 50, 'r'),
      span('g', 10, 20, 'a'),
      span('b', 30, 70, 'r'),
      span('c', 60, 65, 'r'),
      span('d', 90, 120, 'r'),
    ]);
    // r: children cover [10, 70] and [90, 100] (d clipped) = 70 of 100.
    expect(Object.fromEntries(selfTimes(trace))).toEqual({ r: 30, a: 30, g: 10, b: 40, c: 5, d: 30 });
  });
});

/**
 * api GET /search [0, 100] → embed [5, 25], embed [30, 40], standalone Search [45, 98] → Proxy-Search [50, 90].
 * Critical path: r 0–5, q1 5–25, r 25–30, q2 30–40, r 40–45, m 45–50, m1 50–90, m 90–98, r 98–100.
 */
const searchSpans = () => [
  span('r', 0, 100, undefined, 'GET /search'),
  span('q1', 5, 25, 'r', 'embed'),
  span('q2', 30, 40, 'r', 'embed'),
  span('m', 45, 98, 'r', 'Search', 'standalone'),
  span('m1', 50, 90, 'm', 'Proxy-Search', 'standalone'),
];

describe('timeSummary', () => {
  it('groups by service and operation, largest self time first, with the time on the critical path', () => {
    expect(timeSummary(build(searchSpans()))).toEqual([
      {
        service: 'standalone',
        spans: 2,
        self: 53,
        critical: 53,
        operations: [
          { service: 'standalone', operation: 'Proxy-Search', count: 1, total: 40, self: 40, critical: 40 },
          { service: 'standalone', operation: 'Search', count: 1, total: 53, self: 13, critical: 13 },
        ],
      },
      {
        service: 'api',
        spans: 3,
        self: 47,
        critical: 47,
        operations: [
          { service: 'api', operation: 'embed', count: 2, total: 30, self: 30, critical: 30 },
          { service: 'api', operation: 'GET /search', count: 1, total: 100, self: 17, critical: 17 },
        ],
      },
    ]);
  });

  it('takes a given critical path, and orders equal self times by name', () => {
    const trace = build([
      span('r', 0, 30, undefined, 'root', 'zeta'),
      span('x', 0, 10, 'r', 'b-op', 'alpha'),
      span('y', 10, 20, 'r', 'a-op', 'alpha'),
    ]);
    const summary = timeSummary(trace, []);
    expect(summary.map((s) => [s.service, s.self, s.critical])).toEqual([
      ['alpha', 20, 0],
      ['zeta', 10, 0],
    ]);
    expect(summary[0]?.operations.map((o) => o.operation)).toEqual(['a-op', 'b-op']);
  });
});
