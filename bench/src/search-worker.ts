/**
 * One benchmark process: N sequential searches against the local Milvus in one mode, printing latencies (µs) and
 * the process CPU time spent per call. Modes:
 *   untraced — the plain SDK;
 *   preset   — @milvus-otel/node register() (Milvus instrumentation, OTLP/gRPC export to the local Jaeger), each
 *              search inside an app span, as in a traced request;
 *   sdk-trace — the SDK's own `trace: true` interceptor with a plain NodeSDK exporting the same way (the anchor).
 */
import { performance } from 'node:perf_hooks';

const [mode = 'untraced', collection = '', countArg = '1000', warmupArg = '200'] = process.argv.slice(2);
const count = Number(countArg);
const warmup = Number(warmupArg);

let flush = async () => {};
if (mode === 'preset') {
  const { register } = await import('@milvus-otel/node');
  const handle = register({ handleSignals: false });
  flush = () => handle.shutdown();
} else if (mode === 'sdk-trace') {
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-grpc');
  const sdk = new NodeSDK({
    traceExporter: new OTLPTraceExporter(),
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  flush = () => sdk.shutdown();
}

const { trace } = await import('@opentelemetry/api');
const { ConsistencyLevelEnum, MilvusClient } = await import('@zilliz/milvus2-sdk-node');
const client = new MilvusClient({
  address: process.env.MILVUS_ADDRESS as string,
  trace: mode === 'sdk-trace',
});
const tracer = trace.getTracer('bench');
const query = [[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]];
// Eventually: no wait for the next time tick, so the numbers measure the call path, not Milvus's 200 ms tick.
const search = () =>
  client.search({
    collection_name: collection,
    data: query,
    limit: 10,
    consistency_level: ConsistencyLevelEnum.Eventually,
  });
const once =
  mode === 'untraced'
    ? search
    : () => tracer.startActiveSpan('request', (span) => search().finally(() => span.end()));

for (let i = 0; i < warmup; i++) await once();
const latencies: number[] = [];
const cpuBefore = process.cpuUsage();
for (let i = 0; i < count; i++) {
  const t0 = performance.now();
  await once();
  latencies.push((performance.now() - t0) * 1000);
}
const cpu = process.cpuUsage(cpuBefore);
await flush();
await client.closeConnection();
process.stdout.write(
  `${JSON.stringify({ mode, latencies, cpuPerCallUs: (cpu.user + cpu.system) / count })}\n`,
);
