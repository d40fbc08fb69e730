/**
 * Spans of every SDK line against the real Milvus server, recorded in memory. The instrumentation is enabled
 * before any SDK line is loaded, as an application does; each line is then loaded with `require`.
 */
import { context, propagation, type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { isWrapped } from '@opentelemetry/instrumentation';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MilvusInstrumentation } from '../src/index.ts';
import { stackEnv } from './support/fixtures.ts';
import { type OutgoingCall, recordOutgoingCalls } from './support/metadata.ts';
import {
  createLoadedCollection,
  loadSdk,
  type MilvusClient,
  type MilvusSdk,
  SDK_LINES,
  uniqueName,
  vector,
} from './support/sdk-lines.ts';
import { parentIdOf, setupTracing } from './support/tracing.ts';

const tracing = setupTracing();
const instrumentation = new MilvusInstrumentation();
instrumentation.setTracerProvider(tracing.provider);
const tracer = tracing.provider.getTracer('test-app');
const ADDRESS = stackEnv.MILVUS_ADDRESS as string;
const [HOST, PORT] = ADDRESS.split(':');

/** Runs `fn` inside an application span with baggage, the way a request handler would. */
async function inAppSpan<T>(fn: (span: Span) => Promise<T>): Promise<{ result: T; appSpan: Span }> {
  const baggage = propagation.createBaggage({ 'app.tenant': { value: 'acme' } });
  return context.with(propagation.setBaggage(context.active(), baggage), () =>
    tracer.startActiveSpan('app request', async (appSpan) => {
      try {
        return { result: await fn(appSpan), appSpan };
      } finally {
        appSpan.end();
      }
    }),
  );
}

/** A response, or a thrown value, with Milvus's status. */
interface Resolved {
  status: { error_code: string; code: number; reason: string };
}

const ours = (spans: ReadableSpan[]) =>
  spans.filter((s) => s.instrumentationScope.name === '@milvus-otel/instrumentation-milvus');
const named = (spans: ReadableSpan[], name: string) => spans.filter((s) => s.name === name);

describe.each(SDK_LINES)('@zilliz/milvus2-sdk-node $version', (line) => {
  let sdk: MilvusSdk;
  let client: MilvusClient;
  let calls: OutgoingCall[];
  const collection = uniqueName(`instr_${line.version.replace(/\./g, '_')}`);

  beforeAll(async () => {
    sdk = loadSdk(line.alias);
    client = new sdk.MilvusClient({ address: ADDRESS });
    calls = recordOutgoingCalls(client, line.alias);
    await createLoadedCollection(sdk, client, collection);
  });

  afterAll(async () => {
    instrumentation.setConfig({});
    instrumentation.enable();
    await client.dropCollection({ collection_name: collection });
    await client.closeConnection();
  });

  beforeEach(() => {
    instrumentation.setConfig({});
    tracing.exporter.reset();
    calls.length = 0;
  });

  it('loads the line under test, patched along the class chain', () => {
    expect(sdk.MilvusClient.sdkInfo.version).toBe(line.version);
    const proto = sdk.MilvusClient.prototype as unknown as Record<string, unknown>;
    for (const method of [
      'search',
      'query',
      'insert',
      'createCollection',
      'createIndex',
      'describeCollection',
    ]) {
      expect(isWrapped(proto[method]), method).toBe(true);
    }
    for (const method of ['createPartition', 'createAlias', 'listDatabases', 'createUser', 'getVersion']) {
      expect(isWrapped(proto[method]), method).toBe(true);
    }
    expect(isWrapped(proto.connect)).toBe(true);
    // Internal helpers and local-only methods are left alone.
    expect(isWrapped(proto.metadataListener)).toBe(false);
    expect(isWrapped(proto.use)).toBe(false);
    expect(isWrapped(proto.closeConnection)).toBe(false);
  });

  it('makes one client span per call under the caller, none for the SDK-internal calls', async () => {
    const { appSpan } = await inAppSpan(async () => {
      await client.describeCollection({ collection_name: collection });
      await client.search({
        collection_name: collection,
        data: [vector(3), vector(4)],
        limit: 2,
        output_fields: ['id'],
      } as never);
      await client.query({ collection_name: collection, filter: 'id in [1, 2, 3]', limit: 10 } as never);
      await client.upsert({ collection_name: collection, data: [{ id: 1, vector: vector(1) }] } as never);
      await client.delete({ collection_name: collection, ids: [20] } as never);
    });
    const spans = ours(await tracing.spans());
    expect(spans.map((s) => s.name)).toEqual([
      `describeCollection ${collection}`,
      `search ${collection}`,
      `query ${collection}`,
      `upsert ${collection}`,
      `delete ${collection}`,
    ]);
    for (const span of spans) {
      expect(span.kind).toBe(SpanKind.CLIENT);
      expect(span.parentSpanContext?.spanId).toBe(appSpan.spanContext().spanId);
      expect(span.spanContext().traceId).toBe(appSpan.spanContext().traceId);
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
      expect(span.attributes).toMatchObject({
        'db.system.name': 'milvus',
        'db.namespace': 'default',
        'db.collection.name': collection,
        'server.address': HOST,
        'server.port': Number(PORT),
      });
      expect(span.attributes['db.operation.name']).toBe(span.name.split(' ')[0]);
    }
    const [, search, query, upsert, del] = spans;
    expect(search?.attributes).toMatchObject({
      'db.operation.name': 'search',
      'db.milvus.limit': 2,
      'db.milvus.nq': 2,
      'db.operation.batch.size': 2,
      'db.milvus.vector.dimension': 8,
      'db.milvus.output_fields': ['id'],
      'db.response.returned_rows': 4,
    });
    expect(query?.attributes).toMatchObject({ 'db.milvus.limit': 10, 'db.response.returned_rows': 3 });
    expect(query?.attributes).not.toHaveProperty('db.query.text');
    expect(upsert?.attributes).toMatchObject({ 'db.milvus.row_count': 1, 'db.milvus.upsert_count': 1 });
    expect(del?.attributes).toMatchObject({ 'db.milvus.delete_count': 1 });
  });

  it('sends the client span as the parent, exactly once per RPC, with the baggage', async () => {
    await inAppSpan(async () => {
      await client.search({ collection_name: collection, data: [vector(5)], limit: 1 } as never);
      await client.insert({ collection_name: collection, data: [{ id: 100, vector: vector(100) }] } as never);
    });
    const spans = ours(await tracing.spans());
    const search = named(spans, `search ${collection}`)[0];
    const insert = named(spans, `insert ${collection}`)[0];
    const rpcs = calls.filter((c) => c.method !== 'Connect');
    expect(rpcs.map((c) => c.method)).toContain('Search');
    expect(rpcs.map((c) => c.method)).toContain('Insert');
    for (const call of rpcs) {
      expect(call.traceparent, call.method).toHaveLength(1);
      expect(call.baggage, call.method).toEqual(['app.tenant=acme']);
    }
    const parentOf = (method: string) =>
      calls.filter((c) => c.method === method).map((c) => parentIdOf(c.traceparent[0]));
    expect(parentOf('Search')).toEqual([search?.spanContext().spanId]);
    expect(parentOf('Insert')).toEqual([insert?.spanContext().spanId]);
    // Schema look-ups the SDK makes inside insert continue the insert span, without a span of their own.
    for (const id of parentOf('DescribeCollection')) {
      expect([search?.spanContext().spanId, insert?.spanContext().spanId]).toContain(id);
    }
  });

  it('marks a failure that Milvus returns in the response status', async () => {
    const missing = `${collection}_missing`;
    const { result } = await inAppSpan(() => client.describeCollection({ collection_name: missing }));
    const status = (result as { status: { error_code: string; reason: string } }).status;
    expect(status.error_code).not.toBe('Success');
    const [span] = ours(await tracing.spans());
    expect(span?.name).toBe(`describeCollection ${missing}`);
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: status.reason });
    expect(span?.attributes['db.response.status_code']).toEqual(expect.any(String));
    expect(span?.attributes['error.type']).toBe(span?.attributes['db.response.status_code']);
    expect(span?.attributes['db.milvus.error_code']).toBe(status.error_code);
    expect(span?.events).toHaveLength(0);
  });

  it('reports the Milvus status of the nested call a search on a missing collection fails on', async () => {
    const missing = `${collection}_absent`;
    // Milvus's answer to the schema look-up (DescribeCollection) the search makes first.
    const described = ((await client.describeCollection({ collection_name: missing })) as unknown as Resolved)
      .status;
    expect(described).toMatchObject({ code: 100, reason: expect.stringContaining('collection not found') });
    tracing.exporter.reset();
    let resolved: Resolved | undefined;
    let thrown: unknown;
    await inAppSpan(() =>
      client.search({ collection_name: missing, data: [vector(1)], limit: 1 } as never).then(
        (response) => {
          resolved = response as unknown as Resolved;
        },
        (error: unknown) => {
          thrown = error;
        },
      ),
    );
    const spans = ours(await tracing.spans());
    expect(spans.map((s) => s.name)).toEqual([`search ${missing}`]);
    const span = spans[0];
    // The span carries Milvus's status: the search's own where the line returns it, else the nested call's.
    let status: Resolved['status'];
    if (line.missingCollectionSearch === 'status') {
      expect(thrown).toBeUndefined();
      status = resolved?.status as Resolved['status'];
      expect(span?.events).toHaveLength(0);
    } else {
      expect(thrown).toBeInstanceOf(Error);
      status = described;
      // The SDK's own error is kept as the exception.
      expect(span?.events.map((e) => e.name)).toEqual(['exception']);
      expect(span?.events[0]?.attributes?.['exception.message']).toBe((thrown as Error).message);
    }
    expect(status.code).toBe(100);
    expect(span?.attributes).toMatchObject({
      'db.response.status_code': '100',
      'error.type': '100',
      'db.milvus.error_code': status.error_code,
    });
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: status.reason });
  });

  it('reports a Milvus status the SDK throws: an insert into a missing collection', async () => {
    const missing = `${collection}_absent`;
    let thrown: unknown;
    await inAppSpan(() =>
      client
        .insert({ collection_name: missing, data: [{ id: 1 }], fields_data: [{ id: 1 }] } as never)
        .catch((error: unknown) => {
          thrown = error;
        }),
    );
    // Every line throws the failed DescribeCollection response itself.
    const { status } = thrown as Resolved;
    expect(status.code).toBe(100);
    const [span] = ours(await tracing.spans());
    expect(span?.name).toBe(`insert ${missing}`);
    expect(span?.attributes).toMatchObject({
      'db.response.status_code': '100',
      'error.type': '100',
      'db.milvus.error_code': status.error_code,
    });
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: status.reason });
  });

  it('records a thrown error on the span and rethrows it unchanged', async () => {
    let thrown: unknown;
    await inAppSpan(async () => {
      thrown = await client.createCollection({ fields: [] } as never).then(
        () => undefined,
        (error: unknown) => error,
      );
    });
    expect(thrown).toBeInstanceOf(Error);
    const [span] = ours(await tracing.spans());
    expect(span?.name).toBe('createCollection');
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: (thrown as Error).message });
    expect(span?.attributes['error.type']).toBe('Error');
    expect(span?.events.map((e) => e.name)).toEqual(['exception']);
    expect(span?.events[0]?.attributes?.['exception.message']).toBe((thrown as Error).message);
  });

  if (!line.hybridSearch) {
    it('has no hybridSearch() on this line', () => {
      expect((client as unknown as Record<string, unknown>).hybridSearch).toBeUndefined();
    });
  }

  if (line.hybridSearch)
    it('names a hybrid search after its request and reports it failing on Milvus 2.3', async () => {
      const request = (i: number) => ({ anns_field: 'vector', data: [vector(i)], params: { nprobe: 4 } });
      await inAppSpan(async () => {
        await client
          .hybridSearch({
            collection_name: collection,
            data: [request(7), request(8)],
            rerank: { strategy: 'rrf', params: { k: 60 } },
            limit: 3,
          } as never)
          .catch(() => undefined);
      });
      const spans = ours(await tracing.spans());
      expect(spans.map((s) => s.name)).toEqual([`hybridSearch ${collection}`]);
      expect(spans[0]?.attributes).toMatchObject({
        'db.operation.name': 'hybridSearch',
        'db.milvus.search.requests': 2,
        'db.milvus.rerank.strategy': 'rrf',
        'db.milvus.limit': 3,
      });
      // The 2.3 server of the local stack has no HybridSearch RPC.
      expect(spans[0]?.status.code).toBe(SpanStatusCode.ERROR);
    });

  it('runs the hooks with the operation, request and response, and survives hooks that throw', async () => {
    const seen: string[] = [];
    instrumentation.setConfig({
      requestHook: (span, { operation, request }) => {
        seen.push(`request ${operation} ${(request as { collection_name: string }).collection_name}`);
        span.setAttribute('app.request_hook', true);
        throw new Error('request hook bug');
      },
      responseHook: (span, { operation, response }) => {
        seen.push(`response ${operation} ${(response as { results: unknown[] }).results.length}`);
        span.setAttribute('app.response_hook', true);
        throw new Error('response hook bug');
      },
    });
    const { result } = await inAppSpan(() =>
      client.search({ collection_name: collection, data: [vector(2)], limit: 2 } as never),
    );
    expect((result as { results: unknown[] }).results).toHaveLength(2);
    expect(seen).toEqual([`request search ${collection}`, 'response search 2']);
    const [span] = ours(await tracing.spans());
    expect(span?.attributes).toMatchObject({ 'app.request_hook': true, 'app.response_hook': true });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(span?.ended).toBe(true);
  });

  it('makes no span outside a parent when requireParentSpan is set', async () => {
    instrumentation.setConfig({ requireParentSpan: true });
    await client.hasCollection({ collection_name: collection });
    expect(ours(await tracing.spans())).toHaveLength(0);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((c) => c.traceparent.length === 0)).toBe(true);
    await inAppSpan(() => client.hasCollection({ collection_name: collection }));
    expect(ours(await tracing.spans()).map((s) => s.name)).toEqual([`hasCollection ${collection}`]);
  });

  it('records the filter, masked, only with captureFilter', async () => {
    const filter = 'id in [1, 2] or id == 3';
    await inAppSpan(() => client.query({ collection_name: collection, filter, expr: filter } as never));
    expect(ours(await tracing.spans())[0]?.attributes).not.toHaveProperty('db.query.text');
    tracing.exporter.reset();
    instrumentation.setConfig({ captureFilter: true });
    await inAppSpan(() => client.query({ collection_name: collection, filter, expr: filter } as never));
    const [span] = ours(await tracing.spans());
    expect(span?.attributes['db.query.text']).toBe('id in [?, ?] or id == ?');
  });

  it('keeps vectors, filter values and credentials out of the spans', async () => {
    const password = 'Pa55-word-not-in-spans';
    const secretClient = new sdk.MilvusClient({ address: ADDRESS, username: 'root', password });
    const secretCalls = recordOutgoingCalls(secretClient, line.alias);
    instrumentation.setConfig({ captureFilter: true });
    const probe = Array.from({ length: 8 }, (_, i) => 0.123456789 + i);
    await inAppSpan(async () => {
      await secretClient.search({
        collection_name: collection,
        data: [probe],
        filter: 'id in [987654321]',
        limit: 1,
      } as never);
    });
    await secretClient.closeConnection();
    // The SDK sends credentials in its own metadata; the spans must not carry them.
    const auth = secretCalls.find((c) => c.method === 'Search')?.authorization[0];
    expect(auth).toEqual(expect.any(String));
    const recorded = JSON.stringify(
      (await tracing.spans()).map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })),
    );
    for (const secret of ['0.123456789', '987654321', password, 'authorization', String(auth)]) {
      expect(recorded).not.toContain(secret);
    }
  });

  // Lines without the option ignore it; the assertions hold for every line.
  it('with the SDK trace option on: no grpc-intercept span, one traceparent, the client span', async () => {
    const traced = new sdk.MilvusClient({ address: ADDRESS, trace: true } as never);
    const tracedCalls = recordOutgoingCalls(traced, line.alias);
    const { appSpan } = await inAppSpan(() =>
      traced.search({ collection_name: collection, data: [vector(1)], limit: 1 } as never),
    );
    await traced.closeConnection();
    const spans = await tracing.spans();
    expect(spans.filter((s) => s.name === 'grpc-intercept')).toHaveLength(0);
    const search = named(spans, `search ${collection}`)[0];
    expect(search?.parentSpanContext?.spanId).toBe(appSpan.spanContext().spanId);
    const searchCall = tracedCalls.find((c) => c.method === 'Search');
    expect(searchCall?.traceparent).toHaveLength(1);
    expect(parentIdOf(searchCall?.traceparent[0])).toBe(search?.spanContext().spanId);
  });

  it('keeps connect and background calls out of traces: no root span besides the app', async () => {
    const options: Record<string, unknown> = { address: ADDRESS };
    if (line.traceOption) options.trace = true;
    // 3.x sends client telemetry heartbeats in the background; make them frequent.
    if (line.version.startsWith('3.')) options.telemetry = { heartbeatIntervalMs: 100 };
    let fresh: MilvusClient | undefined;
    let freshCalls: OutgoingCall[] = [];
    let heartbeats = 0;
    const { appSpan } = await inAppSpan(async () => {
      // Constructed inside the request: its Connect RPC must not join (or start) a trace either.
      fresh = new sdk.MilvusClient(options as never);
      freshCalls = recordOutgoingCalls(fresh, line.alias);
      const client = fresh as unknown as Record<string, (...args: unknown[]) => unknown>;
      const send = client.sendTelemetryHeartbeat;
      if (send) {
        client.sendTelemetryHeartbeat = function (this: unknown, ...args: unknown[]) {
          heartbeats += 1;
          return send.apply(this, args);
        };
      }
      await fresh.search({ collection_name: collection, data: [vector(9)], limit: 1 } as never);
    });
    await new Promise((resolve) => setTimeout(resolve, 600));
    await fresh?.closeConnection();
    if (line.version.startsWith('3.')) expect(heartbeats).toBeGreaterThan(0);
    // 2.3 sends Connect synchronously in the constructor, before a recorder can be added.
    if (!line.version.startsWith('2.3.')) expect(freshCalls.map((c) => c.method)).toContain('Connect');
    for (const call of freshCalls.filter((c) => c.method === 'Connect')) expect(call.traceparent).toEqual([]);
    const spans = await tracing.spans();
    expect(spans.filter((s) => !s.parentSpanContext).map((s) => s.name)).toEqual(['app request']);
    expect(ours(spans).map((s) => s.name)).toEqual([`search ${collection}`]);
    expect(spans.every((s) => s.spanContext().traceId === appSpan.spanContext().traceId)).toBe(true);
  });

  it('disable() restores the original methods; enable() patches them again', async () => {
    const proto = sdk.MilvusClient.prototype as unknown as Record<string, { __original?: unknown }>;
    const wrappedSearch = proto.search;
    const originalSearch = wrappedSearch?.__original;
    const originalConnect = proto.connect?.__original;
    expect(typeof originalSearch).toBe('function');

    instrumentation.disable();
    try {
      expect(proto.search).toBe(originalSearch);
      expect(proto.connect).toBe(originalConnect);
      expect(isWrapped(proto.insert)).toBe(false);
      await inAppSpan(async () => {
        await client.search({ collection_name: collection, data: [vector(1)], limit: 1 } as never);
        // An alias the client captured at construction (the wrapper) passes through too.
        if (line.hybridSearch) {
          await client.hybridSearch({ collection_name: collection, data: [vector(1)], limit: 1 } as never);
        }
      });
      expect(ours(await tracing.spans())).toHaveLength(0);
      expect(calls.filter((c) => c.method === 'Search').every((c) => c.traceparent.length === 0)).toBe(true);
    } finally {
      instrumentation.enable();
    }
    expect(isWrapped(proto.search)).toBe(true);
    expect((proto.search as { __original?: unknown }).__original).toBe(originalSearch);
    tracing.exporter.reset();
    await inAppSpan(() =>
      client.search({ collection_name: collection, data: [vector(1)], limit: 1 } as never),
    );
    expect(ours(await tracing.spans()).map((s) => s.name)).toEqual([`search ${collection}`]);
  });
});
