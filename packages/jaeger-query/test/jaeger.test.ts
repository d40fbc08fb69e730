import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { clientEnv, loadSettings } from '@milvus-otel/stack';
import { describe, expect, it } from 'vitest';
import {
  fetchTrace,
  JaegerError,
  listServices,
  pingJaeger,
  type SearchOptions,
  searchTraces,
  type Trace,
  waitForTrace,
} from '../src/index.ts';

const settings = loadSettings();
const jaegerUrl = clientEnv(settings).JAEGER_QUERY_URL as string;
const otlpUrl = `http://127.0.0.1:${settings.ports.otlpHttp.port}/v1/traces`;
const service = 'jaeger-query-test';
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

interface SpanSpec {
  spanId: string;
  parentId?: string;
  name: string;
  /** OTLP span kind: 1 internal, 2 server, 3 client. */
  kind?: number;
  error?: string;
  links?: { traceId: string; spanId: string }[];
  events?: { name: string; attributes: Record<string, string> }[];
  attributes?: Record<string, string>;
}

/** Sends spans of one trace to Jaeger's OTLP/HTTP receiver, as an app's exporter would. */
async function send(traceId: string, spans: SpanSpec[], serviceName = service): Promise<void> {
  const now = BigInt(Date.now()) * 1_000_000n;
  const body = {
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: serviceName } }] },
        scopeSpans: [
          {
            scope: { name: 'jaeger-query-test' },
            spans: spans.map((s, i) => ({
              traceId,
              spanId: s.spanId,
              parentSpanId: s.parentId ?? '',
              name: s.name,
              kind: s.kind ?? 1,
              startTimeUnixNano: String(now + BigInt(i) * 1_000_000n),
              endTimeUnixNano: String(now + BigInt(i + 1) * 10_000_000n),
              attributes: [
                { key: 'test.index', value: { intValue: String(i) } },
                ...Object.entries(s.attributes ?? {}).map(([key, value]) => ({
                  key,
                  value: { stringValue: value },
                })),
              ],
              status: s.error ? { code: 2, message: s.error } : { code: 0 },
              links: s.links ?? [],
              events: (s.events ?? []).map((e) => ({
                name: e.name,
                timeUnixNano: String(now + BigInt(i) * 1_000_000n + 500_000n),
                attributes: Object.entries(e.attributes).map(([key, value]) => ({
                  key,
                  value: { stringValue: value },
                })),
              })),
            })),
          },
        ],
      },
    ],
  };
  const res = await fetch(otlpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.text()).toBe(200);
}

describe('against the real Jaeger (its OTLP query API, /api/v3)', () => {
  it('pingJaeger: resolves when the query API answers, JaegerError naming the URL when nothing listens', async () => {
    await expect(pingJaeger(jaegerUrl)).resolves.toBeUndefined();
    await expect(pingJaeger('http://127.0.0.1:1/')).rejects.toThrow(
      expect.objectContaining({
        name: 'JaegerError',
        message: expect.stringMatching(/^Jaeger query API at http:\/\/127\.0\.0\.1:1 is not reachable/),
      }),
    );
    await expect(fetchTrace('http://127.0.0.1:1', hex(16))).rejects.toBeInstanceOf(JaegerError);
  });

  it('fetchTrace: undefined for a trace Jaeger does not have', async () => {
    expect(await fetchTrace(jaegerUrl, hex(16))).toBeUndefined();
  });

  it('waitForTrace and fetchTrace: the span tree with services, kinds, tags and errors', async () => {
    const traceId = hex(16);
    const [root, child] = [hex(8), hex(8)];
    await send(traceId, [
      { spanId: root, name: 'GET /search', kind: 2 },
      { spanId: child, parentId: root, name: 'search docs', kind: 3, error: 'collection not found' },
    ]);
    const trace = await waitForTrace(jaegerUrl, traceId, { complete: (t) => t.spans.length === 2 });
    expect(trace?.traceId).toBe(traceId);
    expect(trace?.services).toEqual([service]);
    expect(trace?.orphans).toEqual([]);
    expect(trace?.spans.map((s) => [s.name, s.depth, s.kind, s.parentId, s.error])).toEqual([
      ['GET /search', 0, 'server', undefined, undefined],
      ['search docs', 1, 'client', root, 'collection not found'],
    ]);
    expect(trace?.spans[1]?.tags['test.index']).toBe(1);
    expect(trace?.duration).toBe(20_000);

    // Upper-case ids (as some logs print them) and a trailing slash on the URL read the same trace.
    const again = await fetchTrace(`${jaegerUrl}/`, traceId.toUpperCase());
    expect(again?.spans.map((s) => s.spanId)).toEqual([root, child]);
  });

  it('waitForTrace: by default waits until no span misses its parent', async () => {
    const traceId = hex(16);
    const [root, child] = [hex(8), hex(8)];
    await send(traceId, [{ spanId: child, parentId: root, name: 'search docs' }]);
    const waiting = waitForTrace(jaegerUrl, traceId, { settleMs: 0 });
    await sleep(1500);
    await send(traceId, [{ spanId: root, name: 'GET /search' }]);
    const trace = await waiting;
    expect(trace?.orphans).toEqual([]);
    expect(trace?.spans.map((s) => s.name)).toEqual(['GET /search', 'search docs']);
  });

  it('waitForTrace: once complete, keeps polling for settleMs so late spans of a batch make it in', async () => {
    const traceId = hex(16);
    const root = hex(8);
    await send(traceId, [{ spanId: root, name: 'GET /search' }]);
    const waiting = waitForTrace(jaegerUrl, traceId, { settleMs: 4000, intervalMs: 200 });
    await sleep(1500);
    await send(traceId, [{ spanId: hex(8), parentId: root, name: 'late span' }]);
    const trace = await waiting;
    expect(trace?.spans.map((s) => s.name)).toEqual(['GET /search', 'late span']);
  });

  it('waitForTrace: when the time is up, the last trace seen (or undefined when Jaeger never had it)', async () => {
    const traceId = hex(16);
    await send(traceId, [{ spanId: hex(8), name: 'only span' }]);
    const started = Date.now();
    const trace = await waitForTrace(jaegerUrl, traceId, { complete: () => false, timeoutMs: 2000 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(trace?.spans.map((s) => s.name)).toEqual(['only span']);
    expect(await waitForTrace(jaegerUrl, hex(16), { timeoutMs: 1000 })).toBeUndefined();
  });
});

describe('the OTLP query API (the default) and the v1 JSON (api: v1) of the real Jaeger', () => {
  it('fetchTrace: undefined for a trace Jaeger does not have; JaegerError when nothing listens', async () => {
    expect(await fetchTrace(jaegerUrl, hex(16), { api: 'v1' })).toBeUndefined();
    expect(await fetchTrace(jaegerUrl, hex(16), { api: 'v3' })).toBeUndefined();
    await expect(fetchTrace('http://127.0.0.1:1', hex(16), { api: 'v1' })).rejects.toThrow(
      expect.objectContaining({ name: 'JaegerError', message: expect.stringContaining('127.0.0.1:1') }),
    );
    expect(await waitForTrace(jaegerUrl, hex(16), { api: 'v1', timeoutMs: 1000 })).toBeUndefined();
  });

  it('keeps a parent and a link apart where the v1 JSON cannot', async () => {
    const traceId = hex(16);
    const elsewhere = { traceId: hex(16), spanId: hex(8) };
    const [producer, consumer, linkedOnly] = [hex(8), hex(8), hex(8)];
    await send(traceId, [
      { spanId: producer, name: 'send jobs', kind: 4 },
      // Continues the producer's trace and links to it, and to a span of another trace.
      {
        spanId: consumer,
        parentId: producer,
        name: 'process jobs',
        kind: 5,
        links: [{ traceId, spanId: producer }, elsewhere],
      },
      // Links to the producer without continuing its trace: a root of its own.
      { spanId: linkedOnly, name: 'batch jobs', links: [{ traceId, spanId: producer }] },
    ]);
    const complete = (t: Trace) => t.spans.length === 3;
    const v3 = await waitForTrace(jaegerUrl, traceId, { api: 'v3', complete, settleMs: 0 });
    const byName = (t: Trace | undefined, name: string) => t?.spans.find((s) => s.name === name);
    expect(byName(v3, 'process jobs')).toMatchObject({
      kind: 'consumer',
      parentId: producer,
      depth: 1,
      links: [{ traceId, spanId: producer }, elsewhere],
      references: [
        { type: 'CHILD_OF', traceId, spanId: producer },
        { type: 'FOLLOWS_FROM', traceId, spanId: producer },
        { type: 'FOLLOWS_FROM', ...elsewhere },
      ],
    });
    expect(byName(v3, 'batch jobs')).toMatchObject({
      parentId: undefined,
      depth: 0,
      links: [{ traceId, spanId: producer }],
      references: [{ type: 'FOLLOWS_FROM', traceId, spanId: producer }],
    });
    expect(v3?.orphans).toEqual([]);

    // The v1 JSON of the same trace: the link to the parent replaced the CHILD_OF, and the span that only links to
    // the producer looks like its child.
    const v1 = await fetchTrace(jaegerUrl, traceId, { api: 'v1' });
    expect(byName(v1, 'process jobs')?.references).toEqual([
      { type: 'FOLLOWS_FROM', traceId, spanId: producer },
      { type: 'FOLLOWS_FROM', ...elsewhere },
    ]);
    expect(byName(v1, 'process jobs')).toMatchObject({
      parentId: producer,
      links: [{ traceId, spanId: producer }, elsewhere],
    });
    expect(byName(v1, 'batch jobs')?.parentId).toBe(producer);
  });

  it('reads the error status, events, tags, services and times', async () => {
    const traceId = hex(16);
    const [root, child] = [hex(8), hex(8)];
    await send(traceId, [
      { spanId: root, name: 'GET /search', kind: 2 },
      {
        spanId: child,
        parentId: root,
        name: 'search docs',
        kind: 3,
        error: 'collection not found',
        events: [{ name: 'exception', attributes: { 'exception.type': 'MilvusError' } }],
      },
    ]);
    const trace = await waitForTrace(jaegerUrl, traceId.toUpperCase(), {
      api: 'v3',
      complete: (t) => t.spans.length === 2,
    });
    expect(trace).toMatchObject({
      traceId,
      services: [service],
      orphans: [],
      duration: 20_000,
      warnings: [],
    });
    const [first, second] = trace?.spans ?? [];
    expect(first).toMatchObject({
      name: 'GET /search',
      kind: 'server',
      error: undefined,
      events: [],
      links: [],
    });
    expect(second).toMatchObject({
      name: 'search docs',
      kind: 'client',
      parentId: root,
      error: 'collection not found',
      startTime: (first?.startTime ?? 0) + 1000,
      events: [
        {
          name: 'exception',
          attributes: { 'exception.type': 'MilvusError' },
          time: (first?.startTime ?? 0) + 1500,
        },
      ],
    });
    expect(second?.tags).toMatchObject({
      'test.index': 1,
      'span.kind': 'client',
      'otel.status_code': 'ERROR',
      'otel.status_description': 'collection not found',
    });
    // Both APIs read the same span, references aside.
    const v1 = await fetchTrace(jaegerUrl, traceId, { api: 'v1' });
    expect(v1?.spans.map((s) => [s.spanId, s.parentId, s.error, s.events])).toEqual(
      trace?.spans.map((s) => [s.spanId, s.parentId, s.error, s.events]),
    );
  });
});

describe('listServices and searchTraces', () => {
  const own = (name: string) => `${service}-${name}-${hex(3)}`;
  /** Searches until `done` holds (Jaeger indexes spans shortly after it accepts them), then returns the answer. */
  async function searchUntil(options: SearchOptions, done: (traces: Trace[]) => boolean): Promise<Trace[]> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const traces = await searchTraces(jaegerUrl, options);
      if (done(traces) || Date.now() > deadline) return traces;
      await sleep(300);
    }
  }

  it('listServices: the services Jaeger has spans of, sorted, a new one once its spans arrived', async () => {
    const name = own('services');
    expect(await listServices(jaegerUrl)).not.toContain(name);
    await send(hex(16), [{ spanId: hex(8), name: 'only span' }], name);
    let services: string[] = [];
    for (const deadline = Date.now() + 20_000; !services.includes(name) && Date.now() < deadline; ) {
      services = await listServices(`${jaegerUrl}/`);
      await sleep(200);
    }
    expect(services).toContain(name);
    expect(services).toEqual([...services].sort());
    await expect(listServices('http://127.0.0.1:1')).rejects.toBeInstanceOf(JaegerError);
  });

  it('searchTraces: whole traces of the service, one Trace per trace id, newest first', async () => {
    const name = own('search');
    const [first, second] = [hex(16), hex(16)];
    const root = hex(8);
    await send(
      first,
      [
        { spanId: root, name: 'GET /search', kind: 2 },
        { spanId: hex(8), parentId: root, name: 'search docs', kind: 3 },
      ],
      name,
    );
    await sleep(50);
    // The second trace has spans of another service too: the search returns them with it.
    const other = hex(8);
    await send(second, [{ spanId: other, name: 'POST /ingest', kind: 2 }], name);
    await send(second, [{ spanId: hex(8), parentId: other, name: 'upsert', kind: 2 }], `${name}-milvus`);
    const traces = await searchUntil(
      { service: name },
      (t) => t.length === 2 && t.every((x) => x.orphans.length === 0 && x.spans.length === 2),
    );
    expect(traces.map((t) => t.traceId)).toEqual([second, first]);
    expect(traces.map((t) => t.spans.map((s) => [s.name, s.service]))).toEqual([
      [
        ['POST /ingest', name],
        ['upsert', `${name}-milvus`],
      ],
      [
        ['GET /search', name],
        ['search docs', name],
      ],
    ]);
    expect(traces[1]?.spans[1]?.parentId).toBe(root);
    // The spans of a search read as those of the trace by id.
    expect((await fetchTrace(jaegerUrl, first))?.spans).toEqual(traces[1]?.spans);

    expect(await searchTraces(jaegerUrl, { service: own('unknown') })).toEqual([]);
    expect((await searchTraces(jaegerUrl, { service: name, limit: 1 })).length).toBe(1);
  });

  it('searchTraces: by operation, attributes, duration and time window', async () => {
    const name = own('filters');
    const sent = Date.now();
    const [a, b] = [hex(16), hex(16)];
    // a: one span of 10 ms; b: spans of 10 ms and 19 ms, the second with an attribute.
    await send(a, [{ spanId: hex(8), name: 'GET /a', attributes: { tenant: 'red' } }], name);
    await send(
      b,
      [
        { spanId: hex(8), name: 'GET /b' },
        { spanId: hex(8), name: 'load b', attributes: { tenant: 'blue' } },
      ],
      name,
    );
    await searchUntil({ service: name }, (t) => t.length === 2 && t.every((x) => x.spans.length > 0));
    const ids = async (options: Omit<SearchOptions, 'service'>) =>
      (await searchTraces(jaegerUrl, { service: name, ...options })).map((t) => t.traceId).sort();

    expect(await ids({ operation: 'GET /a' })).toEqual([a]);
    expect(await ids({ operation: 'load b' })).toEqual([b]);
    expect(await ids({ operation: 'no such span' })).toEqual([]);
    expect(await ids({ attributes: { tenant: 'blue' } })).toEqual([b]);
    expect(await ids({ attributes: { tenant: 'red', 'test.index': 0 } })).toEqual([a]);
    expect(await ids({ attributes: { tenant: 'green' } })).toEqual([]);
    // The attributes of one span: no span of b has both.
    expect(await ids({ attributes: { tenant: 'blue', 'test.index': 0 } })).toEqual([]);
    expect(await ids({ minDuration: 15 })).toEqual([b]);
    expect(await ids({ maxDuration: 15 })).toEqual([a, b].sort());
    expect(await ids({ minDuration: 15, maxDuration: 18 })).toEqual([]);
    expect(await ids({ start: sent - 60_000, end: new Date(sent + 60_000) })).toEqual([a, b].sort());
    expect(await ids({ start: new Date(sent - 7_200_000), end: sent - 3_600_000 })).toEqual([]);
    await expect(ids({ start: sent, end: sent })).rejects.toThrow(/start must be before end/);
    await expect(searchTraces('http://127.0.0.1:1', { service: name })).rejects.toBeInstanceOf(JaegerError);
  });
});
