import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildTrace, type JaegerTraceJson, type OtlpTracesJson, type TraceSpan } from '../src/index.ts';

/**
 * Real answers of Jaeger 2.13 for the same trace (a job queued by the Express example, processed by the worker,
 * upserted into Milvus) from both query APIs, and an OTLP/HTTP span sent to it with every attribute type, a failed
 * status, an event and links.
 */
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8'));
const v3 = () => buildTrace((fixture('queue-job.v3.json') as { result: OtlpTracesJson }).result);
const v1 = () =>
  buildTrace((fixture('queue-job.v1.json') as { data: JaegerTraceJson[] }).data[0] as JaegerTraceJson);
const failed = () => buildTrace((fixture('failed-consumer.v3.json') as { result: OtlpTracesJson }).result);

const TRACE = 'f03e0f8e8caf42d6ee71db259e9643f8';
const PRODUCER = '8bbc49f6ffb525d5';
const named = (spans: readonly TraceSpan[], name: string) => spans.find((s) => s.name === name) as TraceSpan;

/** A one-resource OTLP trace of `spans`. */
const otlp = (spans: object[], service = 'svc'): OtlpTracesJson => ({
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [{ scope: { name: 'test' }, spans: spans as never }],
    },
  ],
});
const span = (spanId: string, extra: object = {}) => ({
  traceId: TRACE,
  spanId,
  name: `span ${spanId}`,
  kind: 1,
  startTimeUnixNano: '1700000000000000000',
  endTimeUnixNano: '1700000000001000000',
  ...extra,
});

describe('buildTrace from OTLP JSON (the v3 query API)', () => {
  it('keeps the parent and the links of a queue consumer apart', () => {
    const trace = v3();
    const job = named(trace.spans, 'process e2e-ingest-8e31a781');
    expect(job).toMatchObject({ service: 'worker', kind: 'consumer', parentId: PRODUCER, depth: 2 });
    expect(job.links).toEqual([{ traceId: TRACE, spanId: PRODUCER }]);
    expect(job.references).toEqual([
      { type: 'CHILD_OF', traceId: TRACE, spanId: PRODUCER },
      { type: 'FOLLOWS_FROM', traceId: TRACE, spanId: PRODUCER },
    ]);
    // Spans without links have none, and a plain child has only its CHILD_OF.
    const upsert = named(trace.spans, 'upsert e2e_docs_8e31a781');
    expect(upsert.links).toEqual([]);
    expect(upsert.references).toEqual([{ type: 'CHILD_OF', traceId: TRACE, spanId: job.spanId }]);
  });

  it('reads the same tree, services, kinds, times, tags and events as the v1 JSON of the same trace', () => {
    const [a, b] = [v3(), v1()];
    expect(a.traceId).toBe(TRACE);
    expect(a.services).toEqual(['express-service', 'worker', 'standalone']);
    expect(a.orphans).toEqual([]);
    expect(a.spans).toHaveLength(13);
    expect([a.startTime, a.duration]).toEqual([b.startTime, b.duration]);
    // The v1 JSON can only say FOLLOWS_FROM for a parent that is also linked: the references differ, nothing else.
    const strip = ({ references: _r, ...s }: TraceSpan) => s;
    expect(a.spans.map(strip)).toEqual(b.spans.map(strip));
    expect(named(b.spans, 'process e2e-ingest-8e31a781').references).toEqual([
      { type: 'FOLLOWS_FROM', traceId: TRACE, spanId: PRODUCER },
    ]);
  });

  it('reads events with their attributes and time, and Jaeger warnings into the trace warnings', () => {
    const trace = v3();
    const grpc = named(trace.spans, 'milvus.proto.milvus.MilvusService/Upsert');
    expect(grpc.events).toEqual([
      {
        name: 'message',
        attributes: { 'message.id': 1, 'message.type': 'RECEIVED' },
        time: expect.any(Number),
      },
      { name: 'message', attributes: { 'message.id': 1, 'message.type': 'SENT' }, time: expect.any(Number) },
    ]);
    const [first, second] = grpc.events as [TraceSpan['events'][number], TraceSpan['events'][number]];
    expect(first.time).toBeGreaterThanOrEqual(grpc.startTime);
    expect(second.time).toBeGreaterThan(first.time);
    expect(second.time).toBeLessThanOrEqual(grpc.startTime + grpc.duration);
    // Jaeger's `@jaeger@warnings` attribute is a warning of the trace, not a tag.
    expect(grpc.tags['@jaeger@warnings']).toBeUndefined();
    expect(trace.warnings).toEqual([
      'milvus.proto.milvus.MilvusService/Upsert: clock skew adjustment disabled; not applying calculated delta of -1.230348ms',
    ]);
  });

  it('reads a failed status as the error, every attribute type as tags, and links into other traces', () => {
    const trace = failed();
    const [producer, consumer] = trace.spans as [TraceSpan, TraceSpan];
    expect(producer).toMatchObject({ name: 'send q', kind: 'producer', error: undefined, depth: 0 });
    expect(producer.tags['otel.status_code']).toBe('OK');
    expect(consumer).toMatchObject({
      name: 'process q',
      service: 'jaeger-query-probe',
      kind: 'consumer',
      parentId: producer.spanId,
      error: 'it broke',
      startTime: producer.startTime + 2000,
      duration: 3000,
    });
    expect(consumer.tags).toEqual({
      s: 'x',
      i: 42,
      b: true,
      d: 1.5,
      arr: ['a', 2],
      kv: { k: 'v' },
      bytes: 'aGk=',
      'span.kind': 'consumer',
      'otel.scope.name': 'probe',
      'otel.status_code': 'ERROR',
      'otel.status_description': 'it broke',
      // As the v1 JSON tags a failed span.
      error: true,
    });
    expect(consumer.links).toEqual([
      { traceId: trace.traceId, spanId: producer.spanId },
      { traceId: '9823d3dffaf151262653a6f54dbd0ea3', spanId: producer.spanId },
    ]);
    expect(consumer.events).toEqual([
      {
        name: 'exception',
        attributes: { 'exception.type': 'Boom', 'exception.message': 'it broke' },
        time: producer.startTime + 3000,
      },
    ]);
  });

  it('takes the protobuf enum names too, and an error message from the exception event', () => {
    const trace = buildTrace(
      otlp([
        span('a1', { kind: 'SPAN_KIND_SERVER', status: { code: 'STATUS_CODE_OK' } }),
        span('a2', {
          parentSpanId: 'a1',
          kind: 'SPAN_KIND_CLIENT',
          status: { code: 'STATUS_CODE_ERROR' },
          events: [
            {
              name: 'exception',
              timeUnixNano: '1700000000000500000',
              attributes: [{ key: 'exception.message', value: { stringValue: 'timed out' } }],
            },
          ],
        }),
        span('a3', {
          parentSpanId: 'a1',
          kind: 'SPAN_KIND_UNSPECIFIED',
          status: { code: 'STATUS_CODE_UNSET' },
        }),
      ]),
    );
    expect(trace.spans.map((s) => [s.spanId, s.kind, s.error, s.tags['otel.status_code']])).toEqual([
      ['a1', 'server', undefined, 'OK'],
      ['a2', 'client', 'timed out', 'ERROR'],
      ['a3', undefined, undefined, undefined],
    ]);
    expect(trace.spans[1]?.events[0]?.time).toBe(1_700_000_000_000_500);
  });

  it('keeps an int64 beyond 2^53 as its decimal string, and reads NaN doubles', () => {
    const [s] = buildTrace(
      otlp([
        span('b1', {
          attributes: [
            { key: 'big', value: { intValue: '9223372036854775807' } },
            { key: 'small', value: { intValue: '-3' } },
            { key: 'nan', value: { doubleValue: 'NaN' } },
            { key: 'empty', value: {} },
          ],
        }),
      ]),
    ).spans;
    expect(s?.tags).toMatchObject({
      big: '9223372036854775807',
      small: -3,
      nan: Number.NaN,
      empty: undefined,
    });
  });

  it('a span linked to a span of its trace, without a parent, is a root; a missing parent makes an orphan', () => {
    const trace = buildTrace(
      otlp([
        span('c1'),
        span('c2', { links: [{ traceId: TRACE, spanId: 'c1' }] }),
        span('c3', { parentSpanId: 'gone' }),
      ]),
    );
    expect(trace.spans.map((s) => [s.spanId, s.parentId, s.depth, s.orphan])).toEqual([
      ['c1', undefined, 0, false],
      ['c2', undefined, 0, false],
      ['c3', 'gone', 0, true],
    ]);
    expect(trace.spans[1]?.references).toEqual([{ type: 'FOLLOWS_FROM', traceId: TRACE, spanId: 'c1' }]);
    expect(trace.orphans.map((s) => s.spanId)).toEqual(['c3']);
  });

  it('spans of several resources get their own service; no spans make an empty trace', () => {
    const trace = buildTrace({
      resourceSpans: [
        ...otlp([span('d1')], 'api').resourceSpans,
        ...otlp([span('d2', { parentSpanId: 'd1' })], 'db').resourceSpans,
      ],
    });
    expect(trace.spans.map((s) => [s.service, s.depth])).toEqual([
      ['api', 0],
      ['db', 1],
    ]);
    expect(buildTrace({ resourceSpans: [] })).toMatchObject({
      traceId: '',
      spans: [],
      services: [],
      duration: 0,
    });
  });
});

describe('links and events from the v1 JSON', () => {
  it('every FOLLOWS_FROM reference is a link, the parent included; logs are events named by their `event` field', () => {
    const trace = v1();
    const job = named(trace.spans, 'process e2e-ingest-8e31a781');
    expect(job.parentId).toBe(PRODUCER);
    expect(job.links).toEqual([{ traceId: TRACE, spanId: PRODUCER }]);
    const task = named(trace.spans, 'UpsertTask');
    expect(task.events.map((e) => e.name)).toEqual([
      'scheduler process AddActiveTask',
      'scheduler process Execute',
      'scheduler process PopActiveTask',
      'scheduler process PostExecute',
      'scheduler process PreExecute',
    ]);
    expect(task.events.every((e) => Object.keys(e.attributes).length === 0)).toBe(true);
  });
});
