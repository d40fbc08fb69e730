/**
 * The peers benchmark's read-back: linked traces, spans per call and attributes per span, computed on trace
 * structures as Jaeger's OTLP query API returns them (built with @milvus-otel/jaeger-query's buildTrace).
 */
import { buildTrace, type OtlpTracesJson, type Trace } from '@milvus-otel/jaeger-query';
import { describe, expect, it } from 'vitest';
import { attributeCount, isLinked, summarizeStored } from '../src/peer-traces.ts';

const CLIENT = 'bench-peers-client';
interface SpanSpec {
  id: string;
  parent?: string;
  name: string;
  service: string;
  attributes?: Record<string, string | number>;
  kind?: number;
}

/** One trace in OTLP JSON: a resource per service, one scope, the spans in the given order. */
function trace(traceId: string, specs: SpanSpec[]): Trace {
  const services = [...new Set(specs.map((s) => s.service))];
  const json: OtlpTracesJson = {
    resourceSpans: services.map((service) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [
        {
          scope: { name: service === CLIENT ? 'instrumentation' : 'milvus', version: '1.0.0' },
          spans: specs
            .filter((s) => s.service === service)
            .map((s, i) => ({
              traceId,
              spanId: s.id,
              ...(s.parent ? { parentSpanId: s.parent } : {}),
              name: s.name,
              kind: s.kind ?? (service === CLIENT ? 3 : 2),
              startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(i) * 1000n),
              endTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(i) * 1000n + 500n),
              attributes: Object.entries(s.attributes ?? {}).map(([key, v]) => ({
                key,
                value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v },
              })),
              status: { code: 1 },
            })),
        },
      ],
    })),
  };
  return buildTrace(json);
}

const OP = 'search bench_peers_1';
const match = { service: CLIENT, operation: OP };

/** The preset: the client span, the server's Proxy span under it, deeper server spans under that. */
const presetTrace = (n: number) =>
  trace(`a${n}`.padStart(32, '0'), [
    {
      id: `c${n}`.padStart(16, '0'),
      name: OP,
      service: CLIENT,
      attributes: { 'db.system.name': 'milvus', 'db.operation.name': 'search', 'server.port': 19530 },
    },
    {
      id: `p${n}`.padStart(16, '0'),
      parent: `c${n}`.padStart(16, '0'),
      name: 'Proxy-Search',
      service: 'standalone',
    },
    {
      id: `q${n}`.padStart(16, '0'),
      parent: `p${n}`.padStart(16, '0'),
      name: 'QueryNode-Search',
      service: 'standalone',
    },
  ]);

describe('attributeCount', () => {
  it('counts the span attributes, not the tags Jaeger derives from scope, kind and status', () => {
    const span = presetTrace(1).spans.find((s) => s.name === OP);
    expect(span?.tags).toMatchObject({ 'span.kind': 'client', 'otel.scope.name': 'instrumentation' });
    expect(attributeCount(span as NonNullable<typeof span>)).toBe(3);
  });
});

describe('isLinked', () => {
  it('is true when a server span descends from the client span, directly or deeper', () => {
    expect(isLinked(presetTrace(1), match)).toBe(true);
    // Only the deeper span is stored under an app span: the chain still reaches the client span.
    const deep = trace('b'.padStart(32, '0'), [
      { id: '1'.padStart(16, '0'), name: 'request', service: CLIENT, kind: 1 },
      { id: '2'.padStart(16, '0'), parent: '1'.padStart(16, '0'), name: OP, service: CLIENT },
      { id: '3'.padStart(16, '0'), parent: '2'.padStart(16, '0'), name: 'describe', service: CLIENT },
      {
        id: '4'.padStart(16, '0'),
        parent: '3'.padStart(16, '0'),
        name: 'Proxy-Search',
        service: 'standalone',
      },
    ]);
    expect(isLinked(deep, match)).toBe(true);
  });

  it('is false for a client trace without server spans, and for server spans in a trace without the client span', () => {
    const clientOnly = trace('c'.padStart(32, '0'), [
      { id: '1'.padStart(16, '0'), name: OP, service: CLIENT },
    ]);
    const serverOnly = trace('d'.padStart(32, '0'), [
      { id: '2'.padStart(16, '0'), name: 'Proxy-Search', service: 'standalone' },
    ]);
    expect(isLinked(clientOnly, match)).toBe(false);
    expect(isLinked(serverOnly, match)).toBe(false);
  });

  it('is false when the server spans hang from a span other than the client one, or from a span not stored', () => {
    const sibling = trace('e'.padStart(32, '0'), [
      { id: '1'.padStart(16, '0'), name: 'request', service: CLIENT, kind: 1 },
      { id: '2'.padStart(16, '0'), parent: '1'.padStart(16, '0'), name: OP, service: CLIENT },
      {
        id: '3'.padStart(16, '0'),
        parent: '1'.padStart(16, '0'),
        name: 'Proxy-Search',
        service: 'standalone',
      },
    ]);
    expect(isLinked(sibling, match)).toBe(false);
    const orphan = trace('f'.padStart(32, '0'), [
      { id: '1'.padStart(16, '0'), name: OP, service: CLIENT },
      {
        id: '3'.padStart(16, '0'),
        parent: '9'.padStart(16, '0'),
        name: 'Proxy-Search',
        service: 'standalone',
      },
    ]);
    expect(orphan.orphans).toHaveLength(1);
    expect(isLinked(orphan, match)).toBe(false);
  });
});

describe('summarizeStored', () => {
  it('gives linked %, spans per call, attributes per span and server spans per client trace', () => {
    // Three calls of a preset in an app span, one of whose server spans went to a trace of their own.
    const linked = [1, 2].map((n) => {
      const t = presetTrace(n);
      const app = trace(t.traceId, [
        { id: `r${n}`.padStart(16, '0'), name: 'request', service: CLIENT, kind: 1 },
        ...t.spans.map((s) => ({
          id: s.spanId,
          parent: s.parentId ?? `r${n}`.padStart(16, '0'),
          name: s.name,
          service: s.service,
          attributes: Object.fromEntries(
            Object.entries(s.tags).filter(([k]) => !k.startsWith('otel.') && k !== 'span.kind'),
          ) as Record<string, string | number>,
        })),
      ]);
      return app;
    });
    const unlinked = trace('9'.padStart(32, '0'), [
      { id: 'r3'.padStart(16, '0'), name: 'request', service: CLIENT, kind: 1 },
      { id: 'c3'.padStart(16, '0'), parent: 'r3'.padStart(16, '0'), name: OP, service: CLIENT },
    ]);
    const serverAlone = trace('8'.padStart(32, '0'), [
      { id: 'p3'.padStart(16, '0'), name: 'Proxy-Search', service: 'standalone' },
    ]);
    const s = summarizeStored([...linked, unlinked, serverAlone], match, 3);
    expect(s).toEqual({
      clientTraces: 3,
      linkedTraces: 2,
      linkedPercent: (100 * 2) / 3,
      // The `request` app spans are the benchmark's own: three client spans for three calls.
      clientSpans: 3,
      spansPerCall: 1,
      attributesPerSpan: (3 + 3 + 0) / 3,
      serverSpansPerClientTrace: (2 + 2 + 0) / 3,
    });
  });

  it('counts a span per RPC in traces of their own (a gRPC instrumentation without a parent span)', () => {
    const RPC = 'grpc.milvus.proto.milvus.MilvusService/Search';
    const grpc = { service: CLIENT, operation: RPC };
    const traces = [1, 2].flatMap((n) => [
      trace(`d${n}`.padStart(32, '0'), [
        {
          id: `d${n}`.padStart(16, '0'),
          name: 'grpc.milvus.proto.milvus.MilvusService/DescribeCollection',
          service: CLIENT,
          attributes: { 'rpc.system': 'grpc', 'rpc.method': 'DescribeCollection' },
        },
      ]),
      trace(`s${n}`.padStart(32, '0'), [
        {
          id: `s${n}`.padStart(16, '0'),
          name: RPC,
          service: CLIENT,
          attributes: { 'rpc.system': 'grpc', 'rpc.method': 'Search' },
        },
        {
          id: `p${n}`.padStart(16, '0'),
          parent: `s${n}`.padStart(16, '0'),
          name: 'Proxy-Search',
          service: 'standalone',
        },
      ]),
    ]);
    const s = summarizeStored(traces, grpc, 2);
    expect(s.spansPerCall).toBe(2);
    expect(s.attributesPerSpan).toBe(2);
    expect(s.clientTraces).toBe(2);
    expect(s.linkedPercent).toBe(100);
  });

  it('gives NaN, not 0 %, when no trace holds the client span', () => {
    const s = summarizeStored([], match, 10);
    expect(s.clientTraces).toBe(0);
    expect(Number.isNaN(s.linkedPercent)).toBe(true);
    expect(Number.isNaN(s.attributesPerSpan)).toBe(true);
    expect(s.spansPerCall).toBe(0);
  });
});
