/**
 * One benchmark process: N searches against the local Milvus with one SDK line in one mode, C at a time (C lanes,
 * each calling the next search as soon as its last one returns; C = 1: sequential), printing latencies (µs), the
 * process CPU time spent per call and the calls per second. Modes:
 *   untraced — the plain SDK;
 *   preset   — @milvus-otel/node register() (Milvus instrumentation, OTLP/gRPC export to the local Jaeger), each
 *              search inside an app span, as in a traced request;
 *   preset-client-span — the same, without the app span: the Milvus client span alone;
 *   noop-export — preset-client-span with an exporter that drops every batch: the spans' cost before export;
 *   paired / paired-app — the preset, and the calls alternate (A B B A …) between untraced (run with tracing
 *               suppressed, so the instrumentation steps aside) and traced (client span; paired-app: inside an app
 *               span too): both arms see the same load from moment to moment. The export's background work
 *               lands on both arms, so this measures what tracing adds on the call's own path;
 *   sdk-trace — the SDK's own `trace: true` interceptor (SDK ≥ 2.5) with a plain NodeSDK exporting the same way:
 *               its `grpc-intercept` span alone;
 *   openlit  — OpenLIT's Milvus instrumentation (`openlit` init, tracing only: metrics and events off, the Milvus
 *              instrumentation alone), exporting over OTLP/HTTP (JSON), the only protocol its init sets up, to
 *              BENCH_OTLP_HTTP_ENDPOINT;
 *   grpc-instrumentation — @opentelemetry/instrumentation-grpc alone with a plain NodeSDK exporting over OTLP/gRPC:
 *              a client span per RPC, no Milvus instrumentation.
 * With BENCH_PRESET_BUNDLE set to a build of the preset's `--import` bundle, the preset modes load that bundle instead
 * of calling register() (this build against a saved baseline, see save-baseline.ts).
 * The optional 7th argument names the search's `output_fields` (comma-separated; none by default): against the
 * Milvus 2.3.5 server, SDK ≥ 2.4 searches that name none wait ~200 ms for the server's time tick.
 */
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const [
  mode = 'untraced',
  sdkPackage = 'milvus-sdk-2.3',
  collection = '',
  countArg = '1000',
  warmupArg = '200',
  concurrencyArg = '1',
  outputFieldsArg = '',
] = process.argv.slice(2);
const outputFields = outputFieldsArg.split(',').filter(Boolean);
const count = Number(countArg);
const warmup = Number(warmupArg);
const concurrency = Math.max(1, Number(concurrencyArg));

let flush = async () => {};
let dropped = () => 0;
const api = await import('@opentelemetry/api');
/** The SDK tracer provider registered as the global one, if any. */
const globalProvider = () =>
  (
    api.trace.getTracerProvider() as {
      getDelegate?: () => { forceFlush?: () => Promise<void>; shutdown?: () => Promise<void> };
    }
  ).getDelegate?.();
/** Exports the spans ended so far; the preset modes use its handle instead. */
let warm = () => globalProvider()?.forceFlush?.() ?? Promise.resolve();
const paired = mode === 'paired' || mode === 'paired-app';
if (
  mode === 'preset' ||
  mode === 'preset-metrics' ||
  mode === 'preset-client-span' ||
  mode === 'noop-export' ||
  paired
) {
  const bundle = process.env.BENCH_PRESET_BUNDLE;
  if (bundle) {
    // A build of the preset's `--import` bundle (this build's or a baseline saved by save-baseline.ts): it registers
    // from the environment as `node --import` would; the flush goes through the global handle it leaves.
    await import(pathToFileURL(bundle).href);
    const node = await import('@milvus-otel/node');
    flush = () => node.shutdown();
    warm = () => node.forceFlush();
  } else {
    const { register } = await import('@milvus-otel/node');
    const handle = register({
      handleSignals: false,
      ...(mode === 'noop-export'
        ? { traceExporter: { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} } }
        : {}),
    });
    flush = () => handle.shutdown();
    warm = () => handle.forceFlush();
    dropped = () => handle.droppedSpans();
  }
} else if (mode === 'openlit') {
  // OpenLIT patches MilvusClient.prototype when given the module (`instrumentations`): the Milvus instrumentation
  // alone. Its own require hooks (one per instrumentation it carries) are set when the package loads.
  const { Openlit } = await import('openlit');
  const milvus = await import(sdkPackage);
  Openlit.init({
    applicationName: process.env.OTEL_SERVICE_NAME ?? 'bench-openlit',
    otlpEndpoint: process.env.BENCH_OTLP_HTTP_ENDPOINT ?? 'http://127.0.0.1:4318',
    disableMetrics: true,
    disableEvents: true,
    // A pricing table of its own, so init does not fetch one from GitHub.
    pricingJson: {},
    instrumentations: { milvus },
    disabledInstrumentors: ['http', 'undici', 'express', 'fastify', 'koa', 'hapi', 'nestjs-core'],
  });
  flush = () => globalProvider()?.shutdown?.() ?? Promise.resolve();
} else if (mode === 'grpc-instrumentation') {
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-grpc');
  const { GrpcInstrumentation } = await import('@opentelemetry/instrumentation-grpc');
  const sdk = new NodeSDK({
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [new GrpcInstrumentation()],
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  flush = () => sdk.shutdown();
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

const { context, createContextKey, trace } = api;
const { MilvusClient } = (await import(sdkPackage)) as typeof import('@zilliz/milvus2-sdk-node');
const client = new MilvusClient({
  address: process.env.MILVUS_ADDRESS as string,
  trace: mode === 'sdk-trace',
});
const tracer = trace.getTracer('bench');
const query = [[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8]];
const search = () =>
  client.search({
    collection_name: collection,
    data: query,
    vector: query[0],
    limit: 10,
    ...(outputFields.length ? { output_fields: outputFields } : {}),
  } as never);
const withAppSpan = () => tracer.startActiveSpan('request', (span) => search().finally(() => span.end()));
const once = mode === 'preset' || mode === 'preset-metrics' || mode === 'paired-app' ? withAppSpan : search;
// @opentelemetry/core's suppressTracing(): its context key is a Symbol.for() of this description.
const SUPPRESS = createContextKey('OpenTelemetry SDK Context Key SUPPRESS_TRACING');
const untraced = () => context.with(context.active().setValue(SUPPRESS, true), search);

/** Runs `calls` calls of `call(i)`, `concurrency` at a time (i = 0, 1, … in the order they start). */
async function lanes(calls: number, call: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < calls; i = next++) await call(i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, calls) }, lane));
}

await lanes(warmup, once);
if (paired) await lanes(warmup, untraced);
// The warm-up spans are exported before measuring: the first export loads the exporter (protobuf code, the gRPC
// channel to the collector), a one-time cost that would otherwise land in the measured calls.
await warm();
const latencies: number[] = [];
const baseline: number[] = [];
// One call at a time: the process CPU from each call's start to its end, i.e. on the call's path (everything the
// process ran meanwhile; work after the call returns, such as the export, is left out), per arm.
const onPath = concurrency === 1;
const pathCpu: { traced: number[]; untraced: number[] } = { traced: [], untraced: [] };
const cpuBefore = process.cpuUsage();
const wallStart = performance.now();
await lanes(count, async (i) => {
  const traced = !paired || i % 4 === 1 || i % 4 === 2;
  const c0 = onPath ? process.cpuUsage() : undefined;
  const t0 = performance.now();
  await (traced ? once() : untraced());
  (traced ? latencies : baseline).push((performance.now() - t0) * 1000);
  if (c0) {
    const c = process.cpuUsage(c0);
    pathCpu[traced ? 'traced' : 'untraced'].push(c.user + c.system);
  }
});
const wallS = (performance.now() - wallStart) / 1000;
const cpu = process.cpuUsage(cpuBefore);
await flush();
await client.closeConnection();
process.stdout.write(
  `${JSON.stringify({ mode, latencies, baseline, cpuPerCallUs: (cpu.user + cpu.system) / count, pathCpu: onPath ? pathCpu.traced : null, baselinePathCpu: onPath && baseline.length ? pathCpu.untraced : null, callsPerSecond: count / wallS, dropped: dropped() })}\n`,
);
