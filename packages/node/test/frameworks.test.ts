import { randomBytes } from 'node:crypto';
import { isDescendant, type Trace, type TraceSpan, waitForTrace } from '@milvus-otel/jaeger-query';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { afterAll, describe, expect, it } from 'vitest';
import { appEnv, fixture, jaegerUrl, runNode, stackEnv, startApp, traceWith, unique } from './helpers.ts';

const collections: string[] = [];

afterAll(async () => {
  const client = new MilvusClient({ address: stackEnv.MILVUS_ADDRESS as string });
  for (const collection_name of collections) await client.dropCollection({ collection_name });
  await client.closeConnection();
});

interface Request {
  service: string;
  collection: string;
  traceId: string;
  stderr: string;
}

/**
 * Starts a framework fixture with `--import @milvus-otel/node/register` (no tracing code in the app), requests
 * GET /search/2 under a trace id of ours (W3C traceparent), ends the app with SIGTERM (the preset flushes).
 */
async function requestSearch(app: string, extra: Record<string, string> = {}): Promise<Request> {
  const service = unique(app.replace(/\W/g, '_'));
  const collection = unique('frameworks_col');
  collections.push(collection);
  const { child, firstLine, exited, stderr } = await startApp(
    ['--import', '@milvus-otel/node/register', fixture(app), collection],
    appEnv(service, { NODE_ENV: 'production', ...extra }),
  );
  const { port } = JSON.parse(firstLine) as { port: number };
  const traceId = randomBytes(16).toString('hex');
  const res = await fetch(`http://127.0.0.1:${port}/search/2`, {
    headers: { traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
  });
  expect(res.status, stderr()).toBe(200);
  expect(((await res.json()) as { ids: string[] }).ids).toHaveLength(2);
  child.kill('SIGTERM');
  await exited;
  return { service, collection, traceId, stderr: stderr() };
}

/** Waits for the request's trace with the Milvus client span and every Proxy-Search of the server under it. */
function searchTrace({ service, collection, traceId }: Request): Promise<Trace | undefined> {
  return waitForTrace(jaegerUrl, traceId, {
    complete: (t) => {
      const search = t.spans.find((s) => s.service === service && s.name === `search ${collection}`);
      const proxies = t.spans.filter((s) => s.service === 'standalone' && s.name === 'Proxy-Search');
      return !!search && proxies.length > 0 && proxies.every((p) => isDescendant(t, p, search.spanId));
    },
    settleMs: 0,
  });
}

const serverSpan = (spans: readonly TraceSpan[], service: string) =>
  spans.find((s) => s.service === service && s.tags['span.kind'] === 'server');

describe.each([
  ['Fastify (@fastify/otel)', 'fastify-app.mjs'],
  ['Koa (@koa/router)', 'koa-app.mjs'],
])('%s, started with --import and no code of ours', (_name, app) => {
  it('one trace: `GET /search/:id` server span (http.route) → Milvus client span → Milvus server spans', async () => {
    const request = await requestSearch(app);
    const trace = await searchTrace(request);
    expect(trace, `trace ${request.traceId} in Jaeger; app stderr: ${request.stderr}`).toBeDefined();
    if (!trace) return;
    const server = serverSpan(trace.spans, request.service);
    expect(server?.name).toBe('GET /search/:id');
    expect(server?.tags['http.route']).toBe('/search/:id');
    const search = trace.spans.find((s) => s.name === `search ${request.collection}`);
    expect(search?.tags).toMatchObject({ 'span.kind': 'client', 'db.system.name': 'milvus' });
    expect(search && isDescendant(trace, search, server?.spanId ?? '')).toBe(true);
    for (const proxy of trace.spans.filter((s) => s.name === 'Proxy-Search'))
      expect(isDescendant(trace, proxy, search?.spanId ?? '')).toBe(true);
    // The route is the framework's: no hook or middleware spans by default.
    const mine = trace.spans.filter((s) => s.service === request.service);
    expect(mine.filter((s) => s.name.startsWith('middleware') || s.name.startsWith('handler'))).toEqual([]);
  });
});

describe('OTEL_NODE_ENABLED_INSTRUMENTATIONS / OTEL_NODE_DISABLED_INSTRUMENTATIONS', () => {
  it('http,milvus: Fastify gets no route (server span `GET`, no @fastify/otel span), Milvus still traced', async () => {
    const request = await requestSearch('fastify-app.mjs', {
      OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,milvus',
    });
    const trace = await searchTrace(request);
    expect(trace, request.stderr).toBeDefined();
    const spans = trace?.spans.filter((s) => s.service === request.service) ?? [];
    const server = serverSpan(spans, request.service);
    expect(server?.name).toBe('GET');
    expect(server?.tags['http.route']).toBeUndefined();
    expect(spans.filter((s) => s.tags['fastify.root'] !== undefined || s.name === 'request')).toEqual([]);
    expect(spans.find((s) => s.name === `search ${request.collection}`)?.parentId).toBe(server?.spanId);
  });

  it('http,milvus: Express gets no route either (server span `GET`, no express spans)', async () => {
    const service = unique('express_enabled');
    const { child, firstLine, exited, stderr } = await startApp(
      ['--import', '@milvus-otel/node/register', fixture('express-app.mjs')],
      appEnv(service, {
        OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,milvus',
        MILVUS_OTEL_EXPRESS_LAYERS: 'all',
      }),
    );
    const { port } = JSON.parse(firstLine) as { port: number };
    const res = await fetch(`http://127.0.0.1:${port}/items/42`);
    const { traceId } = (await res.json()) as { traceId: string };
    child.kill('SIGTERM');
    await exited;
    const trace = await traceWith(traceId, [`${service}:GET`, `${service}:work`]);
    expect(trace, stderr()).toBeDefined();
    const spans = trace?.spans ?? [];
    expect(spans.map((s) => s.name).sort()).toEqual(['GET', 'work']);
    expect(spans.find((s) => s.name === 'GET')?.tags['http.route']).toBeUndefined();
  });

  it('milvus disabled: the route span stays, the Milvus client span is gone', async () => {
    const request = await requestSearch('fastify-app.mjs', { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'milvus' });
    const trace = await traceWith(request.traceId, [`${request.service}:GET /search/:id`]);
    expect(trace, request.stderr).toBeDefined();
    const names = trace?.spans.filter((s) => s.service === request.service).map((s) => s.name) ?? [];
    expect(names).toContain('GET /search/:id');
    expect(names.filter((n) => n.startsWith('search '))).toEqual([]);
  });

  it('an unknown name stops start-up with one error naming the variable, the name and the known names', async () => {
    const run = await runNode(
      ['--import', '@milvus-otel/node/register', '-e', 'console.log("app ran")'],
      appEnv('bad-names', { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'fs,expres' }),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain('app ran');
    expect(run.stderr).toContain(
      'OTEL_NODE_DISABLED_INSTRUMENTATIONS is "fs,expres": expected instrumentation names, but "expres" is not one; known names: amqplib,',
    );
  });
});
