/**
 * The `db.client.operation.duration` histogram, read from a real MeterProvider, for every SDK line against the real
 * Milvus server: one point per operation (none for the SDK's nested calls), the span's low-cardinality attributes,
 * the error on failure, the semantic conventions' buckets, and nothing from the request's data.
 */
import { type Attributes, context, propagation } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  type Histogram,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { AlwaysOffSampler, type ReadableSpan, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MilvusInstrumentation } from '../src/index.ts';
import { createOperationDuration, recordOperation } from '../src/metrics.ts';
import { stackEnv } from './support/fixtures.ts';
import {
  createLoadedCollection,
  loadSdk,
  type MilvusClient,
  type MilvusSdk,
  SDK_LINES,
  uniqueName,
  vector,
} from './support/sdk-lines.ts';
import { setupTracing } from './support/tracing.ts';

const METRIC = 'db.client.operation.duration';
const SCOPE = '@milvus-otel/instrumentation-milvus';
/** The bucket boundaries the database semantic conventions specify for this histogram. */
const SEMCONV_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];
/** Every attribute the metric may carry. */
const METRIC_KEYS = [
  'db.system.name',
  'db.operation.name',
  'db.collection.name',
  'db.namespace',
  'server.address',
  'server.port',
  'error.type',
  'db.response.status_code',
];

interface Point {
  attributes: Attributes;
  value: Histogram;
}

function meterPipeline() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.DELTA);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  return {
    provider,
    /** The histogram's metric data recorded since the last call. */
    async metric(): Promise<MetricData | undefined> {
      await reader.forceFlush();
      const metrics = exporter
        .getMetrics()
        .flatMap((r) => r.scopeMetrics)
        .filter((s) => s.scope.name === SCOPE)
        .flatMap((s) => s.metrics)
        .filter((m) => m.descriptor.name === METRIC);
      exporter.reset();
      expect(metrics.length).toBeLessThanOrEqual(1);
      return metrics[0];
    },
    /** Its points since the last call. */
    async points(): Promise<Point[]> {
      const metric = await this.metric();
      if (!metric) return [];
      expect(metric.dataPointType).toBe(DataPointType.HISTOGRAM);
      return metric.dataPoints.map((p) => ({ attributes: p.attributes, value: p.value as Histogram }));
    },
  };
}

describe('createOperationDuration and recordOperation', () => {
  it('make the semantic-conventions histogram and add the outcome to the attributes', async () => {
    const meters = meterPipeline();
    const histogram = createOperationDuration(meters.provider.getMeter(SCOPE));
    const attributes: Attributes = { 'db.system.name': 'milvus', 'db.operation.name': 'search' };
    recordOperation(histogram, performance.now() - 20, attributes);
    recordOperation(histogram, performance.now(), { 'db.operation.name': 'insert' }, '100', '100');
    recordOperation(histogram, performance.now(), { 'db.operation.name': 'query' }, 'UNAVAILABLE');
    const metric = await meters.metric();
    expect(metric?.descriptor).toMatchObject({ name: METRIC, unit: 's' });
    expect(metric?.descriptor.description).not.toBe('');
    const points = metric?.dataPoints ?? [];
    expect(points.map((p) => p.attributes)).toEqual([
      { 'db.system.name': 'milvus', 'db.operation.name': 'search' },
      { 'db.operation.name': 'insert', 'error.type': '100', 'db.response.status_code': '100' },
      { 'db.operation.name': 'query', 'error.type': 'UNAVAILABLE' },
    ]);
    const search = points[0]?.value as Histogram;
    expect(search.buckets.boundaries).toEqual(SEMCONV_BUCKETS);
    // Seconds, not milliseconds: 20 ms ago.
    expect(search.sum).toBeGreaterThanOrEqual(0.02);
    expect(search.sum).toBeLessThan(5);
  });
});

const tracing = setupTracing();
const meters = meterPipeline();
// Enabled before any SDK line is loaded, as an application does.
const instrumentation = new MilvusInstrumentation();
instrumentation.setTracerProvider(tracing.provider);
instrumentation.setMeterProvider(meters.provider);
const tracer = tracing.provider.getTracer('test-app');
const ADDRESS = stackEnv.MILVUS_ADDRESS as string;
const [HOST, PORT] = ADDRESS.split(':');

afterAll(async () => {
  await meters.provider.shutdown();
});

describe.each(SDK_LINES)('db.client.operation.duration, @zilliz/milvus2-sdk-node $version', (line) => {
  const collection = uniqueName(`metrics_${line.version.replace(/\./g, '_')}`);
  let sdk: MilvusSdk;
  let client: MilvusClient;

  const inAppSpan = <T>(fn: () => Promise<T>) =>
    tracer.startActiveSpan('app request', async (span) => {
      try {
        return await fn();
      } finally {
        span.end();
      }
    });
  const ours = async () => (await tracing.spans()).filter((s) => s.instrumentationScope.name === SCOPE);
  /** The span's values of the metric's attributes. */
  const metricAttributesOf = (span: ReadableSpan | undefined) =>
    Object.fromEntries(Object.entries(span?.attributes ?? {}).filter(([key]) => METRIC_KEYS.includes(key)));

  beforeAll(async () => {
    sdk = loadSdk(line.alias);
    client = new sdk.MilvusClient({ address: ADDRESS });
    await createLoadedCollection(sdk, client, collection);
  });

  afterAll(async () => {
    instrumentation.setConfig({});
    await client.dropCollection({ collection_name: collection });
    await client.closeConnection();
  });

  beforeEach(async () => {
    instrumentation.setConfig({});
    instrumentation.setTracerProvider(tracing.provider);
    await meters.points();
    tracing.exporter.reset();
  });

  it('records a point for a search and an insert, with the span attributes, none for nested calls', async () => {
    await inAppSpan(async () => {
      await client.search({ collection_name: collection, data: [vector(3)], limit: 2 } as never);
      // Insert looks the schema up first (DescribeCollection): part of the insert.
      await client.insert({
        collection_name: collection,
        data: [{ id: 1000, vector: vector(1000) }],
        fields_data: [{ id: 1000, vector: vector(1000) }],
      } as never);
    });
    const points = await meters.points();
    expect(points.map((p) => p.attributes['db.operation.name']).sort()).toEqual(['insert', 'search']);
    const spans = await ours();
    for (const operation of ['search', 'insert']) {
      const point = points.find((p) => p.attributes['db.operation.name'] === operation);
      expect(point?.attributes).toEqual({
        'db.system.name': 'milvus',
        'db.operation.name': operation,
        'db.collection.name': collection,
        'db.namespace': 'default',
        'server.address': HOST,
        'server.port': Number(PORT),
      });
      const span = spans.find((s) => s.name === `${operation} ${collection}`);
      expect(point?.attributes).toEqual(metricAttributesOf(span));
      expect(point?.value.count).toBe(1);
      expect(point?.value.sum).toBeGreaterThan(0);
      expect(point?.value.buckets.boundaries).toEqual(SEMCONV_BUCKETS);
    }
  });

  it('puts the Milvus status of a failure into error.type and db.response.status_code', async () => {
    const missing = `${collection}_missing`;
    await inAppSpan(async () => {
      await client.describeCollection({ collection_name: missing });
      // Fails on the nested schema look-up; some lines then throw.
      await client.search({ collection_name: missing, data: [vector(1)], limit: 1 } as never).catch(() => {});
    });
    const points = await meters.points();
    const spans = await ours();
    expect(points.map((p) => p.attributes['db.operation.name']).sort()).toEqual([
      'describeCollection',
      'search',
    ]);
    for (const point of points) {
      const operation = point.attributes['db.operation.name'];
      const code = point.attributes['db.response.status_code'];
      expect(code, String(operation)).toEqual(expect.stringMatching(/\S/));
      expect(point.attributes['error.type']).toBe(code);
      const span = spans.find((s) => s.name === `${operation} ${missing}`);
      expect(point.attributes).toEqual(metricAttributesOf(span));
    }
    // The same status whether Milvus's answer reached the operation directly or through its nested call.
    expect(points[0]?.attributes['db.response.status_code']).toBe(
      points[1]?.attributes['db.response.status_code'],
    );
  });

  it('records operations whose span is not sampled, or that get no span (requireParentSpan)', async () => {
    instrumentation.setTracerProvider(new TracerProvider({ sampler: new AlwaysOffSampler() }));
    await client.hasCollection({ collection_name: collection });
    instrumentation.setTracerProvider(tracing.provider);
    instrumentation.setConfig({ requireParentSpan: true });
    await client.query({ collection_name: collection, filter: 'id in [1]', expr: 'id in [1]' } as never);
    expect(await ours()).toHaveLength(0);
    const points = await meters.points();
    expect(points.map((p) => p.attributes['db.operation.name']).sort()).toEqual(['hasCollection', 'query']);
    expect(points.every((p) => p.value.count === 1)).toBe(true);
  });

  it('carries no vector, filter or request values', async () => {
    instrumentation.setConfig({ captureFilter: true });
    const probe = Array.from({ length: 8 }, (_, i) => 0.123456789 + i);
    const baggage = propagation.createBaggage({ 'app.secret': { value: 'baggage-value-not-in-metrics' } });
    await context.with(propagation.setBaggage(context.active(), baggage), () =>
      inAppSpan(async () => {
        await client.search({
          collection_name: collection,
          data: [probe],
          filter: 'id in [987654321]',
          output_fields: ['id'],
          limit: 3,
        } as never);
        await client.query({
          collection_name: collection,
          filter: 'id == 424242',
          output_fields: ['id'],
        } as never);
      }),
    );
    const points = await meters.points();
    expect(points).toHaveLength(2);
    for (const point of points) {
      for (const key of Object.keys(point.attributes)) expect(METRIC_KEYS).toContain(key);
    }
    const recorded = JSON.stringify(points.map((p) => p.attributes));
    for (const secret of ['0.123456789', '987654321', '424242', 'id ==', 'baggage-value', 'output_fields']) {
      expect(recorded).not.toContain(secret);
    }
    // The span did record the masked filter: the metric leaves it out.
    const spans = await ours();
    expect(spans.map((s) => s.attributes['db.query.text'])).toEqual(['id in [?]', 'id == ?']);
  });

  it('setMeterProvider switches the histogram to the new provider', async () => {
    const other = meterPipeline();
    instrumentation.setMeterProvider(other.provider);
    try {
      await client.hasCollection({ collection_name: collection });
    } finally {
      instrumentation.setMeterProvider(meters.provider);
    }
    await client.hasCollection({ collection_name: collection });
    expect((await other.points()).map((p) => p.attributes['db.operation.name'])).toEqual(['hasCollection']);
    expect((await meters.points()).map((p) => p.value.count)).toEqual([1]);
    await other.provider.shutdown();
  });
});
