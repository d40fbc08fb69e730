/**
 * Client spans of the operations the stack's Milvus 2.3.5 cannot answer (it has no HybridSearch, DescribeDatabase,
 * AlterDatabase or TruncateCollection RPC), against a real Milvus Lite server, which speaks the current Milvus API.
 * Milvus Lite has no tracing of its own: these tests check the client spans (recorded in memory) and the trace
 * context sent with each RPC, not server spans.
 */

import { MILVUS_LITE_VERSION, type MilvusLite, startMilvusLite } from '@milvus-otel/stack/milvus-lite';
import { context, propagation, type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MilvusInstrumentation } from '../src/index.ts';
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

/** Traced operations whose RPC Milvus 2.3.5 does not have, by the SDK line that first exposes them. */
const NEWER_OPERATIONS = [
  'hybridSearch',
  'describeDatabase',
  'alterDatabase',
  'dropDatabaseProperties',
  'truncateCollection',
] as const;
type NewerOperation = (typeof NEWER_OPERATIONS)[number];

/** What each line exposes of NEWER_OPERATIONS: every one of them is run below. */
const EXPOSED: Record<string, readonly NewerOperation[]> = {
  '2.4.9': ['hybridSearch', 'describeDatabase', 'alterDatabase'],
  '2.5.12': ['hybridSearch', 'describeDatabase', 'alterDatabase', 'dropDatabaseProperties'],
  '2.6.17': NEWER_OPERATIONS,
  '3.0.6': NEWER_OPERATIONS,
};

const LINES = SDK_LINES.filter((line) => line.version in EXPOSED);

let lite: MilvusLite;

beforeAll(async () => {
  // Installs Milvus Lite into the stack's cache dir on first use; throws with the server's output if it cannot start.
  lite = await startMilvusLite();
});

afterAll(async () => {
  await lite?.stop();
});

/** Runs `fn` inside an application span, the way a request handler would. */
async function inAppSpan<T>(fn: () => Promise<T>): Promise<{ result: T; appSpan: Span }> {
  const baggage = propagation.createBaggage({ 'app.tenant': { value: 'acme' } });
  return context.with(propagation.setBaggage(context.active(), baggage), () =>
    tracer.startActiveSpan('app request', async (appSpan) => {
      try {
        return { result: await fn(), appSpan };
      } finally {
        appSpan.end();
      }
    }),
  );
}

/** Runs `fn` in an application span and returns what it resolved or threw. */
async function settle(fn: () => Promise<unknown>): Promise<{ resolved?: unknown; thrown?: unknown }> {
  const out: { resolved?: unknown; thrown?: unknown } = {};
  await inAppSpan(() =>
    fn().then(
      (value) => {
        out.resolved = value;
      },
      (error: unknown) => {
        out.thrown = error;
      },
    ),
  );
  return out;
}

interface Status {
  error_code?: string;
  code?: number;
  reason?: string;
}

/** Milvus's status in a response: `{ status }`, or the response itself (calls that return a bare status). */
function statusOf(response: unknown): Status {
  const r = response as Status & { status?: Status };
  return r.status ?? r;
}

function succeeded(response: unknown): boolean {
  const { error_code, code } = statusOf(response);
  return (error_code === undefined || error_code === 'Success') && (code === undefined || code === 0);
}

const ours = (spans: ReadableSpan[]) =>
  spans.filter((s) => s.instrumentationScope.name === '@milvus-otel/instrumentation-milvus');

describe.each(LINES)('@zilliz/milvus2-sdk-node $version against Milvus Lite', (line) => {
  const exposed = EXPOSED[line.version] ?? [];
  const has = (operation: NewerOperation) => exposed.includes(operation);
  const tag = line.version.replace(/\./g, '_');
  const collection = uniqueName(`lite_${tag}`);
  const database = uniqueName(`lite_db_${tag}`);
  let sdk: MilvusSdk;
  let client: MilvusClient;
  let calls: OutgoingCall[];

  beforeAll(async () => {
    sdk = loadSdk(line.alias);
    client = new sdk.MilvusClient({ address: lite.address, logLevel: 'error' } as never);
    calls = recordOutgoingCalls(client, line.alias);
    await createLoadedCollection(sdk, client, collection);
    const created = await client.createDatabase({ db_name: database });
    expect(succeeded(created), JSON.stringify(created)).toBe(true);
  });

  afterAll(async () => {
    await client?.closeConnection();
  });

  beforeEach(() => {
    tracing.exporter.reset();
    calls.length = 0;
  });

  /** The one span of ours, checked for what every client span carries. */
  async function onlySpan(
    name: string,
    collectionName?: string,
    namespace = 'default',
  ): Promise<ReadableSpan> {
    const spans = ours(await tracing.spans());
    expect(spans.map((s) => s.name)).toEqual([name]);
    const span = spans[0] as ReadableSpan;
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toMatchObject({
      'db.system.name': 'milvus',
      'db.operation.name': name.split(' ')[0],
      'db.namespace': namespace,
      'server.address': lite.host,
      'server.port': lite.port,
    });
    expect(span.attributes['db.collection.name']).toBe(collectionName);
    return span;
  }

  /** The RPC went to Milvus Lite once, with the span as the parent in its one `traceparent`. */
  function sentUnder(span: ReadableSpan, method: string): void {
    const sent = calls.filter((c) => c.method === method);
    expect(sent, method).toHaveLength(1);
    expect(sent[0]?.traceparent).toHaveLength(1);
    expect(parentIdOf(sent[0]?.traceparent[0])).toBe(span.spanContext().spanId);
    expect(sent[0]?.baggage).toEqual(['app.tenant=acme']);
  }

  function expectSuccess(span: ReadableSpan): void {
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).not.toHaveProperty('error.type');
    expect(span.attributes).not.toHaveProperty('db.response.status_code');
    expect(span.events).toHaveLength(0);
  }

  function expectMilvusError(span: ReadableSpan, status: Status): void {
    expect(status.code).toEqual(expect.any(Number));
    expect(status.code).not.toBe(0);
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: status.reason });
    expect(span.attributes['db.response.status_code']).toBe(String(status.code));
    expect(span.attributes['error.type']).toBe(String(status.code));
    expect(span.attributes['db.milvus.error_code']).toBe(String(status.error_code));
  }

  it('exposes exactly the newer operations listed for this line', () => {
    expect(sdk.MilvusClient.sdkInfo.version).toBe(line.version);
    const methods = client as unknown as Record<string, unknown>;
    expect(NEWER_OPERATIONS.filter((operation) => typeof methods[operation] === 'function')).toEqual(exposed);
  });

  it('hybridSearch: a client span named after the request, answered by HybridSearch', async () => {
    const request = (i: number) => ({
      anns_field: 'vector',
      data: [vector(i)],
      params: { nprobe: 4 },
      limit: 5,
    });
    const { result, appSpan } = await inAppSpan(() =>
      client.hybridSearch({
        collection_name: collection,
        data: [request(7), request(8)],
        rerank: { strategy: 'rrf', params: { k: 60 } },
        limit: 3,
        output_fields: ['id'],
      } as never),
    );
    expect(succeeded(result), JSON.stringify(result)).toBe(true);
    const hits = (result as { results: { id: unknown }[] }).results;
    expect(hits).toHaveLength(3);
    const span = await onlySpan(`hybridSearch ${collection}`, collection);
    expectSuccess(span);
    expect(span.parentSpanContext?.spanId).toBe(appSpan.spanContext().spanId);
    expect(span.attributes).toMatchObject({
      'db.milvus.search.requests': 2,
      'db.milvus.rerank.strategy': 'rrf',
      'db.milvus.limit': 3,
      'db.milvus.output_fields': ['id'],
      'db.response.returned_rows': 3,
    });
    sentUnder(span, 'HybridSearch');
  });

  it('hybridSearch on a missing collection: Milvus Lite status on the span', async () => {
    const missing = `${collection}_missing`;
    const described = statusOf(await client.describeCollection({ collection_name: missing }));
    tracing.exporter.reset();
    const { resolved, thrown } = await settle(() =>
      client.hybridSearch({
        collection_name: missing,
        data: [{ anns_field: 'vector', data: [vector(1)] }],
        limit: 1,
      } as never),
    );
    expect(resolved).toBeUndefined();
    // 2.4+ throws a TypeError of its own after the schema look-up (DescribeCollection) failed: the span carries
    // Milvus Lite's status of that look-up, and the SDK's error as the exception event.
    expect(thrown).toBeInstanceOf(TypeError);
    expect(described).toMatchObject({ code: 100, error_code: 'CollectionNotExists' });
    const span = await onlySpan(`hybridSearch ${missing}`, missing);
    expectMilvusError(span, described);
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
    expect(span.events[0]?.attributes?.['exception.message']).toBe((thrown as Error).message);
    expect(calls.map((c) => c.method)).not.toContain('HybridSearch');
  });

  it('describeDatabase: success, and a missing database', async () => {
    const { result } = await inAppSpan(() => client.describeDatabase({ db_name: database }));
    expect(succeeded(result), JSON.stringify(result)).toBe(true);
    expect((result as { db_name: string }).db_name).toBe(database);
    const span = await onlySpan('describeDatabase', undefined, database);
    expectSuccess(span);
    sentUnder(span, 'DescribeDatabase');

    tracing.exporter.reset();
    const missing = `${database}_missing`;
    const { resolved, thrown } = await settle(() => client.describeDatabase({ db_name: missing }));
    expect(thrown).toBeUndefined();
    expect(statusOf(resolved).reason).toContain('does not exist');
    expectMilvusError(await onlySpan('describeDatabase', undefined, missing), statusOf(resolved));
  });

  it('alterDatabase: success (read back), and a missing database', async () => {
    const { result } = await inAppSpan(() =>
      client.alterDatabase({ db_name: database, properties: { 'database.max.collections': 7 } } as never),
    );
    expect(succeeded(result), JSON.stringify(result)).toBe(true);
    const span = await onlySpan('alterDatabase', undefined, database);
    expectSuccess(span);
    sentUnder(span, 'AlterDatabase');
    const described = (await client.describeDatabase({ db_name: database })) as unknown as {
      properties: { key: string; value: string }[];
    };
    expect(described.properties).toContainEqual({ key: 'database.max.collections', value: '7' });

    tracing.exporter.reset();
    const missing = `${database}_missing`;
    const { resolved, thrown } = await settle(() =>
      client.alterDatabase({ db_name: missing, properties: { 'database.max.collections': 7 } } as never),
    );
    expect(thrown).toBeUndefined();
    expect(statusOf(resolved).reason).toContain('does not exist');
    expectMilvusError(await onlySpan('alterDatabase', undefined, missing), statusOf(resolved));
  });

  if (has('dropDatabaseProperties'))
    it('dropDatabaseProperties: success (read back), and a missing database', async () => {
      const set = await client.alterDatabase({
        db_name: database,
        properties: { 'database.replica.number': 1 },
      } as never);
      expect(succeeded(set), JSON.stringify(set)).toBe(true);
      tracing.exporter.reset();
      calls.length = 0;
      const { result } = await inAppSpan(() =>
        client.dropDatabaseProperties({
          db_name: database,
          properties: ['database.replica.number'],
        } as never),
      );
      expect(succeeded(result), JSON.stringify(result)).toBe(true);
      const span = await onlySpan('dropDatabaseProperties', undefined, database);
      expectSuccess(span);
      sentUnder(span, 'AlterDatabase');
      const described = (await client.describeDatabase({ db_name: database })) as unknown as {
        properties: { key: string }[];
      };
      expect(described.properties.map((p) => p.key)).not.toContain('database.replica.number');

      tracing.exporter.reset();
      const missing = `${database}_missing`;
      const { resolved, thrown } = await settle(() =>
        client.dropDatabaseProperties({
          db_name: missing,
          properties: ['database.replica.number'],
        } as never),
      );
      expect(thrown).toBeUndefined();
      expect(statusOf(resolved).reason).toContain('does not exist');
      expectMilvusError(await onlySpan('dropDatabaseProperties', undefined, missing), statusOf(resolved));
    });

  if (has('truncateCollection'))
    it('truncateCollection: success (rows gone), and a missing collection', async () => {
      const target = uniqueName(`lite_trunc_${tag}`);
      await createLoadedCollection(sdk, client, target, 5);
      const truncate = (name: string) =>
        client.truncateCollection({
          collection_name: name,
        } as never);
      tracing.exporter.reset();
      calls.length = 0;
      const { result } = await inAppSpan(() => truncate(target));
      expect(succeeded(result), JSON.stringify(result)).toBe(true);
      const span = await onlySpan(`truncateCollection ${target}`, target);
      expectSuccess(span);
      sentUnder(span, 'TruncateCollection');
      const left = await client.query({
        collection_name: target,
        filter: 'id > 0',
        output_fields: ['id'],
      } as never);
      expect((left as { data: unknown[] }).data).toEqual([]);

      tracing.exporter.reset();
      const missing = `${target}_missing`;
      const { resolved, thrown } = await settle(() => truncate(missing));
      expect(thrown).toBeUndefined();
      expect(statusOf(resolved)).toMatchObject({ code: 100, error_code: 'CollectionNotExists' });
      expectMilvusError(await onlySpan(`truncateCollection ${missing}`, missing), statusOf(resolved));
    });

  it(`runs against Milvus Lite ${MILVUS_LITE_VERSION}`, async () => {
    const version = await client.getVersion();
    expect((version as { version: string }).version).toContain(MILVUS_LITE_VERSION);
  });
});
