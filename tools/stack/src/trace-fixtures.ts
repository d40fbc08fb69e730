/**
 * Traces in the shape of Jaeger's v1 JSON (`GET /api/traces/{id}`, which Jaeger after v2.20 no longer serves), from
 * compact descriptions: the input of the trace model and renderer tests. The types restate the JSON's shape (the
 * stack tool depends on no published package).
 */

type RefType = 'CHILD_OF' | 'FOLLOWS_FROM';
type TagJson = { key: string; type?: string; value: unknown };
type LogJson = { timestamp: number; fields: TagJson[] };

export interface TraceJson {
  traceID: string;
  processes: Record<string, { serviceName: string; tags: TagJson[] }>;
  spans: {
    traceID: string;
    spanID: string;
    operationName: string;
    references: { refType: RefType; traceID: string; spanID: string }[];
    startTime: number;
    duration: number;
    tags: TagJson[];
    logs: LogJson[];
    processID: string;
    warnings: null;
  }[];
}

export const TRACE_ID = 'aaaa0000000000000000000000000001';

type Kind = 'server' | 'client' | 'producer' | 'consumer' | 'internal';

export interface SpanSpec {
  id: string;
  name: string;
  service: string;
  kind?: Kind;
  parent?: string;
  /** Extra references: [type, spanId, traceId?]. */
  refs?: [type: RefType, spanId: string, traceId?: string][];
  start: number;
  duration: number;
  tags?: Record<string, unknown>;
  logs?: LogJson[];
}

/** A trace in the shape Jaeger's query API returns, from a compact description. */
export function jaegerTrace(specs: SpanSpec[], traceId = TRACE_ID): TraceJson {
  const services = [...new Set(specs.map((s) => s.service))];
  const pid = (service: string) => `p${services.indexOf(service) + 1}`;
  const base = 1_700_000_000_000_000;
  return {
    traceID: traceId,
    processes: Object.fromEntries(services.map((s) => [pid(s), { serviceName: s, tags: [] }])),
    spans: specs.map((s) => ({
      traceID: traceId,
      spanID: s.id,
      operationName: s.name,
      references: [
        ...(s.parent ? [{ refType: 'CHILD_OF' as const, traceID: traceId, spanID: s.parent }] : []),
        ...(s.refs ?? []).map(([refType, spanID, t]) => ({ refType, spanID, traceID: t ?? traceId })),
      ],
      startTime: base + s.start,
      duration: s.duration,
      tags: [
        ...(s.kind ? [{ key: 'span.kind', type: 'string', value: s.kind }] : []),
        ...Object.entries(s.tags ?? {}).map(([key, value]) => ({ key, type: typeof value, value })),
      ],
      logs: s.logs ?? [],
      processID: pid(s.service),
      warnings: null,
    })),
  };
}

const milvus = { 'db.system.name': 'milvus' };

/** GET /search → search docs → Milvus server spans (a search through the Express example). */
export const searchTrace = (): SpanSpec[] => [
  { id: 's1', name: 'GET /search', service: 'api', kind: 'server', start: 0, duration: 20_000 },
  {
    id: 's2',
    name: 'search docs',
    service: 'api',
    kind: 'client',
    parent: 's1',
    start: 2000,
    duration: 15_000,
    tags: milvus,
  },
  {
    id: 's3',
    name: 'milvus.proto.milvus.MilvusService/Search',
    service: 'standalone',
    kind: 'server',
    parent: 's2',
    start: 3000,
    duration: 12_000,
  },
  {
    id: 's4',
    name: 'Proxy-Search',
    service: 'standalone',
    kind: 'internal',
    parent: 's3',
    start: 3500,
    duration: 11_000,
  },
];

/**
 * POST /ingest → send ingest (producer) → process ingest (consumer) → upsert docs → Milvus. As Jaeger v2 returns a
 * consumer that continues the producer's trace and links to it: one FOLLOWS_FROM reference, no CHILD_OF.
 */
export const ingestTrace = (): SpanSpec[] => [
  { id: 'w1', name: 'POST /ingest', service: 'api', kind: 'server', start: 0, duration: 3000 },
  {
    id: 'w2',
    name: 'send ingest',
    service: 'api',
    kind: 'producer',
    parent: 'w1',
    start: 500,
    duration: 1000,
  },
  {
    id: 'w3',
    name: 'process ingest',
    service: 'worker',
    kind: 'consumer',
    refs: [['FOLLOWS_FROM', 'w2']],
    start: 5000,
    duration: 9000,
  },
  {
    id: 'w4',
    name: 'upsert docs',
    service: 'worker',
    kind: 'client',
    parent: 'w3',
    start: 5500,
    duration: 8000,
    tags: milvus,
  },
  {
    id: 'w5',
    name: 'milvus.proto.milvus.MilvusService/Upsert',
    service: 'standalone',
    kind: 'server',
    parent: 'w4',
    start: 6000,
    duration: 6000,
  },
];
