// The trace analysis commands (`traces`, `trace --critical-path`, `trace diff`, `deps`, their `--html` pages) against
// traces the three examples really produce in the stack's Jaeger: the built `milvus-otel` CLI, run as users run it.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { verifyTraces } from '@milvus-otel/deploy';
import { type Trace, type TraceSpan, waitForTrace } from '@milvus-otel/jaeger-query';
import { clientEnv, loadSettings } from '@milvus-otel/stack';
import { type BrowserSession, startBrowser } from '@milvus-otel/stack/browser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleTargets, type RunningExamples, runExamples } from '../src/examples.ts';

const exec = promisify(execFile);
const require = createRequire(import.meta.url);
const cli = join(dirname(require.resolve('@milvus-otel/deploy/package.json')), 'dist/cli.js');
const expressDir = dirname(require.resolve('@milvus-otel/example-express-service/package.json'));
const stackEnv = clientEnv(loadSettings());
const jaegerUrl = stackEnv.JAEGER_QUERY_URL as string;
/** Enough vectors for the index to matter: Milvus searches segments under 1024 rows by brute force. */
const DOCUMENTS = 50_000;
const SEARCHES = 5;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function milvusOtel(...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [cli, ...args], {
      env: { ...process.env, JAEGER_QUERY_URL: jaegerUrl, NO_COLOR: '1' },
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function json<T>(...args: string[]): Promise<T> {
  const run = await milvusOtel(...args, '--json');
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
}

/** The Express example's collection script, as its README runs it. */
async function collection(collectionName: string, ...args: string[]): Promise<string> {
  const { stdout } = await exec(process.execPath, ['src/collection.ts', ...args], {
    cwd: expressDir,
    env: { ...process.env, ...stackEnv, DOCS_COLLECTION: collectionName, NODE_ENV: 'production' },
  });
  return stdout;
}

/** A search through the Express example; its trace id from the x-trace-id header. */
async function search(examples: RunningExamples, q: string): Promise<string> {
  const res = await fetch(`${examples.expressUrl}/search?q=${encodeURIComponent(q)}`);
  await res.body?.cancel();
  expect(res.status).toBe(200);
  const id = res.headers.get('x-trace-id');
  expect(id).toMatch(/^[0-9a-f]{32}$/);
  return id as string;
}

/**
 * Waits until Jaeger has the search's segcore span. Milvus exports it from its C++ side with an exporter of its own,
 * on that exporter's schedule: a trace whose Go spans have all arrived (what `verify` waits for) can still lack it.
 */
async function withSegcore(traceId: string): Promise<void> {
  const trace = await waitForTrace(jaegerUrl, traceId, {
    complete: (t) => t.orphans.length === 0 && t.spans.some((s) => s.name === 'SegCoreSearch'),
    timeoutMs: 30_000,
  });
  expect(
    trace?.spans.map((s) => s.name),
    `SegCoreSearch in ${traceId}`,
  ).toContain('SegCoreSearch');
}

/** A span's own time, computed here from the tree: its duration minus the union of its children, clipped to it. */
function selfTime(trace: Trace, span: TraceSpan): number {
  const end = span.startTime + span.duration;
  const children = trace.spans
    .filter((s) => s.parentId === span.spanId)
    .map((s) => [Math.max(s.startTime, span.startTime), Math.min(s.startTime + s.duration, end)] as const)
    .filter(([from, to]) => to > from)
    .sort((a, b) => a[0] - b[0]);
  let covered = 0;
  let reach = span.startTime;
  for (const [from, to] of children) {
    if (to > reach) {
      covered += to - Math.max(from, reach);
      reach = to;
    }
  }
  return span.duration - covered;
}

interface Section {
  spanId: string;
  start: number;
  end: number;
}
interface DiffRowJson {
  service: string;
  name: string;
  a?: { durationUs: number };
  b?: { durationUs: number };
  ratio?: number;
}

describe('trace analysis on the examples’ traces', () => {
  let examples: RunningExamples;
  let browser: BrowserSession;
  let dir: string;
  /** Trace ids of the first verify round, per example. */
  const ids: Record<string, string[]> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'milvus-otel-analysis-'));
    [examples, browser] = await Promise.all([runExamples(), startBrowser()]);
    const report = await verifyTraces({
      targets: await exampleTargets(examples),
      count: 3,
      concurrency: 3,
      jaegerUrl,
      timeoutMs: 60_000,
    });
    expect(report.ok).toBe(true);
    for (const target of report.targets) {
      ids[target.name] = target.traces.map((t) => t.traceId).filter((id): id is string => !!id);
    }
  }, 400_000);
  afterAll(async () => {
    await browser?.close();
    await examples?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('`traces` finds the searches by service, operation, tag and duration, newest first', async () => {
    const expressIds = ids.express ?? [];
    const tag = `db.collection.name=${examples.collection}`;
    type Row = {
      traceId: string;
      startTime: string;
      root: { service: string };
      durationUs: number;
      spans: number;
    };
    const found = await json<Row[]>('traces', '--service', 'express-service', '--tag', tag, '--since', '10m');
    // The worker's ingest traces also pass through express-service, with an upsert into the same collection.
    expect(found.map((r) => r.traceId)).toEqual(expect.arrayContaining(expressIds));
    expect(found.every((r) => r.root.service === 'express-service' && r.spans > 0)).toBe(true);
    const starts = found.map((r) => Date.parse(r.startTime));
    expect(starts).toEqual([...starts].sort((a, b) => b - a));

    const operation = await json<Row[]>(
      'traces',
      '--service',
      'express-service',
      '--operation',
      `search ${examples.collection}`,
      '--since',
      '10m',
    );
    expect(operation.map((r) => r.traceId).sort()).toEqual([...expressIds].sort());

    // Durations, as in Jaeger's search: of a span of that service and operation (here the Milvus client span).
    const clientSpans = await Promise.all(
      expressIds.map(async (id) => {
        const t = await json<Trace>('trace', id);
        return t.spans.find((s) => s.name === `search ${examples.collection}`)?.duration ?? Number.NaN;
      }),
    );
    const slowest = Math.max(...clientSpans);
    const fastest = Math.min(...clientSpans);
    const byDuration = (min: number, max: number) =>
      json<Row[]>(
        'traces',
        '--service',
        'express-service',
        '--operation',
        `search ${examples.collection}`,
        '--min-duration',
        `${min}us`,
        '--max-duration',
        `${max}us`,
      );
    // Jaeger keeps nanoseconds, the trace model whole microseconds (rounded down): the slowest lasts < slowest + 1µs.
    expect((await byDuration(fastest, slowest + 1)).map((r) => r.traceId).sort()).toEqual(
      [...expressIds].sort(),
    );
    if (fastest < slowest) {
      const notFastest = await byDuration(fastest + 1, slowest + 1);
      expect(notFastest.map((r) => r.traceId).sort()).toEqual(
        expressIds.filter((_, i) => (clientSpans[i] as number) > fastest).sort(),
      );
    }
    const slower = await milvusOtel(
      'traces',
      '--service',
      'express-service',
      '--tag',
      tag,
      '--min-duration',
      `${slowest + 60_000_000}us`,
    );
    expect(slower.code).toBe(1);
    expect(slower.stderr).toMatch(/^milvus-otel traces: no trace of express-service with .* in the last 1h/);

    const table = await milvusOtel('traces', '--service', 'express-service', '--tag', tag, '-n', '2');
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(
      /^trace id\s+started\s+root span\s+services\s+spans\s+duration/,
    );
    expect(table.stdout.trim().split('\n')).toHaveLength(3);
  });

  it('`trace --critical-path`: the path tiles the search end to end through the Milvus server; self times add up', async () => {
    const id = ids.express?.[0] as string;
    await withSegcore(id);
    const { trace, criticalPath, summary } = await json<{
      trace: Trace;
      criticalPath: Section[];
      summary: {
        service: string;
        self: number;
        critical: number;
        operations: { operation: string; self: number }[];
      }[];
    }>('trace', id, '--critical-path');
    const root = trace.spans[0] as TraceSpan;
    const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
    // Jaeger's critical path covers the root span's time exactly once: contiguous sections from its start to its end,
    // each inside its own span.
    expect(criticalPath[0]?.start).toBe(root.startTime);
    expect(criticalPath.at(-1)?.end).toBe(root.startTime + root.duration);
    for (const [i, s] of criticalPath.entries()) {
      if (i > 0) expect(s.start).toBe(criticalPath[i - 1]?.end);
      const span = byId.get(s.spanId) as TraceSpan;
      expect(s.start).toBeGreaterThanOrEqual(span.startTime);
      expect(s.end).toBeLessThanOrEqual(span.startTime + span.duration);
    }
    // A search waits on Milvus: the path runs from the HTTP span through the client span into the server's search.
    const onPath = new Set(criticalPath.map((s) => byId.get(s.spanId)?.name));
    for (const name of ['GET /search', `search ${examples.collection}`, 'Proxy-Search', 'SegCoreSearch']) {
      expect(onPath, name).toContain(name);
    }
    // Self times, per service, equal those computed here from the tree; the critical time of the trace is its duration.
    for (const service of summary) {
      const spans = trace.spans.filter((s) => s.service === service.service);
      expect(service.self, service.service).toBe(spans.reduce((sum, s) => sum + selfTime(trace, s), 0));
      expect(service.operations.reduce((sum, o) => sum + o.self, 0)).toBe(service.self);
    }
    expect(summary.reduce((sum, s) => sum + s.critical, 0)).toBe(root.duration);
    expect(summary.map((s) => s.service)).toEqual(expect.arrayContaining(['express-service', 'standalone']));

    const text = await milvusOtel('trace', id, '--critical-path');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('█ on the critical path  ░ off it');
    expect(text.stdout).toMatch(/^standalone: \S+ self \(\d+% of the trace\), \d+% of it in \S/m);

    const page = join(dir, 'trace.html');
    expect((await milvusOtel('trace', id, '--critical-path', '--html', page)).code).toBe(0);
    const opened = await browser.openPage(page);
    expect(opened.consoleErrors).toEqual([]);
    expect(opened.pageErrors).toEqual([]);
    expect(opened.requests).toEqual([opened.url]);
    for (const span of trace.spans) expect(opened.svgTextContents.join('\n')).toContain(span.name);
    expect(await opened.page.locator('rect.critical').count()).toBe(criticalPath.length);
    if (process.env.HTML_SCREENSHOTS)
      await opened.screenshot(join(process.env.HTML_SCREENSHOTS, 'trace.png'));
  });

  it('`trace diff`: a search on HNSW against the same search on FLAT shows the Milvus search stage slower', {
    timeout: 300_000,
  }, async () => {
    await collection(examples.collection, '--load', String(DOCUMENTS), '--index', 'HNSW');
    const median = async (label: string): Promise<string> => {
      // The first search after an index change loads it: not what is compared.
      await search(examples, `${label} warm-up`);
      const traced: { id: string; segcore: number }[] = [];
      for (let i = 0; i < SEARCHES; i++) {
        const id = await search(examples, `vector index latency ${i}`);
        await withSegcore(id);
        const t = await json<Trace>('trace', id);
        const segcore = t.spans.find((s) => s.name === 'SegCoreSearch');
        expect(segcore, `SegCoreSearch in ${id}`).toBeDefined();
        traced.push({ id, segcore: segcore?.duration ?? 0 });
      }
      traced.sort((a, b) => a.segcore - b.segcore);
      return (traced[Math.floor(SEARCHES / 2)] as { id: string }).id;
    };
    const hnsw = await median('hnsw');
    expect(await collection(examples.collection, '--index', 'FLAT')).toMatch(/index FLAT built/);
    const flat = await median('flat');

    const diff = await json<{
      services: { service: string; matched: number }[];
      byImpact: DiffRowJson[];
      rows: DiffRowJson[];
    }>('trace', 'diff', hnsw, flat);
    // Same request, same code path: the Milvus server's spans match one to one by their place in the tree…
    const server = diff.rows.filter((r) => r.service === 'standalone' || r.service === 'segcore');
    expect(server.length).toBeGreaterThan(5);
    expect(server.filter((r) => r.a && r.b).map((r) => r.name)).toEqual(
      expect.arrayContaining(['Proxy-Search', 'SegCoreSearch']),
    );
    // …and the stage that scans the vectors is where the index shows: brute force over 50 000 vectors against an
    // HNSW graph walk (about 3× here; 1.5× leaves room for a busy machine).
    const segcore = diff.rows.find((r) => r.name === 'SegCoreSearch');
    expect(segcore?.ratio).toBeGreaterThan(1.5);
    expect(diff.byImpact.findIndex((r) => r.name === 'SegCoreSearch')).toBeLessThan(
      diff.byImpact.findIndex((r) => r.name === 'Proxy-Search-PreExecute'),
    );

    const text = await milvusOtel('trace', 'diff', hnsw, flat);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^ {2}slower .*segcore: SegCoreSearch$/m);

    const page = join(dir, 'diff.html');
    expect((await milvusOtel('trace', 'diff', hnsw, flat, '--html', page)).code).toBe(0);
    const opened = await browser.openPage(page);
    expect(opened.consoleErrors).toEqual([]);
    expect(opened.pageErrors).toEqual([]);
    expect(opened.requests).toEqual([opened.url]);
    expect(opened.text).toContain('SegCoreSearch');
    expect(await opened.page.locator('tr.diff-row.slower', { hasText: 'SegCoreSearch' }).count()).toBe(1);
    if (process.env.HTML_SCREENSHOTS) await opened.screenshot(join(process.env.HTML_SCREENSHOTS, 'diff.png'));
  });

  it('`deps`: each example calls Milvus, the Express service reaches the worker through the queue', async () => {
    const links = await json<{ parent: string; child: string; callCount: number }[]>(
      'deps',
      '--since',
      '15m',
    );
    const edges = links.map((l) => `${l.parent} → ${l.child}`);
    for (const edge of [
      'express-service → standalone',
      'worker → standalone',
      'serverless → standalone',
      // The worker's job span is a child of the producer span the Express service made when it enqueued the job.
      'express-service → worker',
    ]) {
      expect(edges, edge).toContain(edge);
    }
    expect(links.every((l) => l.callCount > 0)).toBe(true);

    const text = await milvusOtel('deps', '--since', '15m');
    expect(text.stdout).toMatch(/^express-service +→ worker \(\d+\)$/m);
    const mermaid = await milvusOtel('deps', '--since', '15m', '--format', 'mermaid');
    expect(mermaid.stdout).toMatch(/^flowchart LR\n/);
    expect(mermaid.stdout).toMatch(/\["express-service"\] -->\|\d+\| s\d+\["worker"\]/);

    const page = join(dir, 'deps.html');
    expect((await milvusOtel('deps', '--since', '15m', '--html', page)).code).toBe(0);
    const opened = await browser.openPage(page);
    expect(opened.consoleErrors).toEqual([]);
    expect(opened.pageErrors).toEqual([]);
    expect(opened.requests).toEqual([opened.url]);
    for (const service of ['express-service', 'worker', 'serverless', 'standalone']) {
      expect(opened.svgTextContents).toContain(service);
    }
    if (process.env.HTML_SCREENSHOTS) await opened.screenshot(join(process.env.HTML_SCREENSHOTS, 'deps.png'));
  });

  it('bad input: an unknown or malformed trace id, an unknown service — one line, exit 1', async () => {
    const unknown = await milvusOtel('trace', 'abcdef0123456789abcdef0123456789', '--timeout', '500');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(
      /^milvus-otel trace: trace abcdef0123456789abcdef0123456789 is not in Jaeger at \S+ \(waited 500 ms\)\n {2}fix: /,
    );
    const malformed = await milvusOtel('trace', 'diff', 'xyz', ids.express?.[0] as string);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toMatch(
      /^milvus-otel diff: "xyz" is not a trace id: expected 1–32 hex digits\n/,
    );
    const service = await milvusOtel('traces', '--service', 'no-such-service');
    expect(service.code).toBe(1);
    expect(service.stderr).toMatch(
      /has no spans of service "no-such-service"\n {2}fix: pass --service with one of: .*express-service/,
    );
    for (const run of [unknown, malformed, service]) {
      expect(run.stdout).toBe('');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
