/**
 * End to end, through the real Jaeger: an app's span → one Milvus client span per call → the Milvus server's
 * spans, in one trace, for every SDK line. CommonJS apps run with the gRPC instrumentation and (where the line has
 * it) the SDK's `trace` option on, the set-up most likely to duplicate context; an ES module app imports the SDK
 * statically, with and without the ESM loader hook.
 */
import { isDescendant, type Trace, type TraceSpan, waitForTrace } from '@milvus-otel/jaeger-query';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type FixtureResult,
  hopsComplete,
  JAEGER,
  limiter,
  runFixture,
  serverHop,
  stackEnv,
  traceIdsOfService,
} from './support/fixtures.ts';
import { SDK_LINES, uniqueName } from './support/sdk-lines.ts';

/** The calls of a session and the proxy span Milvus opens for each. */
const SESSION = {
  createCollection: 'Proxy-CreateCollection',
  insert: 'Proxy-Insert',
  createIndex: 'Proxy-CreateIndex',
  loadCollection: 'Proxy-LoadCollection',
  search: 'Proxy-Search',
  query: 'Proxy-Query',
  dropCollection: 'Proxy-DropCollection',
} as const;

/** 2.3 has a loadCollectionSync() of its own; later lines alias it to loadCollection(). */
function operationOf(run: AppRun, call: string): string {
  return call === 'loadCollection' && run.version.startsWith('2.3.') ? 'loadCollectionSync' : call;
}

interface AppRun {
  title: string;
  app: 'app.cjs' | 'app.mjs';
  version: string;
  env: Record<string, string>;
}

const stamp = Date.now().toString(36);
const RUNS: AppRun[] = [
  ...SDK_LINES.map(
    (line): AppRun => ({
      title: `CommonJS app, SDK ${line.version}, gRPC instrumentation on${line.traceOption ? ', SDK trace on' : ''}`,
      app: 'app.cjs',
      version: line.version,
      env: {
        FIXTURE_SDK: line.alias,
        FIXTURE_GRPC: '1',
        FIXTURE_CLIENT_OPTIONS: JSON.stringify(line.traceOption ? { trace: true } : {}),
        // 3.x: frequent client telemetry heartbeats during the session and after it.
        ...(line.version.startsWith('3.')
          ? {
              FIXTURE_CLIENT_OPTIONS: JSON.stringify({
                trace: true,
                telemetry: { heartbeatIntervalMs: 100 },
              }),
              FIXTURE_IDLE_MS: '500',
            }
          : {}),
      },
    }),
  ),
  {
    title: 'ES module app (import from @zilliz/milvus2-sdk-node 3.0.6), ESM loader hook registered',
    app: 'app.mjs',
    version: '3.0.6',
    env: {},
  },
  {
    title: 'ES module app without the ESM loader hook (the SDK is CommonJS: require hooks still patch it)',
    app: 'app.mjs',
    version: '3.0.6',
    env: { FIXTURE_ESM_HOOK: '0' },
  },
];

const schedule = limiter(3);
const measured = new Map<
  AppRun,
  Promise<{ result: FixtureResult; jaeger: Trace; service: string; collection: string }>
>();

beforeAll(() => {
  RUNS.forEach((run, i) => {
    const service = `instr-milvus-session-${i}-${stamp}`;
    const collection = uniqueName(`session_${i}`);
    measured.set(
      run,
      schedule(async () => {
        const result = await runFixture(run.app, {
          ...run.env,
          FIXTURE_MODE: 'session',
          FIXTURE_COLLECTION: collection,
          OTEL_SERVICE_NAME: service,
        });
        const jaeger = await waitForTrace(JAEGER, result.traceId, {
          complete: (t) => hopsComplete(t, Object.values(SESSION)),
          settleMs: 0,
        });
        if (!jaeger) throw new Error(`trace ${result.traceId} never reached Jaeger at ${JAEGER}`);
        return { result, jaeger, service, collection };
      }),
    );
  });
});

describe.each(RUNS)('$title', (run) => {
  let result: FixtureResult;
  let jaeger: Trace;
  let service: string;
  let collection: string;
  const ofService = () => jaeger.spans.filter((s) => s.service === service);

  beforeAll(async () => {
    const done = await measured.get(run);
    if (!done) throw new Error('not scheduled');
    ({ result, jaeger, service, collection } = done);
  });

  it('patches the SDK it loaded and every call succeeds', () => {
    expect(result.sdkVersion).toBe(run.version);
    expect(result.patched).toBe(true);
    expect(Object.keys(result.results)).toEqual(Object.keys(SESSION));
    expect(
      Object.values(result.results).every((r) => r === 'ok'),
      JSON.stringify(result.results),
    ).toBe(true);
  });

  it('puts the app span, the client spans and the Milvus server spans in one trace', () => {
    expect(new Set(jaeger.spans.map((s) => s.traceId))).toEqual(new Set([result.traceId]));
    const services = new Set(jaeger.spans.map((s) => s.service));
    expect(services).toContain(service);
    expect(services).toContain('standalone');
    // Besides the app: the Milvus server (`standalone`) and its C++ segment core (`segcore`).
    for (const name of services) expect([service, 'standalone', 'segcore']).toContain(name);
    const root = jaeger.spans.find((s) => s.spanId === result.rootSpanId);
    expect(root?.name).toBe('fixture request');
    expect(root?.parentId).toBeUndefined();
  });

  it.each(Object.entries(SESSION))(
    '%s: one client span with the database attributes, under the app span',
    (call) => {
      const op = operationOf(run, call);
      const spans = ofService().filter((s) => s.name === `${op} ${collection}`);
      expect(spans).toHaveLength(1);
      const span = spans[0] as TraceSpan;
      expect(span.parentId).toBe(result.rootSpanId);
      expect(span.tags).toMatchObject({
        'span.kind': 'client',
        'otel.scope.name': '@milvus-otel/instrumentation-milvus',
        'db.system.name': 'milvus',
        'db.operation.name': op,
        'db.collection.name': collection,
        'db.namespace': 'default',
        'server.address': (stackEnv.MILVUS_ADDRESS as string).split(':')[0],
        'server.port': Number((stackEnv.MILVUS_ADDRESS as string).split(':')[1]),
      });
      expect(span.tags).not.toHaveProperty('error');
    },
  );

  it.each(Object.entries(SESSION))('%s: the server span %s continues the client span', (call, proxyName) => {
    const client = ofService().find((s) => s.name === `${operationOf(run, call)} ${collection}`);
    const hops = serverHop(jaeger, proxyName);
    expect(hops.length).toBeGreaterThan(0);
    for (const hop of hops) {
      // Milvus server RPC span → the client span itself: no transport span in between.
      expect(hop.rpc?.service).toBe('standalone');
      expect(hop.client?.spanId).toBe(client?.spanId);
      expect(isDescendant(jaeger, hop.proxy, result.rootSpanId)).toBe(true);
    }
  });

  it('sends exactly one traceparent per RPC, the client span, and none on Connect', () => {
    const clientIds = new Set(
      result.spans.filter((s) => s.scope === '@milvus-otel/instrumentation-milvus').map((s) => s.spanId),
    );
    const rpcs = result.metadata.filter((c) => c.method !== 'Connect');
    expect(rpcs.length).toBeGreaterThanOrEqual(Object.keys(SESSION).length);
    for (const call of rpcs) {
      expect(call.traceparent, call.method).toHaveLength(1);
      expect(clientIds.has(call.traceparent[0]?.split('-')[2] ?? ''), call.method).toBe(true);
    }
    for (const call of result.metadata.filter((c) => c.method === 'Connect'))
      expect(call.traceparent).toEqual([]);
  });

  it('has no duplicate transport span, no orphan and no extra root trace', async () => {
    const names = ofService().map((s) => s.name);
    expect(names.filter((n) => n.startsWith('grpc') || n === 'grpc-intercept')).toEqual([]);
    expect(names).toHaveLength(Object.keys(SESSION).length + 1);
    const ids = new Set(jaeger.spans.map((s) => s.spanId));
    // The app's spans and each Milvus RPC entry span link to a parent in the trace. (Spans deeper inside the
    // server may name parents the server never exports; that is Milvus's own business.)
    const rpcEntries = jaeger.spans.filter(
      (s) => s.service === 'standalone' && s.name.startsWith('milvus.proto.milvus.'),
    );
    expect(rpcEntries.length).toBeGreaterThanOrEqual(Object.keys(SESSION).length);
    for (const span of [...ofService(), ...rpcEntries]) {
      if (span.parentId) expect(ids.has(span.parentId), `${span.service} ${span.name}`).toBe(true);
    }
    expect(jaeger.spans.filter((s) => !s.parentId).map((s) => s.spanId)).toEqual([result.rootSpanId]);
    expect(await traceIdsOfService(service)).toEqual([result.traceId]);
  });
});
