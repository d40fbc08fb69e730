import { randomBytes } from 'node:crypto';
import { isDescendant, waitForTrace } from '@milvus-otel/jaeger-query';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register, shutdown, traceConsumer, traceProducer, withLambdaTracing } from '../src/index.ts';
import { jaegerUrl, stackEnv, unique } from './helpers.ts';

/** Records what reaches the exporter, and forwards it to Jaeger. */
class RecordingExporter implements SpanExporter {
  readonly spans: ReadableSpan[] = [];
  private readonly otlp = new OTLPTraceExporter({ url: stackEnv.OTEL_EXPORTER_OTLP_ENDPOINT });
  export(spans: ReadableSpan[], done: Parameters<SpanExporter['export']>[1]): void {
    this.spans.push(...spans);
    this.otlp.export(spans, done);
  }
  shutdown() {
    return this.otlp.shutdown();
  }
  forceFlush() {
    return this.otlp.forceFlush();
  }
}

const service = unique('lambda');
const exporter = new RecordingExporter();
type Milvus = typeof import('@zilliz/milvus2-sdk-node');
let milvus: Milvus;
const collection = unique('lambda_col');

beforeAll(async () => {
  register({
    env: { ...stackEnv, OTEL_SERVICE_NAME: service, OTEL_BSP_SCHEDULE_DELAY: '60000' }, // only a flush exports
    traceExporter: exporter,
    handleSignals: false,
  });
  milvus = await import('@zilliz/milvus2-sdk-node'); // after register(), so it is instrumented
  const client = new milvus.MilvusClient({ address: stackEnv.MILVUS_ADDRESS as string });
  await client.createCollection({
    collection_name: collection,
    fields: [
      { name: 'id', data_type: milvus.DataType.Int64, is_primary_key: true },
      { name: 'vector', data_type: milvus.DataType.FloatVector, dim: 2 },
    ],
  });
  await client.insert({
    collection_name: collection,
    data: [
      { id: 1, vector: [1, 0] },
      { id: 2, vector: [0, 1] },
    ],
  });
  await client.createIndex({
    collection_name: collection,
    field_name: 'vector',
    index_type: 'FLAT',
    metric_type: 'L2',
  });
  await client.loadCollectionSync({ collection_name: collection });
});

afterAll(async () => {
  await new milvus.MilvusClient({ address: stackEnv.MILVUS_ADDRESS as string }).dropCollection({
    collection_name: collection,
  });
  await shutdown();
});

const lambdaContext = (id: string) => ({
  awsRequestId: id,
  functionName: 'search-fn',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:search-fn',
});

describe('withLambdaTracing (serverless)', () => {
  const handler = withLambdaTracing(async (event: { queryStringParameters?: { q?: string } }) => {
    const client = new milvus.MilvusClient({ address: stackEnv.MILVUS_ADDRESS as string });
    const res = await client.search({ collection_name: collection, data: [[1, 0]], limit: 1 });
    await client.closeConnection();
    return {
      statusCode: 200,
      body: JSON.stringify({ q: event.queryStringParameters?.q, hits: res.results.length }),
    };
  });

  it('exports every span before it returns, parents the invocation on the incoming traceparent, and reaches the server', async () => {
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    const event = {
      rawPath: '/search',
      routeKey: 'GET /search',
      headers: { traceparent: `00-${traceId}-${callerSpan}-01`, host: 'api.example' },
      requestContext: { http: { method: 'GET', path: '/search' } },
      queryStringParameters: { q: 'shoes' },
    };
    const before = exporter.spans.length;
    const response = await handler(event, lambdaContext('req-1'));
    expect(response.statusCode).toBe(200);

    // Already exported when the handler returned: a frozen or killed runtime loses nothing.
    const exported = exporter.spans.slice(before);
    const invocation = exported.find((s) => s.kind === SpanKind.SERVER);
    expect(invocation?.name).toBe('GET /search');
    expect(invocation?.spanContext().traceId).toBe(traceId);
    expect(invocation?.parentSpanContext?.spanId).toBe(callerSpan);
    expect(invocation?.attributes).toMatchObject({
      'faas.trigger': 'http',
      'faas.invocation_id': 'req-1',
      'faas.coldstart': true,
      'faas.name': 'search-fn',
      'cloud.provider': 'aws',
      'http.request.method': 'GET',
      'http.route': '/search',
      'http.response.status_code': 200,
    });
    const search = exported.find((s) => s.name === `search ${collection}`);
    expect(search?.parentSpanContext?.spanId).toBe(invocation?.spanContext().spanId);

    const invocationId = invocation?.spanContext().spanId ?? '';
    const jaeger = await waitForTrace(jaegerUrl, traceId, {
      complete: (t) => {
        const proxies = t.spans.filter((s) => s.service === 'standalone' && s.name === 'Proxy-Search');
        return proxies.length > 0 && proxies.every((p) => isDescendant(t, p, invocationId));
      },
      settleMs: 0,
    });
    const proxy = jaeger?.spans.find((s) => s.service === 'standalone' && s.name === 'Proxy-Search');
    expect(proxy).toBeDefined();
    expect(jaeger && proxy && isDescendant(jaeger, proxy, invocation?.spanContext().spanId ?? '')).toBe(true);
  });

  it('marks only the first invocation as a cold start, and records a thrown error', async () => {
    const second = exporter.spans.length;
    await handler({ queryStringParameters: { q: 'x' } } as never, lambdaContext('req-2'));
    const warm = exporter.spans.slice(second).find((s) => s.kind === SpanKind.SERVER);
    expect(warm?.attributes['faas.coldstart']).toBe(false);
    expect(warm?.name).toBe('search-fn');

    const failing = withLambdaTracing(async () => {
      throw new Error('index not loaded');
    });
    const third = exporter.spans.length;
    await expect(failing({}, lambdaContext('req-3'))).rejects.toThrow('index not loaded');
    const failed = exporter.spans.slice(third).find((s) => s.kind === SpanKind.SERVER);
    expect(failed?.status).toMatchObject({ code: 2, message: 'index not loaded' });
    expect(failed?.events.map((e) => e.name)).toContain('exception');
  });
});

describe('queue helpers', () => {
  it('carries the producer context in the job: the consumer continues the trace and links to the producer', async () => {
    const job: { data: { text: string }; trace?: Record<string, string> } = { data: { text: 'hello' } };
    let producerSpanId = '';
    await traceProducer({ queue: 'ingest' }, async (carrier) => {
      job.trace = carrier;
      producerSpanId = trace.getActiveSpan()?.spanContext().spanId ?? '';
    });
    expect(job.trace?.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

    const before = exporter.spans.length;
    await traceConsumer(job.trace, { queue: 'ingest', messageId: '42' }, async () => {
      const client = new milvus.MilvusClient({ address: stackEnv.MILVUS_ADDRESS as string });
      await client.query({ collection_name: collection, filter: 'id in [1]', output_fields: ['id'] });
      await client.closeConnection();
    });
    await import('../src/index.ts').then((m) => m.forceFlush());
    const spans = exporter.spans.slice(before);
    const consumer = spans.find((s) => s.kind === SpanKind.CONSUMER);
    expect(consumer?.name).toBe('process ingest');
    expect(consumer?.parentSpanContext?.spanId).toBe(producerSpanId);
    expect(consumer?.links.map((l) => l.context.spanId)).toEqual([producerSpanId]);
    expect(consumer?.attributes).toMatchObject({
      'messaging.system': 'bullmq',
      'messaging.operation.type': 'process',
      'messaging.destination.name': 'ingest',
      'messaging.message.id': '42',
    });
    expect(spans.find((s) => s.name === `query ${collection}`)?.parentSpanContext?.spanId).toBe(
      consumer?.spanContext().spanId,
    );
  });

  it('starts a new, linked trace when continueTrace is false; failures mark the span', async () => {
    const carrier: Record<string, string> = {};
    const producer = trace.getTracer('t').startSpan('enqueue');
    propagation.inject(trace.setSpan(context.active(), producer), carrier);
    producer.end();
    const before = exporter.spans.length;
    await expect(
      traceConsumer(carrier, { queue: 'ingest', continueTrace: false }, async () => {
        throw new Error('embedding failed');
      }),
    ).rejects.toThrow('embedding failed');
    await import('../src/index.ts').then((m) => m.forceFlush());
    const consumer = exporter.spans.slice(before).find((s) => s.kind === SpanKind.CONSUMER);
    expect(consumer?.spanContext().traceId).not.toBe(producer.spanContext().traceId);
    expect(consumer?.links[0]?.context.spanId).toBe(producer.spanContext().spanId);
    expect(consumer?.status.code).toBe(2);
  });
});
