import { describe, expect, it } from 'vitest';
import { type DiffRow, diffTraces } from '../src/index.ts';
import { build, span } from './spans.ts';

const brief = (r: DiffRow) => [r.path, r.depth, r.a?.spanId, r.b?.spanId, r.delta, r.ratio];

const ROOT = 'api:GET /search#0';
const SEARCH = `${ROOT}/standalone:Search#0`;

/** Two embeds and a search; then a query that B does not make. */
const specsA = () => [
  span('ra', 0, 100, undefined, 'GET /search'),
  span('a1', 10, 20, 'ra', 'embed'),
  span('a2', 20, 30, 'ra', 'embed'),
  span('a3', 40, 90, 'ra', 'Search', 'standalone'),
  span('a4', 92, 98, 'ra', 'Query', 'standalone'),
];
/** The first embed faster, the second slower, a third one; the search slower, with a span A did not have. */
const specsB = () => [
  span('rb', 0, 150, undefined, 'GET /search'),
  span('b1', 10, 15, 'rb', 'embed'),
  span('b2', 15, 40, 'rb', 'embed'),
  span('b5', 40, 50, 'rb', 'embed'),
  span('b3', 50, 140, 'rb', 'Search', 'standalone'),
  span('b6', 60, 130, 'b3', 'Proxy-Search', 'standalone'),
];

describe('diffTraces', () => {
  const diff = diffTraces(build(specsA()), build(specsB()));

  it('aligns spans by path, same-name siblings by position, in the merged tree order', () => {
    expect(diff.rows.map(brief)).toEqual([
      [ROOT, 0, 'ra', 'rb', 50, 1.5],
      [`${ROOT}/api:embed#0`, 1, 'a1', 'b1', -5, 0.5],
      [`${ROOT}/api:embed#1`, 1, 'a2', 'b2', 15, 2.5],
      [`${ROOT}/api:embed#2`, 1, undefined, 'b5', 10, undefined],
      [SEARCH, 1, 'a3', 'b3', 40, 1.8],
      [`${SEARCH}/standalone:Proxy-Search#0`, 2, undefined, 'b6', 70, undefined],
      [`${ROOT}/standalone:Query#0`, 1, 'a4', undefined, -6, undefined],
    ]);
    expect(diff.rows[4]).toMatchObject({ service: 'standalone', name: 'Search' });
  });

  it('sorts by impact: |delta| largest first', () => {
    expect(diff.byImpact.map((r) => [r.path, r.delta])).toEqual([
      [`${SEARCH}/standalone:Proxy-Search#0`, 70],
      [ROOT, 50],
      [SEARCH, 40],
      [`${ROOT}/api:embed#1`, 15],
      [`${ROOT}/api:embed#2`, 10],
      [`${ROOT}/standalone:Query#0`, -6],
      [`${ROOT}/api:embed#0`, -5],
    ]);
  });

  it('sums self times and counts spans per service', () => {
    // A: ra 100 - 76 = 24, embeds 10 + 10; Search 50, Query 6. B: rb 150 - 130 = 20, embeds 5 + 25 + 10;
    // Search 90 - 70 = 20, Proxy-Search 70.
    expect(diff.services).toEqual([
      { service: 'standalone', a: 56, b: 90, delta: 34, ratio: 90 / 56, onlyA: 1, onlyB: 1, matched: 1 },
      { service: 'api', a: 44, b: 60, delta: 16, ratio: 60 / 44, onlyA: 0, onlyB: 1, matched: 3 },
    ]);
  });

  it('aligns the roots, orphans among them, and places spans only in B after the one they follow there', () => {
    const a = build([span('x', 0, 10, undefined, 'x'), span('o', 5, 8, 'gone', 'o', 'worker')]);
    const b = build([
      span('n', 0, 2, undefined, 'new'),
      span('x', 1, 13, undefined, 'x'),
      span('o', 3, 9, 'gone', 'o', 'worker'),
    ]);
    expect(diffTraces(a, b).rows.map(brief)).toEqual([
      ['api:new#0', 0, undefined, 'n', 2, undefined],
      ['api:x#0', 0, 'x', 'x', 2, 1.2],
      ['worker:o#0', 0, 'o', 'o', 3, 2],
    ]);
  });

  it('of a trace with itself has no delta', () => {
    const trace = build(specsA());
    expect(diffTraces(trace, trace).rows.every((r) => r.delta === 0 && r.ratio === 1)).toBe(true);
  });

  it('pairs same-named siblings that run in parallel by duration, longest with longest', () => {
    // Two segment searches at once: A searched the big segment first, B the small one (no order of their own).
    const a = build([
      span('r', 0, 100, undefined, 'Execute', 'standalone'),
      span('big', 10, 90, 'r', 'SegCoreSearch', 'segcore'),
      span('small', 12, 30, 'r', 'SegCoreSearch', 'segcore'),
    ]);
    const b = build([
      span('r', 0, 120, undefined, 'Execute', 'standalone'),
      span('small', 10, 25, 'r', 'SegCoreSearch', 'segcore'),
      span('big', 11, 111, 'r', 'SegCoreSearch', 'segcore'),
    ]);
    const rows = diffTraces(a, b)
      .rows.slice(1)
      .map((r) => [r.path.split('/')[1], r.a?.spanId, r.b?.spanId, r.delta]);
    expect(rows).toEqual([
      ['segcore:SegCoreSearch#0', 'big', 'big', 20],
      ['segcore:SegCoreSearch#1', 'small', 'small', -3],
    ]);
  });

  it('keeps start order for same-named siblings that run one after another', () => {
    const a = build([
      span('r', 0, 100, undefined, 'GET', 'api'),
      span('first', 0, 10, 'r', 'retry', 'api'),
      span('second', 20, 80, 'r', 'retry', 'api'),
    ]);
    const b = build([
      span('r', 0, 100, undefined, 'GET', 'api'),
      span('first', 0, 50, 'r', 'retry', 'api'),
      span('second', 60, 70, 'r', 'retry', 'api'),
    ]);
    const rows = diffTraces(a, b)
      .rows.slice(1)
      .map((r) => [r.a?.spanId, r.b?.spanId, r.delta]);
    expect(rows).toEqual([
      ['first', 'first', 40],
      ['second', 'second', -50],
    ]);
  });
});
