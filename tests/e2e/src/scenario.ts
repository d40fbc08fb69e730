/**
 * One traced Milvus session, run as its own process so every SDK line gets a fresh OpenTelemetry set-up:
 * a parent span wraps create collection → insert → flush → create index → load → search → query → drop, with the
 * gRPC instrumentation putting W3C `traceparent` on every call (as the seeds' Python client does).
 *
 * usage: node src/scenario.ts <sdk-package> <collection>
 * env:   MILVUS_ADDRESS, OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_SERVICE_NAME
 * out:   one JSON line: { traceId, rootSpanId, sdkVersion, results: { <operation>: "ok" | "<error>" } }
 */
import { createRequire } from 'node:module';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OPERATIONS, type Operation } from './operations.ts';

const [sdkPackage, collection] = process.argv.slice(2);
if (!sdkPackage || !collection) {
  console.error('usage: node src/scenario.ts <sdk-package> <collection>');
  process.exit(2);
}

const otel = new NodeSDK({
  traceExporter: new OTLPTraceExporter(),
  instrumentations: [new GrpcInstrumentation()],
});
otel.start();

// The SDK is loaded only now, so the gRPC instrumentation sees its `require('@grpc/grpc-js')`.
const require = createRequire(import.meta.url);
const sdk = require(sdkPackage) as typeof import('milvus-sdk-3.0');
const sdkVersion = (require(`${sdkPackage}/package.json`) as { version: string }).version;
const client = new sdk.MilvusClient({ address: process.env.MILVUS_ADDRESS ?? '127.0.0.1:19530' });

const DIM = 8;
const ROWS = 50;
const vector = (i: number) => Array.from({ length: DIM }, (_, d) => Math.sin(i * 7 + d));

/** Milvus reports many failures in a status field of a resolved response, not as exceptions. */
function failure(res: unknown): string | undefined {
  const r = res as {
    error_code?: string;
    code?: number;
    reason?: string;
    status?: { error_code?: string; code?: number; reason?: string };
  };
  const status = r?.status ?? r;
  if (!status || typeof status !== 'object') return undefined;
  const bad =
    (status.error_code !== undefined && status.error_code !== 'Success') ||
    (status.code !== undefined && status.code !== 0);
  return bad ? `${status.error_code ?? status.code}: ${status.reason ?? ''}`.trim() : undefined;
}

const calls: Record<Operation, () => Promise<string | undefined>> = {
  createCollection: async () =>
    failure(
      await client.createCollection({
        collection_name: collection,
        fields: [
          { name: 'id', data_type: sdk.DataType.Int64, is_primary_key: true, autoID: false },
          { name: 'vector', data_type: sdk.DataType.FloatVector, dim: DIM },
        ],
      } as never),
    ),
  insert: async () => {
    const data = Array.from({ length: ROWS }, (_, i) => ({ id: i + 1, vector: vector(i + 1) }));
    const res = await client.insert({ collection_name: collection, data, fields_data: data } as never);
    return (
      failure(res) ??
      (Number(res.insert_cnt) === ROWS ? undefined : `inserted ${res.insert_cnt}, expected ${ROWS}`)
    );
  },
  flush: async () => failure(await client.flushSync({ collection_names: [collection] })),
  createIndex: async () =>
    failure(
      await client.createIndex({
        collection_name: collection,
        field_name: 'vector',
        index_type: 'IVF_FLAT',
        metric_type: 'L2',
        params: { nlist: 16 },
      } as never),
    ),
  loadCollection: async () => failure(await client.loadCollectionSync({ collection_name: collection })),
  search: async () => {
    const query = vector(7);
    const res = await client.search({
      collection_name: collection,
      data: [query],
      vector: query,
      limit: 3,
      output_fields: ['id'],
    } as never);
    const hits = res.results as unknown as { id: string | number }[];
    return (
      failure(res) ??
      (String(hits[0]?.id) === '7' ? undefined : `nearest hit is ${JSON.stringify(hits[0])}, expected id 7`)
    );
  },
  query: async () => {
    const filter = 'id in [1, 2, 3]';
    const res = await client.query({
      collection_name: collection,
      filter,
      expr: filter,
      output_fields: ['id'],
    } as never);
    return (
      failure(res) ?? (res.data.length === 3 ? undefined : `returned ${res.data.length} rows, expected 3`)
    );
  },
  upsert: async () => {
    const data = [{ id: 1, vector: vector(1001) }];
    const res = await client.upsert({ collection_name: collection, data, fields_data: data } as never);
    return (
      failure(res) ?? (Number(res.upsert_cnt) === 1 ? undefined : `upserted ${res.upsert_cnt}, expected 1`)
    );
  },
  delete: async () => {
    const res = await client.delete({ collection_name: collection, ids: [2] } as never);
    return (
      failure(res) ?? (Number(res.delete_cnt) === 1 ? undefined : `deleted ${res.delete_cnt}, expected 1`)
    );
  },
  hybridSearch: async () => {
    if (typeof client.hybridSearch !== 'function') return 'the SDK has no hybridSearch()';
    const request = (i: number) => ({ anns_field: 'vector', data: [vector(i)], params: { nprobe: 4 } });
    const res = await client.hybridSearch({
      collection_name: collection,
      data: [request(7), request(8)],
      rerank: { strategy: 'rrf', params: { k: 60 } },
      limit: 3,
    } as never);
    return failure(res) ?? (res.results.length > 0 ? undefined : 'no hits');
  },
  dropCollection: async () => failure(await client.dropCollection({ collection_name: collection })),
};

const tracer = trace.getTracer('milvus-otel-e2e');
const results: Partial<Record<Operation, string>> = {};
await tracer.startActiveSpan('e2e milvus session', async (span) => {
  for (const op of OPERATIONS) {
    try {
      const error = await calls[op]();
      results[op] = error ?? 'ok';
    } catch (error) {
      results[op] = (error as Error).message.split('\n')[0] ?? String(error);
    }
  }
  if (Object.values(results).some((r) => r !== 'ok')) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
  process.stdout.write(
    `${JSON.stringify({ traceId: span.spanContext().traceId, rootSpanId: span.spanContext().spanId, sdkVersion, results })}\n`,
  );
});

await client.closeConnection?.();
await otel.shutdown();
