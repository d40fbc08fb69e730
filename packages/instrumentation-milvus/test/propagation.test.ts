/**
 * The propagation matrix, measured: for every SDK line, the SDK's own `trace` option (where it exists) × the
 * gRPC instrumentation × transport spans suppressed (default) or kept. Each cell runs a CommonJS app in its own
 * process, reads the metadata the client sent and the spans it made, and reads the trace back from Jaeger.
 */
import { isDescendant, type Trace, waitForTrace } from '@milvus-otel/jaeger-query';
import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type FixtureResult,
  type FixtureSpan,
  hopsComplete,
  JAEGER,
  limiter,
  runFixture,
  serverHop,
  stackEnv,
  traceIdsOfService,
} from './support/fixtures.ts';
import {
  createLoadedCollection,
  loadSdk,
  type MilvusClient,
  SDK_LINES,
  type SdkLine,
  uniqueName,
} from './support/sdk-lines.ts';
import { parentIdOf } from './support/tracing.ts';

interface Cell {
  sdkTrace: boolean;
  grpc: boolean;
  suppress: boolean;
}

function cells(line: SdkLine): Cell[] {
  const out: Cell[] = [];
  for (const suppress of [true, false]) {
    for (const sdkTrace of line.traceOption ? [false, true] : [false]) {
      for (const grpc of [false, true]) out.push({ sdkTrace, grpc, suppress });
    }
  }
  return out;
}

const GRPC_SCOPE = '@opentelemetry/instrumentation-grpc';
const SDK_TRACE_SCOPE = 'milvus-node-client';
const OUR_SCOPE = '@milvus-otel/instrumentation-milvus';

/** Each run reports under a service name of its own, so its traces can be counted in Jaeger. */
const stamp = Date.now().toString(36);
const cellKey = (line: SdkLine, cell: Cell) =>
  `${line.version}-${cell.sdkTrace ? 't' : 'n'}${cell.grpc ? 'g' : 'n'}${cell.suppress ? 's' : 'k'}`;
const serviceName = (line: SdkLine, cell: Cell) => `instr-milvus-${cellKey(line, cell)}-${stamp}`;

const collection = uniqueName('propagation');
let setupClient: MilvusClient;
let collectionReady: Promise<void>;

interface Measured {
  result: FixtureResult;
  jaeger: Trace;
}

const schedule = limiter(4);

/** One cell of the matrix: runs the app once and waits until its trace, server spans included, is in Jaeger. */
function measure(line: SdkLine, cell: Cell, service: string): Promise<Measured> {
  return schedule(async () => {
    await collectionReady;
    const result = await runFixture('app.cjs', {
      FIXTURE_SDK: line.alias,
      FIXTURE_MODE: 'search',
      FIXTURE_COLLECTION: collection,
      FIXTURE_GRPC: cell.grpc ? '1' : '0',
      FIXTURE_SUPPRESS: cell.suppress ? '1' : '0',
      FIXTURE_CLIENT_OPTIONS: JSON.stringify(cell.sdkTrace ? { trace: true } : {}),
      OTEL_SERVICE_NAME: service,
    });
    const jaeger = await waitForTrace(JAEGER, result.traceId, {
      complete: (t) => hopsComplete(t, ['Proxy-Search', 'Proxy-Query']),
      settleMs: 0,
    });
    if (!jaeger) throw new Error(`trace ${result.traceId} never reached Jaeger at ${JAEGER}`);
    return { result, jaeger };
  });
}

const runs = new Map<string, Promise<Measured>>();
/** Without this instrumentation, gRPC instrumentation on, and the SDK's trace option where the line has it. */
const baselines = new Map<string, Promise<FixtureResult>>();

beforeAll(() => {
  // Prepared by an uninstrumented client: this process registers no instrumentation.
  const sdk = loadSdk('milvus-sdk-3.0');
  setupClient = new sdk.MilvusClient({ address: stackEnv.MILVUS_ADDRESS as string, logLevel: 'info' });
  collectionReady = createLoadedCollection(sdk, setupClient, collection);
  for (const line of SDK_LINES) {
    for (const cell of cells(line)) {
      runs.set(cellKey(line, cell), measure(line, cell, serviceName(line, cell)));
    }
    baselines.set(
      line.version,
      schedule(async () => {
        await collectionReady;
        return runFixture('app.cjs', {
          FIXTURE_MILVUS: '0',
          FIXTURE_SDK: line.alias,
          FIXTURE_MODE: 'search',
          FIXTURE_COLLECTION: collection,
          FIXTURE_GRPC: '1',
          FIXTURE_CLIENT_OPTIONS: JSON.stringify(line.traceOption ? { trace: true } : {}),
          OTEL_SERVICE_NAME: `instr-milvus-baseline-${line.version}-${stamp}`,
        });
      }),
    );
  }
  return collectionReady;
});

afterAll(async () => {
  await setupClient?.dropCollection({ collection_name: collection });
  await setupClient?.closeConnection();
});

describe.each(SDK_LINES)('@zilliz/milvus2-sdk-node $version', (line) => {
  describe(`baseline without this instrumentation: gRPC instrumentation on${line.traceOption ? ', SDK trace on' : ''}`, () => {
    let baseline: FixtureResult;
    beforeAll(async () => {
      baseline = (await baselines.get(line.version)) as FixtureResult;
    });

    it("starts a root span for the client's own Connect call", () => {
      expect(baseline.patched).toBe(false);
      expect(baseline.results).toEqual({ describeCollection: 'ok', search: 'ok', query: 'ok' });
      const roots = baseline.spans.filter((s) => !s.parentSpanId).map((s) => s.name);
      expect(roots).toContain('grpc.milvus.proto.milvus.MilvusService/Connect');
    });

    it(
      line.traceOption
        ? 'sends two traceparent headers on every call (the gRPC instrumentation sets one, the SDK adds one)'
        : 'sends one traceparent, from the gRPC span, and makes no database span',
      () => {
        const rpcs = baseline.metadata.filter((c) => c.method !== 'Connect');
        expect(rpcs.length).toBeGreaterThan(0);
        for (const call of rpcs) expect(call.traceparent, call.method).toHaveLength(line.traceOption ? 2 : 1);
        expect(baseline.spans.filter((s) => s.scope === OUR_SCOPE)).toEqual([]);
      },
    );
  });

  describe.each(cells(line))(
    'SDK trace option $sdkTrace, gRPC instrumentation $grpc, transport spans suppressed $suppress',
    (cell) => {
      const service = serviceName(line, cell);
      let result: FixtureResult;
      let jaeger: Trace;
      let spans: FixtureSpan[];
      const scoped = (scope: string) => spans.filter((s) => s.scope === scope);
      const ourSpan = (op: string) => scoped(OUR_SCOPE).find((s) => s.name === `${op} ${collection}`);
      /** The span whose id the Search RPC must carry: the innermost recorded span above the transport. */
      const expectedSearchParent = () =>
        !cell.suppress && cell.grpc
          ? scoped(GRPC_SCOPE).find((s) => s.name.endsWith('MilvusService/Search'))
          : ourSpan('search');

      beforeAll(async () => {
        const measured = await runs.get(cellKey(line, cell));
        if (!measured) throw new Error(`no run for ${cellKey(line, cell)}`);
        ({ result, jaeger } = measured);
        spans = result.spans;
      });

      it('runs the line under test, patched, and every call succeeds', () => {
        expect(result.sdkVersion).toBe(line.version);
        expect(result.patched).toBe(true);
        expect(result.results).toEqual({ describeCollection: 'ok', search: 'ok', query: 'ok' });
      });

      it('makes one client span per call, under the application span', () => {
        const names = scoped(OUR_SCOPE).map((s) => s.name);
        expect(names).toEqual([
          `describeCollection ${collection}`,
          `search ${collection}`,
          `query ${collection}`,
        ]);
        for (const span of scoped(OUR_SCOPE)) {
          expect(span.kind).toBe(SpanKind.CLIENT);
          expect(span.parentSpanId).toBe(result.rootSpanId);
        }
      });

      it(
        cell.suppress ? 'hides the transport spans' : 'keeps the transport spans, under the client spans',
        () => {
          const ourIds = new Set(scoped(OUR_SCOPE).map((s) => s.spanId));
          const grpcSpans = scoped(GRPC_SCOPE);
          const sdkSpans = scoped(SDK_TRACE_SCOPE);
          if (cell.suppress || !cell.grpc) expect(grpcSpans).toEqual([]);
          else {
            expect(grpcSpans.map((s) => s.name)).toEqual(
              expect.arrayContaining([
                'grpc.milvus.proto.milvus.MilvusService/Search',
                'grpc.milvus.proto.milvus.MilvusService/Query',
              ]),
            );
            for (const span of grpcSpans) expect(ourIds.has(span.parentSpanId ?? '')).toBe(true);
          }
          if (cell.suppress || !cell.sdkTrace) expect(sdkSpans).toEqual([]);
          else {
            expect(sdkSpans.length).toBeGreaterThan(0);
            const transportIds = new Set([...ourIds, ...grpcSpans.map((s) => s.spanId)]);
            for (const span of sdkSpans) {
              expect(span.name).toBe('grpc-intercept');
              expect(transportIds.has(span.parentSpanId ?? '')).toBe(true);
            }
          }
          // The client's own Connect call is never traced, whatever the settings.
          expect(spans.some((s) => s.name.endsWith('/Connect'))).toBe(false);
        },
      );

      it('sends exactly one traceparent per RPC, and none on Connect', () => {
        const rpcs = result.metadata.filter((c) => c.method !== 'Connect');
        expect(rpcs.map((c) => c.method)).toEqual(
          expect.arrayContaining(['DescribeCollection', 'Search', 'Query']),
        );
        for (const call of rpcs) {
          expect(call.traceparent, call.method).toHaveLength(1);
          expect(call.tracestate, call.method).toHaveLength(0);
          expect(call.baggage, call.method).toEqual(['fixture.user=alice']);
        }
        for (const call of result.metadata.filter((c) => c.method === 'Connect')) {
          expect(call.traceparent).toEqual([]);
        }
        const search = result.metadata.find((c) => c.method === 'Search');
        expect(parentIdOf(search?.traceparent[0])).toBe(expectedSearchParent()?.spanId);
      });

      it('continues in the Milvus server under that span, in one trace', () => {
        for (const [op, proxyName] of [
          ['search', 'Proxy-Search'],
          ['query', 'Proxy-Query'],
        ] as const) {
          const hops = serverHop(jaeger, proxyName);
          expect(hops.length, proxyName).toBeGreaterThan(0);
          for (const { proxy, rpc, client } of hops) {
            expect(rpc?.service).toBe('standalone');
            expect(rpc?.name).toMatch(/MilvusService\//);
            expect(client?.service).toBe(service);
            expect(isDescendant(jaeger, proxy, ourSpan(op)?.spanId ?? '?')).toBe(true);
            expect(isDescendant(jaeger, proxy, result.rootSpanId)).toBe(true);
          }
        }
        const [searchHop] = serverHop(jaeger, 'Proxy-Search');
        expect(searchHop?.client?.spanId).toBe(expectedSearchParent()?.spanId);
      });

      it('leaves no orphan and no extra root: one trace for the service, every parent in it', async () => {
        expect(new Set(jaeger.spans.map((s) => s.traceId))).toEqual(new Set([result.traceId]));
        const ids = new Set(jaeger.spans.map((s) => s.spanId));
        const roots = jaeger.spans.filter((s) => !s.parentId);
        expect(roots.map((s) => s.spanId)).toEqual([result.rootSpanId]);
        const linked = jaeger.spans.filter(
          (s) =>
            s.service === service ||
            (s.service === 'standalone' && s.name.startsWith('milvus.proto.milvus.')),
        );
        for (const span of linked) {
          if (span.parentId) expect(ids.has(span.parentId), `${span.service} ${span.name}`).toBe(true);
        }
        expect(spans.filter((s) => !s.parentSpanId).map((s) => s.name)).toEqual(['fixture request']);
        expect(await traceIdsOfService(service)).toEqual([result.traceId]);
      });
    },
  );
});
