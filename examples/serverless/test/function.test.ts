/**
 * The built function (dist/handler.mjs) under the real Lambda Runtime API: the AWS Lambda Runtime Interface
 * Emulator with aws-lambda-ric as the runtime, against the local stack's Milvus and Jaeger.
 */
import { randomBytes } from 'node:crypto';
import { type Trace, type TraceSpan, waitForTrace } from '@milvus-otel/jaeger-query';
import { clientEnv, ensureLambdaRie, loadSettings } from '@milvus-otel/stack';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FunctionProcess, httpEvent, runtimePids, startFunction } from '../scripts/rie.ts';
import { ensureCollection, searchDocuments, upsertDocuments } from '../src/documents.ts';
import { freePort, invoke, spanChain } from './helpers.ts';

const stack = clientEnv(loadSettings());
const jaeger = stack.JAEGER_QUERY_URL as string;
const suffix = randomBytes(4).toString('hex');
const collection = `serverless_test_${suffix}`;
const service = `serverless-test-${suffix}`;
const milvus = new MilvusClient({ address: stack.MILVUS_ADDRESS as string, logLevel: 'info' });

const DOCS = [
  { id: 'd1', title: 'Vector databases', body: 'Milvus stores embeddings and searches them', category: 'db' },
  { id: 'd2', title: 'Tracing', body: 'OpenTelemetry spans follow a request end to end', category: 'otel' },
  { id: 'd3', title: 'Serverless', body: 'Lambda functions freeze after each response', category: 'cloud' },
];

const search = (query: Record<string, string>, headers: Record<string, string> = {}) =>
  httpEvent('GET', '/search', query, headers);

const chain = (trace: Trace | undefined) => spanChain(trace, service, collection);

const complete = (trace: Trace) => {
  const { invocation, client, server } = chain(trace);
  return Boolean(invocation && client && server.length > 0);
};

let fn: FunctionProcess;

beforeAll(async () => {
  const rie = await ensureLambdaRie(loadSettings());

  await ensureCollection(milvus, collection);
  await upsertDocuments(milvus, collection, DOCS);
  // Searches use Bounded consistency: wait until the new rows are visible before invoking.
  for (let i = 0; i < 100; i++) {
    if ((await searchDocuments(milvus, collection, 'milvus embeddings', { limit: 3 })).length > 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }

  fn = await startFunction({
    rie,
    port: await freePort(),
    runtimeApiPort: await freePort(),
    env: {
      ...stack,
      OTEL_SERVICE_NAME: service,
      OTEL_BSP_SCHEDULE_DELAY: '60000', // only the flush before each response may export
      DOCS_COLLECTION: collection,
    },
  });
});

afterAll(async () => {
  await fn?.stop();
  await milvus.dropCollection({ collection_name: collection }).catch(() => undefined);
  await milvus.closeConnection();
});

describe('GET /search under the Lambda Runtime Interface Emulator', () => {
  it('answers with hits, traced from the invocation span through Milvus', async () => {
    const res = await invoke(fn, search({ q: 'vector database embeddings', limit: '2' }));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const { hits } = JSON.parse(res.body) as { hits: { id: string; score: number }[] };
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.length).toBeLessThanOrEqual(2);
    expect(hits[0]?.id).toBe('d1');

    const traceId = res.headers['x-trace-id'];
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const trace = await waitForTrace(jaeger, traceId as string, { complete, settleMs: 0 });
    const { invocation, client, server } = chain(trace);
    expect(invocation?.name).toBe('GET /search');
    expect(invocation?.tags).toMatchObject({
      'span.kind': 'server',
      'faas.trigger': 'http',
      'faas.name': 'search-function',
      'faas.coldstart': true,
      'cloud.provider': 'aws',
      'http.request.method': 'GET',
      'http.route': '/search',
      'url.path': '/search',
      'http.response.status_code': 200,
    });
    expect(invocation?.tags['faas.invocation_id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(client?.tags).toMatchObject({ 'span.kind': 'client', 'db.system.name': 'milvus' });
    expect(server.length).toBeGreaterThan(0);
    expect(server.map((s: TraceSpan) => s.service)).toContain('standalone');
  });

  it('filters by category and marks later invocations warm', async () => {
    const res = await invoke(fn, search({ q: 'spans', category: 'otel' }));
    expect(res.statusCode).toBe(200);
    const { hits } = JSON.parse(res.body) as { hits: { category: string }[] };
    expect(hits.length).toBeGreaterThan(0);
    expect(hits.every((h) => h.category === 'otel')).toBe(true);
    const trace = await waitForTrace(jaeger, res.headers['x-trace-id'] as string, { complete, settleMs: 0 });
    expect(chain(trace).invocation?.tags['faas.coldstart']).toBe(false);
  });

  it('rejects bad input with 400 and names every problem', async () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{}, /q is required/],
      [{ q: '   ' }, /q is required/],
      [{ q: 'x'.repeat(1001) }, /q is at most 1000/],
      [{ q: 'ok', limit: '0' }, /limit/],
      [{ q: 'ok', limit: '51' }, /limit/],
      [{ q: 'ok', limit: '2.5' }, /limit/],
      [{ q: 'ok', category: 'a" || id != "' }, /category/],
      [{ q: 'ok', category: 'c'.repeat(65) }, /category/],
    ];
    for (const [query, message] of cases) {
      const res = await invoke(fn, search(query));
      expect(res.statusCode, JSON.stringify(query)).toBe(400);
      expect(res.body).toMatch(message);
    }
    const both = await invoke(fn, search({ limit: '99', category: '!' }));
    expect((JSON.parse(both.body) as { issues: string[] }).issues).toHaveLength(3);
  });

  it('answers 404 for other routes', async () => {
    const res = await invoke(fn, httpEvent('GET', '/nope'));
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toBe('application/json');
  });

  it('continues the trace of an incoming traceparent header', async () => {
    const traceId = randomBytes(16).toString('hex');
    const parentId = randomBytes(8).toString('hex');
    const res = await invoke(fn, search({ q: 'lambda' }, { traceparent: `00-${traceId}-${parentId}-01` }));
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-trace-id']).toBe(traceId);
    const trace = await waitForTrace(jaeger, traceId, { complete, settleMs: 0 });
    const { invocation } = chain(trace);
    expect(invocation?.parentId).toBe(parentId);
  });

  it('loses no span when the runtime is killed right after each response', async () => {
    const traceIds: string[] = [];
    const killed = new Set<number>();
    for (let i = 0; i < 10; i++) {
      const res = await invoke(fn, search({ q: `freeze ${i}` }));
      expect(res.statusCode, res.body).toBe(200);
      traceIds.push(res.headers['x-trace-id'] as string);
      // The runtime is `node aws-lambda-ric`, RIE's child. SIGKILL it the moment the response is in.
      const pids = runtimePids(fn.rie.pid);
      expect(pids.length, fn.output()).toBeGreaterThan(0);
      for (const pid of pids) {
        expect(killed.has(pid)).toBe(false); // a fresh runtime each time
        process.kill(pid, 'SIGKILL');
        killed.add(pid);
      }
      // RIE reports the dead runtime on the next invocation (without running it), then starts a new runtime for
      // the one after — as Lambda would start a new execution environment.
      const crash = await fetch(fn.invokeUrl, { method: 'POST', body: JSON.stringify(search({ q: 'x' })) });
      expect(await crash.json()).toMatchObject({ errorType: 'Runtime.ExitError' });
    }
    expect(killed.size).toBe(10);
    const traces = await Promise.all(
      traceIds.map((id) => waitForTrace(jaeger, id, { complete, timeoutMs: 20_000, settleMs: 0 })),
    );
    const missing = traceIds.filter((_, i) => {
      const t = traces[i];
      return !(t && complete(t));
    });
    expect(missing, 'traces without the full invocation → client → server chain').toEqual([]);
    // After the first (on the runtime the earlier tests warmed), each ran in a new runtime: a cold start.
    for (const t of traces.slice(1)) expect(chain(t).invocation?.tags['faas.coldstart']).toBe(true);
  });
});

describe('when the Milvus search fails', () => {
  let broken: FunctionProcess | undefined;
  afterAll(async () => {
    await broken?.stop();
  });

  it('answers 503, and the invocation and client spans record the failure', async () => {
    broken = await startFunction({
      rie: await ensureLambdaRie(loadSettings()),
      port: await freePort(),
      runtimeApiPort: await freePort(),
      // A collection that does not exist: Milvus answers the search with an error.
      env: { ...stack, OTEL_SERVICE_NAME: service, DOCS_COLLECTION: `${collection}_missing` },
    });
    const res = await invoke(broken, search({ q: 'anything' }));
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('1');
    // The cold start's readiness check (getLoadState) is a client span too: pick the search by its name.
    const searchName = `search ${collection}_missing`;
    const trace = await waitForTrace(jaeger, res.headers['x-trace-id'] as string, {
      complete: (t) =>
        t.spans.some((s) => s.service === service && s.tags.error === true && s.name === searchName),
      settleMs: 0,
    });
    const spans = trace?.spans ?? [];
    const invocation = spans.find((s) => s.service === service && s.tags['faas.trigger'] === 'http');
    expect(invocation?.tags).toMatchObject({ 'http.response.status_code': 503, error: true });
    const client = spans.find((s) => s.service === service && s.name === searchName);
    expect(client?.tags['span.kind']).toBe('client');
    expect(client?.parentId).toBe(invocation?.spanId);
    expect(client?.tags.error).toBe(true);
  });
});
