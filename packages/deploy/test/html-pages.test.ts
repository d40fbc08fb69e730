import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  buildTrace,
  criticalPath,
  type DependencyLink,
  diffTraces,
  type Trace,
  timeSummary,
} from '@milvus-otel/jaeger-query';
import { type BrowserSession, chromiumPath, type OpenedPage, startBrowser } from '@milvus-otel/stack/browser';
import { jaegerTrace, type SpanSpec, searchTrace } from '@milvus-otel/stack/trace-fixtures';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layoutGraph } from '../src/html/deps-layout.js';
import { diffChange } from '../src/html/diff-change.js';
import { escapeHtml } from '../src/html/escape.js';
import { depsHtml, diffHtml, traceHtml } from '../src/html/index.js';

const HOSTILE = `<script>alert(1)</script>"quoted" 'single' & <img src=x onerror=alert(2)>`;

/** An Express search with embedding, a cache miss that failed, Milvus fanning out to two query nodes, and a lost parent. */
const searchWithEverything = (): SpanSpec[] => [
  { id: 'r1', name: 'GET /search', service: 'express-service', kind: 'server', start: 0, duration: 42_000 },
  {
    id: 'r2',
    name: 'redis GET',
    service: 'express-service',
    kind: 'client',
    parent: 'r1',
    start: 500,
    duration: 1_200,
    tags: { 'otel.status_code': 'ERROR', 'otel.status_description': 'connection reset' },
  },
  {
    id: 'r3',
    name: 'embed query',
    service: 'express-service',
    kind: 'client',
    parent: 'r1',
    start: 2_000,
    duration: 9_000,
  },
  {
    id: 'r4',
    name: 'POST /embed',
    service: 'embedder',
    kind: 'server',
    parent: 'r3',
    start: 2_400,
    duration: 8_200,
    tags: { 'http.route': '/embed', model: 'all-MiniLM-L6-v2' },
  },
  {
    id: 'r5',
    name: 'search docs',
    service: 'express-service',
    kind: 'client',
    parent: 'r1',
    start: 11_500,
    duration: 28_000,
    tags: { 'db.system.name': 'milvus' },
  },
  {
    id: 'r6',
    name: 'milvus.proto.milvus.MilvusService/Search',
    service: 'standalone',
    kind: 'server',
    parent: 'r5',
    start: 12_000,
    duration: 27_000,
  },
  {
    id: 'r7',
    name: 'Proxy-Search',
    service: 'standalone',
    kind: 'internal',
    parent: 'r6',
    start: 12_300,
    duration: 26_000,
  },
  {
    id: 'r8',
    name: 'QueryNode-Search',
    service: 'standalone',
    kind: 'internal',
    parent: 'r7',
    start: 13_000,
    duration: 14_000,
  },
  {
    id: 'r9',
    name: 'QueryNode-Search',
    service: 'standalone',
    kind: 'internal',
    parent: 'r7',
    start: 13_200,
    duration: 22_000,
  },
  {
    id: 'r10',
    name: 'reduce results',
    service: 'standalone',
    kind: 'internal',
    parent: 'r7',
    start: 35_500,
    duration: 2_000,
  },
  {
    id: 'r11',
    name: 'flush metrics',
    service: 'metrics-agent',
    kind: 'internal',
    parent: 'missing-parent',
    start: 40_000,
    duration: 1_000,
  },
];

const hostileTrace = (): SpanSpec[] => [
  {
    id: 'h1',
    name: HOSTILE,
    service: HOSTILE,
    kind: 'server',
    start: 0,
    duration: 5_000,
    tags: { note: HOSTILE },
  },
  {
    id: 'h2',
    name: `child ${HOSTILE}`,
    service: 'api',
    parent: 'h1',
    start: 1_000,
    duration: 2_000,
    tags: { 'otel.status_code': 'ERROR', 'otel.status_description': HOSTILE },
  },
];

/** B against A: `embed query` twice as slow, `search docs` three times faster, the redis call gone, a rerank new. */
function changedSearch(): SpanSpec[] {
  const changed: SpanSpec[] = [];
  for (const s of searchWithEverything()) {
    if (s.id === 'r2' || s.id === 'r11') continue;
    if (s.id === 'r3') changed.push({ ...s, duration: 18_000 });
    else if (s.id === 'r4') changed.push({ ...s, duration: 17_000 });
    else if (['r5', 'r6', 'r7'].includes(s.id))
      changed.push({ ...s, start: s.start + 9_000, duration: Math.round(s.duration / 3) });
    else if (['r8', 'r9'].includes(s.id))
      changed.push({ ...s, start: s.start + 9_000, duration: Math.round(s.duration / 4) });
    else if (s.id === 'r10') changed.push({ ...s, start: 27_000, duration: 500 });
    else changed.push(s);
  }
  changed.push({
    id: 'r12',
    name: 'rerank',
    service: 'reranker',
    kind: 'server',
    parent: 'r1',
    start: 30_000,
    duration: 6_000,
  });
  return changed;
}

const LINKS: DependencyLink[] = [
  { parent: 'express-service', child: 'embedder', callCount: 120 },
  { parent: 'express-service', child: 'redis', callCount: 118 },
  { parent: 'express-service', child: 'standalone', callCount: 117 },
  { parent: 'standalone', child: 'standalone', callCount: 40 },
  { parent: 'standalone', child: 'worker', callCount: 3 },
  { parent: 'worker', child: 'express-service', callCount: 2 },
  { parent: 'worker', child: 'standalone', callCount: 56 },
];
/** What Jaeger's /api/dependencies returned for the demo apps against Milvus standalone. */
const REAL_LINKS: DependencyLink[] = [
  { parent: 'express-service', child: 'express-service', callCount: 103 },
  { parent: 'express-service', child: 'standalone', callCount: 125 },
  { parent: 'express-service', child: 'worker', callCount: 14 },
  { parent: 'serverless', child: 'serverless', callCount: 18 },
  { parent: 'serverless', child: 'standalone', callCount: 22 },
  { parent: 'standalone', child: 'segcore', callCount: 92 },
  { parent: 'standalone', child: 'standalone', callCount: 19369 },
  { parent: 'unknown_service:node', child: 'standalone', callCount: 46 },
  { parent: 'worker', child: 'standalone', callCount: 62 },
  { parent: 'worker', child: 'worker', callCount: 29 },
];
/** The SVG DOM the pages' checks call in the browser, which this package's Node-only type library does not declare. */
interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface SvgShape {
  getBBox(): Box;
}
interface SvgPath extends SvgShape {
  getTotalLength(): number;
  getPointAtLength(at: number): { x: number; y: number };
}
/** Whether the links lead from `from` to `to`: then a call from `to` back to `from` closes a cycle. */
const reaches = (links: readonly DependencyLink[], from: string, to: string) => {
  const seen = new Set([from]);
  const queue = [from];
  for (let at = queue.shift(); at !== undefined; at = queue.shift()) {
    if (at === to) return true;
    for (const l of links)
      if (l.parent === at && !seen.has(l.child)) {
        seen.add(l.child);
        queue.push(l.child);
      }
  }
  return false;
};
const DEPS_META = {
  jaegerUrl: 'http://127.0.0.1:16686',
  from: new Date('2026-01-01T10:00:00Z'),
  to: new Date('2026-01-01T11:00:00Z'),
};

const analysed = (specs: SpanSpec[], traceId?: string) => {
  const trace = buildTrace(jaegerTrace(specs, traceId));
  const path = criticalPath(trace);
  return { trace, path, summary: timeSummary(trace, path) };
};

let browser: BrowserSession;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'milvus-otel-html-'));
  browser = await startBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Writes the page to a file, opens it, and checks it is quiet and loads nothing but itself. */
async function open(name: string, html: string): Promise<OpenedPage> {
  const file = join(dir, name);
  writeFileSync(file, html);
  const opened = await browser.openPage(file);
  if (process.env.HTML_SCREENSHOTS)
    await opened.screenshot(join(process.env.HTML_SCREENSHOTS, `${name}.png`));
  expect(opened.consoleErrors).toEqual([]);
  expect(opened.pageErrors).toEqual([]);
  expect(opened.dialogs).toEqual([]);
  expect(opened.requests).toEqual([opened.url]);
  return opened;
}

/** Nothing in the page refers to anything outside it: no script, stylesheet, image, font or URL at all. */
function expectSelfContained(html: string) {
  expect(html).not.toMatch(/<script|<link|<iframe|<object|<embed|<img|@import|@font-face|url\((?!#)/i);
  expect(html).not.toMatch(/\b(?:src|href|xlink:href)=/i);
  expect(html).not.toMatch(/[a-z][a-z0-9+.-]*:\/\//i);
}

describe('chromiumPath', () => {
  it('takes CHROMIUM_PATH, and says what to install when it is wrong', () => {
    expect(chromiumPath({ CHROMIUM_PATH: process.execPath })).toBe(process.execPath);
    expect(() => chromiumPath({ CHROMIUM_PATH: '/nonexistent/chromium' })).toThrow(
      /apt-get install -y chromium/,
    );
  });
});

describe('traceHtml', () => {
  it('draws every span in tree order, with errors, orphans, axis ticks and the service legend', async () => {
    const { trace, path, summary } = analysed(searchWithEverything());
    const html = traceHtml(trace, path, summary);
    expectSelfContained(html);
    const { page, svgTextContents, text } = await open('trace.html', html);

    expect(text).toContain(trace.traceId);
    expect(text).toContain('42.0ms');
    const rows = page.locator('svg.waterfall g.span-row');
    expect(await rows.count()).toBe(trace.spans.length);
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-span-id')))).toEqual(
      trace.spans.map((s) => s.spanId),
    );
    for (const span of trace.spans) {
      expect(svgTextContents.some((t) => t.includes(span.name) && t.includes(span.service))).toBe(true);
    }
    expect(await page.locator('svg.waterfall text.tick').count()).toBeGreaterThan(4);
    for (const service of trace.services) expect(text).toContain(service);

    const failed = page.locator('g.span-row.error');
    expect(await failed.getAttribute('data-span-id')).toBe('r2');
    expect(await failed.locator('rect.bar').getAttribute('fill')).toBe('#d62728');
    expect(await page.locator('table.errors').textContent()).toContain('connection reset');
    const orphan = page.locator('g.span-row.orphan');
    expect(await orphan.getAttribute('data-span-id')).toBe('r11');
    expect(await orphan.locator('text.span-name').textContent()).toMatch(/^⚠ /);
    expect(await orphan.locator('title').textContent()).toContain(
      'parent missing-parent is not in the trace',
    );
    // Indented by depth.
    const nameX = (id: string) =>
      page.locator(`g.span-row[data-span-id="${id}"] text.span-name`).getAttribute('x');
    expect(Number(await nameX('r8'))).toBeGreaterThan(Number(await nameX('r7')));
    expect(Number(await nameX('r7'))).toBeGreaterThan(Number(await nameX('r1')));
  });

  it('marks each critical section on its own span bar, with a legend entry', async () => {
    const { trace, path, summary } = analysed(searchWithEverything());
    expect(path.length).toBeGreaterThan(3);
    const { page, text } = await open('trace-critical.html', traceHtml(trace, path, summary));
    expect(text).toContain('critical path');
    const marks = page.locator('rect.critical');
    expect(await marks.count()).toBe(path.length);
    for (const section of path) {
      const mark = page.locator(
        `rect.critical[data-span-id="${section.spanId}"][data-start="${section.start}"]`,
      );
      expect(await mark.count()).toBe(1);
      const box = await mark.boundingBox();
      const bar = await page.locator(`g.span-row[data-span-id="${section.spanId}"] rect.bar`).boundingBox();
      if (!box || !bar) throw new Error(`no box for ${section.spanId}`);
      expect(box.x).toBeGreaterThanOrEqual(bar.x - 0.5);
      expect(box.x + box.width).toBeLessThanOrEqual(bar.x + bar.width + 1);
      expect(box.y).toBeGreaterThan(bar.y);
      expect(box.y + box.height).toBeLessThan(bar.y + bar.height);
    }
  });

  it('tabulates self time and critical path time per service and per operation', async () => {
    const { trace, path, summary } = analysed(searchWithEverything());
    const { page } = await open('trace-table.html', traceHtml(trace, path, summary));
    const services = page.locator('table.self-time tr.service');
    expect(await services.evaluateAll((els) => els.map((e) => e.getAttribute('data-service')))).toEqual(
      summary.map((s) => s.service),
    );
    const operations = summary.flatMap((s) => s.operations);
    expect(await page.locator('table.self-time tr.operation').count()).toBe(operations.length);
    const standalone = summary.find((s) => s.service === 'standalone');
    const row = page.locator('table.self-time tr.service[data-service="standalone"] td');
    expect(await row.nth(1).textContent()).toBe(String(standalone?.spans));
    const query = page.locator('tr.operation[data-operation="QueryNode-Search"] td');
    expect(await query.nth(1).textContent()).toBe('2');
  });

  it('renders a trace without spans, and one with a single span', async () => {
    const empty: Trace = {
      traceId: 'ffff',
      spans: [],
      orphans: [],
      services: [],
      startTime: 0,
      duration: 0,
      warnings: [],
    };
    const { text } = await open('trace-empty.html', traceHtml(empty, [], []));
    expect(text).toContain('no spans');
    const one = analysed(searchTrace().slice(0, 1));
    const { page } = await open('trace-one.html', traceHtml(one.trace, one.path, one.summary));
    expect(await page.locator('rect.critical').count()).toBe(1);
  });
});

describe('diffHtml', () => {
  const a = buildTrace(jaegerTrace(searchWithEverything(), 'aaaa0000000000000000000000000001'));
  const b = buildTrace(jaegerTrace(changedSearch(), 'bbbb0000000000000000000000000002'));
  const diff = diffTraces(a, b);
  const expected: Record<string, string> = {
    'redis GET': 'removed',
    'flush metrics': 'removed',
    rerank: 'added',
    'embed query': 'slower',
    'POST /embed': 'slower',
    'search docs': 'faster',
    'QueryNode-Search': 'faster',
    'GET /search': 'unchanged',
  };

  it('classifies rows by what happened from A to B', () => {
    for (const row of diff.rows) {
      if (expected[row.name]) expect([row.name, diffChange(row)]).toEqual([row.name, expected[row.name]]);
    }
  });

  it('colours the merged tree like Jaeger’s comparison: removed red, added green, slower red, faster green', async () => {
    const html = diffHtml(diff);
    expectSelfContained(html);
    const { page, text } = await open('diff.html', html);
    expect(text).toContain(a.traceId);
    expect(text).toContain(b.traceId);
    const rows = page.locator('table.diff tr.diff-row');
    expect(await rows.count()).toBe(diff.rows.length);
    const drawn = await rows.evaluateAll((els) =>
      els.map((e) => ({
        change: e.getAttribute('data-change'),
        className: e.className,
        name: e.querySelector('.name')?.textContent,
        background: e.ownerDocument.defaultView?.getComputedStyle(e).backgroundColor ?? '',
      })),
    );
    const rgba = (css: string) => (css.match(/[\d.]+/g) ?? []).map(Number);
    drawn.forEach((row, i) => {
      const data = diff.rows[i];
      expect(row.name).toBe(data?.name);
      const change = expected[row.name ?? ''];
      if (!change) return;
      expect(row.change).toBe(change);
      expect(row.className).toContain(change);
      const [r = 0, g = 0, bl = 0] = rgba(row.background);
      if (change === 'removed' || change === 'slower') expect(r).toBeGreaterThan(g + 100);
      if (change === 'added' || change === 'faster') expect(g).toBeGreaterThan(r + 80);
      if (change === 'unchanged') expect([r, g]).toEqual([g, bl]);
    });
    // The shade deepens with the ratio: 4× faster darker than 3× faster.
    const alpha = (name: string) => rgba(drawn.find((r) => r.name === name)?.background ?? '')[3] ?? 1;
    expect(alpha('QueryNode-Search')).toBeGreaterThan(alpha('search docs'));
    expect(await page.locator('ul.legend li').allInnerTexts()).toEqual(
      expect.arrayContaining(['only in A', 'only in B', 'unchanged (within 5%)']),
    );
    const embed = page.locator('tr.diff-row', { hasText: 'embed query' }).locator('td');
    expect((await embed.allInnerTexts()).slice(2, 6)).toEqual(['9.00ms', '18.0ms', '+9.00ms', '×2.00']);
    const services = page.locator('table.services-diff tbody tr');
    expect(await services.evaluateAll((els) => els.map((e) => e.getAttribute('data-service')))).toEqual(
      diff.services.map((s) => s.service),
    );
    expect(await page.locator('tr.service-diff[data-service="reranker"]').getAttribute('data-change')).toBe(
      'added',
    );
    expect(
      await page.locator('tr.service-diff[data-service="metrics-agent"]').getAttribute('data-change'),
    ).toBe('removed');
  });
});

describe('depsHtml', () => {
  it('draws one labelled, arrowed edge per link, callers left of callees, through a cycle and a self-call', async () => {
    const html = depsHtml(LINKS, DEPS_META);
    expectSelfContained(html.replace(DEPS_META.jaegerUrl, ''));
    const { page, text } = await open('deps.html', html);
    expect(text).toContain(DEPS_META.jaegerUrl);
    expect(text).toContain('2026-01-01T10:00:00.000Z');
    const services = [...new Set(LINKS.flatMap((l) => [l.parent, l.child]))];
    expect(await page.locator('svg.deps g.node').count()).toBe(services.length);
    const edges = page.locator('svg.deps g.edge');
    expect(await edges.count()).toBe(LINKS.length);
    const drawn = await edges.evaluateAll((els) =>
      els.map((e) => ({
        parent: e.getAttribute('data-parent'),
        child: e.getAttribute('data-child'),
        label: e.querySelector('text')?.textContent,
        arrow: e.querySelector('path')?.getAttribute('marker-end'),
        kind: e.getAttribute('class'),
      })),
    );
    expect(drawn.map(({ parent, child, label }) => ({ parent, child, callCount: Number(label) }))).toEqual(
      LINKS,
    );
    for (const edge of drawn) expect(edge.arrow).toBe('url(#arrow)');
    expect(drawn.find((e) => e.parent === 'standalone' && e.child === 'standalone')?.kind).toContain('self');
    expect(drawn.find((e) => e.parent === 'worker' && e.child === 'express-service')?.kind).toContain(
      'backward',
    );

    // Callees to the right of their callers, except for calls that close a cycle.
    const boxes = await page.locator('svg.deps g.node').evaluateAll((els) =>
      Object.fromEntries(
        els.map((e) => {
          const box = (e.querySelector('rect') as unknown as SvgShape).getBBox();
          return [e.getAttribute('data-service') ?? '', { left: box.x, right: box.x + box.width }];
        }),
      ),
    );
    for (const edge of drawn) {
      const [parent, child] = [edge.parent ?? '', edge.child ?? ''];
      if (parent === child) continue;
      const rightward = (boxes[child]?.left ?? Number.NaN) > (boxes[parent]?.right ?? Number.NaN);
      const ok = edge.kind?.includes('backward') ? reaches(LINKS, child, parent) : rightward;
      expect([parent, child, ok]).toEqual([parent, child, true]);
    }
    expect(await page.locator('table.edges tbody tr').count()).toBe(LINKS.length);
  });

  it('says so when there are no dependencies', async () => {
    const { text } = await open('deps-empty.html', depsHtml([], DEPS_META));
    expect(text).toContain('no calls between services');
  });

  it('keeps routes off other services and counts off every box, on real data', async () => {
    const { page } = await open('deps-real.html', depsHtml(REAL_LINKS, DEPS_META));
    const found = await page.locator('svg.deps').evaluate((svg) => {
      const boxes = [...svg.querySelectorAll('g.node')].map((g) => ({
        service: g.getAttribute('data-service'),
        box: (g.querySelector('rect') as unknown as SvgShape).getBBox(),
      }));
      // A hair inside each box, so that an arrow ending on its border does not count.
      const inside = (box: Box, x: number, y: number) =>
        x > box.x + 1 && x < box.x + box.width - 1 && y > box.y + 1 && y < box.y + box.height - 1;
      const overlaps = (a: Box, b: Box) =>
        a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
      const crossings: string[] = [];
      const covered: string[] = [];
      for (const edge of svg.querySelectorAll('g.edge')) {
        const ends = [edge.getAttribute('data-parent'), edge.getAttribute('data-child')];
        const name = ends.join(' → ');
        const path = edge.querySelector('path') as unknown as SvgPath;
        const length = path.getTotalLength();
        for (const { service, box } of boxes) {
          if (ends.includes(service)) continue;
          for (let at = 0; at <= length; at += 1) {
            const p = path.getPointAtLength(at);
            if (inside(box, p.x, p.y)) {
              crossings.push(`${name} crosses ${service}`);
              break;
            }
          }
        }
        const label = (edge.querySelector('rect.label-bg') as unknown as SvgShape).getBBox();
        for (const { service, box } of boxes)
          if (overlaps(label, box)) covered.push(`${name}'s count covers ${service}`);
      }
      return { crossings, covered, edges: svg.querySelectorAll('g.edge').length };
    });
    expect(found).toEqual({ crossings: [], covered: [], edges: REAL_LINKS.length });
  });

  it('lays out any graph without hanging: cycles, self-calls, duplicates', () => {
    const ring = ['a', 'b', 'c', 'd'].map((s, i, all) => ({
      parent: s,
      child: all[(i + 1) % all.length] ?? 'a',
      callCount: 1,
    }));
    expect(layoutGraph(ring).edges.filter((e) => e?.backward)).toHaveLength(1);
    const name = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f');
    fc.assert(
      fc.property(
        fc.array(fc.record({ parent: name, child: name, callCount: fc.nat(1000) }), { maxLength: 30 }),
        (links) => {
          const { nodes, edges, width, height } = layoutGraph(links);
          expect(nodes.size).toBe(new Set(links.flatMap((l) => [l.parent, l.child])).size);
          const boxes = [...nodes.values()];
          for (const a of boxes) {
            expect(a.x).toBeGreaterThanOrEqual(0);
            expect(a.y).toBeGreaterThanOrEqual(0);
            expect(a.x + a.width).toBeLessThanOrEqual(width);
            expect(a.y + a.height).toBeLessThanOrEqual(height);
            for (const b of boxes) {
              if (a === b) continue;
              const apart =
                a.x + a.width <= b.x ||
                b.x + b.width <= a.x ||
                a.y + a.height <= b.y ||
                b.y + b.height <= a.y;
              expect(apart).toBe(true);
            }
          }
          links.forEach((link, i) => {
            const route = edges[i];
            if (link.parent === link.child) expect(route).toBeNull();
            else {
              expect(route?.points.length).toBeGreaterThanOrEqual(2);
              for (const p of route?.points ?? []) expect(Number.isFinite(p.x + p.y)).toBe(true);
            }
          });
          expect(() => depsHtml(links, DEPS_META)).not.toThrow();
        },
      ),
    );
  });
});

describe('hostile names', () => {
  it('escapes &, <, >, and both quotes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
  });

  const pages = () => {
    const { trace, path, summary } = analysed(hostileTrace());
    const other = buildTrace(
      jaegerTrace(
        [
          ...hostileTrace(),
          { id: 'h3', name: HOSTILE, service: 'api', parent: 'h1', start: 3_500, duration: 500 },
        ],
        'bbbb0000000000000000000000000002',
      ),
    );
    return {
      trace: traceHtml(trace, path, summary),
      diff: diffHtml(diffTraces(trace, other)),
      deps: depsHtml(
        [
          { parent: HOSTILE, child: 'api', callCount: 3 },
          { parent: 'api', child: HOSTILE, callCount: 1 },
        ],
        { ...DEPS_META, jaegerUrl: HOSTILE },
      ),
    };
  };

  it.each(['trace', 'diff', 'deps'] as const)(
    'keeps span, attribute and service names inert text in the %s page',
    async (kind) => {
      const html = pages()[kind];
      expect(html).not.toContain('<script>alert');
      expect(html).not.toContain('<img');
      expect(html).toContain(
        '&lt;script&gt;alert(1)&lt;/script&gt;&quot;quoted&quot; &#39;single&#39; &amp;',
      );
      // Without the page's Content-Security-Policy too: the escaping alone keeps it inert.
      const unprotected = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
      expect(unprotected).not.toBe(html);
      for (const [name, source] of [
        [`${kind}-hostile.html`, html],
        [`${kind}-hostile-no-csp.html`, unprotected],
      ] as const) {
        const { page, text, svgTextContents } = await open(name, source);
        expect(await page.locator('script, img, [onerror]').count()).toBe(0);
        expect(`${text}\n${svgTextContents.join('\n')}`).toContain(HOSTILE);
      }
    },
  );
});
