import { isDescendant, type Trace, waitForTrace } from '@milvus-otel/jaeger-query';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from '../src/documents.ts';
import type { IngestJobData } from '../src/queue.ts';
import {
  appEnv,
  dropCollection,
  jaegerUrl,
  type RunningApp,
  redisUrl,
  serverSpan,
  startApp,
  unique,
} from './helpers.ts';

const service = unique('express_service_test');
const collection = unique('express_docs');
const ingestQueue = unique('express_ingest'); // not `ingest`: a worker running next to the tests must not take it
let app: RunningApp;

beforeAll(async () => {
  app = await startApp(
    appEnv({
      OTEL_SERVICE_NAME: service,
      DOCS_COLLECTION: collection,
      REDIS_URL: redisUrl,
      INGEST_QUEUE: ingestQueue,
    }),
  );
});

afterAll(async () => {
  app?.child.kill('SIGTERM');
  await app?.exited;
  await dropCollection(collection);
});

const get = (path: string) => fetch(`${app.url}${path}`);
const post = (path: string, body: unknown) =>
  fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const doc = (id: string, extra: Partial<Record<string, string>> = {}) => ({
  id,
  title: `Title ${id}`,
  body: `Body of ${id}`,
  category: 'tests',
  ...extra,
});

/** Asserts a 400 in the documented shape and returns the paths of its issues. */
async function badRequest(res: Response): Promise<string[]> {
  expect(res.status).toBe(400);
  const body = (await res.json()) as {
    error: string;
    message: string;
    issues: { path: string; message: string }[];
  };
  expect(body.error).toBe('bad_request');
  expect(body.message).toEqual(expect.any(String));
  expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  return body.issues.map((i) => i.path);
}

describe('validation', () => {
  it('rejects a missing or empty q, a bad limit and a category that is not a plain name', async () => {
    expect(await badRequest(await get('/search'))).toEqual(['q']);
    expect(await badRequest(await get('/search?q=%20%20'))).toEqual(['q']);
    expect(await badRequest(await get('/search?q=shoes&limit=0'))).toEqual(['limit']);
    expect(await badRequest(await get('/search?q=shoes&limit=51'))).toEqual(['limit']);
    expect(await badRequest(await get('/search?q=shoes&limit=2.5'))).toEqual(['limit']);
    expect(await badRequest(await get('/search?q=shoes&limit=ten'))).toEqual(['limit']);
    const injection = encodeURIComponent('a" or 1==1');
    expect(await badRequest(await get(`/search?q=shoes&category=${injection}`))).toEqual(['category']);
    expect(await badRequest(await get(`/search?q=shoes&category=${'a'.repeat(65)}`))).toEqual(['category']);
  });

  it('rejects bad documents with the path of each problem', async () => {
    expect(await badRequest(await post('/documents', { ...doc('x'), title: '' }))).toEqual(['title']);
    expect(await badRequest(await post('/documents', { ...doc('x'), extra: 1 }))).toEqual(['']);
    expect(await badRequest(await post('/documents', doc('x" or id != "')))).toEqual(['id']);
    // Milvus limits VarChar in bytes: 2100 two-byte characters exceed the 4096-byte body.
    expect(await badRequest(await post('/documents', doc('x', { body: 'é'.repeat(2100) })))).toEqual([
      'body',
    ]);
    expect(await badRequest(await post('/documents', { documents: [doc('a'), { id: 'b' }] }))).toEqual([
      'documents.1.title',
      'documents.1.body',
      'documents.1.category',
    ]);
    expect(await badRequest(await post('/documents', { documents: [doc('a'), doc('a')] }))).toEqual([
      'documents',
    ]);
    expect(await badRequest(await post('/documents', { documents: [] }))).toEqual(['documents']);
  });

  it(`rejects more than ${LIMITS.batch} documents in one request`, async () => {
    const documents = Array.from({ length: LIMITS.batch + 1 }, (_, i) => doc(`many-${i}`));
    expect(await badRequest(await post('/documents', { documents }))).toEqual(['documents']);
  });

  it('answers 400 to malformed JSON or a body that is not JSON, and 413 to a body over the limit', async () => {
    const malformed = await post('/documents', '{"id": "x",');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ error: 'bad_request', message: 'The body is not valid JSON.' });

    const form = await fetch(`${app.url}/documents`, {
      method: 'POST',
      body: new URLSearchParams({ id: 'x' }),
    });
    expect(await badRequest(form)).toEqual(['']);

    const huge = await post('/documents', { ...doc('x'), body: 'x'.repeat(5 * 1024 * 1024) });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: string }).error).toBe('payload_too_large');
  });

  it('answers unknown routes and missing documents with 404 JSON', async () => {
    const route = await get('/nope');
    expect(route.status).toBe(404);
    expect(await route.json()).toEqual({ error: 'not_found', message: 'No route for GET /nope.' });
    const missing = await get('/documents/does-not-exist');
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: string }).error).toBe('not_found');
  });
});

describe('documents', () => {
  it('reports healthy once the collection is loaded', async () => {
    const res = await get('/healthz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('upserts, gets and finds documents, with the category filter applied by the server', async () => {
    const lantern = doc('lantern-1', {
      title: 'Camping lantern',
      body: 'A rechargeable camping lantern with a warm light for tents',
      category: 'camping',
    });
    const kettle = doc('kettle-1', {
      title: 'Camping kettle',
      body: 'A light camping kettle for the stove',
      category: 'kitchen',
    });
    const created = await post('/documents', { documents: [lantern, kettle] });
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ upserted: 2, ids: ['lantern-1', 'kettle-1'] });

    // get() reads its own writes at once.
    const got = await get('/documents/lantern-1');
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual(lantern);

    // Search is Bounded-consistent: the new documents become visible within about a second.
    let hits: { id: string; category: string; score: number }[] = [];
    for (let i = 0; i < 20 && !hits.some((h) => h.id === 'lantern-1'); i++) {
      await new Promise((r) => setTimeout(r, 250));
      const res = await get('/search?q=camping%20lantern%20warm%20light&limit=3');
      expect(res.status).toBe(200);
      hits = ((await res.json()) as { hits: typeof hits }).hits;
    }
    expect(hits[0]?.id).toBe('lantern-1');
    expect(hits.length).toBeLessThanOrEqual(3);

    const filtered = await get('/search?q=camping%20lantern&category=kitchen');
    const filteredHits = ((await filtered.json()) as { hits: typeof hits }).hits;
    expect(filteredHits.map((h) => h.id)).toEqual(['kettle-1']);
  });
});

describe('tracing', () => {
  it('puts the trace id in x-trace-id, on errors too; health checks are not traced', async () => {
    for (const res of [await get('/nope'), await get('/search')]) {
      expect(res.headers.get('x-trace-id')).toMatch(/^[0-9a-f]{32}$/);
    }
    // The preset leaves health-check paths untraced by default (MILVUS_OTEL_IGNORE_PATHS): no span, no trace id.
    const health = await get('/healthz');
    expect(health.status).toBe(200);
    expect(health.headers.get('x-trace-id')).toBeNull();
  });

  it('traces a search from the HTTP server span through the Milvus client span into the Milvus server', async () => {
    const res = await get('/search?q=open%20source%20vector%20database');
    expect(res.status).toBe(200);
    const traceId = res.headers.get('x-trace-id') as string;

    const chain = (t: Trace) => {
      const server = serverSpan(t, service, 'GET /search');
      const client = t.spans.find(
        (s) =>
          s.service === service &&
          s.name === `search ${collection}` &&
          server &&
          isDescendant(t, s, server.spanId),
      );
      const remote = t.spans.filter(
        (s) => s.service !== service && client && isDescendant(t, s, client.spanId),
      );
      return { server, client, remote };
    };
    const trace = await waitForTrace(jaegerUrl, traceId, {
      complete: (t) => chain(t).remote.length > 0,
      timeoutMs: 20_000,
      settleMs: 0,
    });
    expect(trace, `trace ${traceId} not in Jaeger`).toBeDefined();
    const { server, client, remote } = chain(trace as Trace);
    expect(server?.tags['http.response.status_code']).toBe(200);
    expect(client?.tags['db.system.name']).toBe('milvus');
    expect(client?.tags['span.kind']).toBe('client');
    expect(remote.length).toBeGreaterThan(0);
    expect(remote.map((s) => s.name)).toContain('Proxy-Search');
  });

  it('enqueues an ingest job that carries the request trace and the retry options', async () => {
    const documents = [doc('queued-1'), doc('queued-2')];
    const res = await post('/ingest', { documents });
    expect(res.status).toBe(202);
    const { jobId } = (await res.json()) as { jobId: string };
    const traceId = res.headers.get('x-trace-id') as string;

    const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
    const queue = new Queue<IngestJobData>(ingestQueue, { connection });
    try {
      const job = await queue.getJob(jobId);
      expect(job?.name).toBe('ingest');
      expect(job?.data.documents).toEqual(documents);
      expect(job?.data.trace.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      expect(job?.opts.attempts).toBe(3);
      expect(job?.opts.backoff).toMatchObject({ type: 'exponential' });

      // The carrier holds the PRODUCER span `send <queue>`, a child of the request's server span.
      const producerId = job?.data.trace.traceparent?.split('-')[2];
      const trace = await waitForTrace(jaegerUrl, traceId, {
        complete: (t) => t.spans.some((s) => s.spanId === producerId),
        timeoutMs: 20_000,
        settleMs: 0,
      });
      const producer = trace?.spans.find((s) => s.spanId === producerId);
      expect(producer?.name).toBe(`send ${ingestQueue}`);
      expect(producer?.tags['span.kind']).toBe('producer');
      const server = trace && serverSpan(trace, service, 'POST /ingest');
      expect(server && producer && isDescendant(trace as Trace, producer, server.spanId)).toBe(true);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      connection.disconnect();
    }
  });
});
