/**
 * withLambdaTracing takes whatever event the runtime hands it: Lambda delivers any JSON value, a direct invoke or a
 * test anything at all. No event shape may make the wrapper throw: it starts the invocation span, calls the handler with
 * the event as it came, and flushes before it returns. Spans go to the SDK's in-memory exporter.
 */
import { randomBytes } from 'node:crypto';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register, shutdown, withLambdaTracing, withTracing } from '../src/index.ts';

const exporter = new InMemorySpanExporter();

beforeAll(() => {
  register({
    env: { OTEL_SERVICE_NAME: 'serverless-events', OTEL_BSP_SCHEDULE_DELAY: '60000' }, // only a flush exports
    traceExporter: exporter,
    instrumentations: [],
    handleSignals: false,
  });
});

afterAll(async () => {
  await shutdown();
});

/** Fixed, so a failure replays; fast-check prints the seed and the counterexample's path. */
const SEED = 20_261_202;

const lambda = { awsRequestId: 'req-events', functionName: 'events-fn' };

/** One invocation: the handler's result and the spans exported by the time the wrapper returned. */
async function run(event: unknown, handler: (event: unknown) => Promise<unknown>) {
  exporter.reset();
  const wrapped = withLambdaTracing(handler);
  let outcome: { value: unknown } | { error: unknown };
  try {
    outcome = { value: await wrapped(event, lambda) };
  } catch (error) {
    outcome = { error };
  }
  const invocations = exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER);
  return { outcome, invocations };
}

const primitive = (v: unknown) => ['string', 'number', 'boolean'].includes(typeof v);
const validAttributes = (span: ReadableSpan) =>
  Object.values(span.attributes).every(
    (v) => primitive(v) || (Array.isArray(v) && v.every((x) => x == null || primitive(x))),
  );

/** The property: the handler ran once with this very event, its result came back, one span was exported. */
async function tracedAsIs(event: unknown): Promise<void> {
  const seen: unknown[] = [];
  const { outcome, invocations } = await run(event, async (e) => {
    seen.push(e);
    return { statusCode: 200 };
  });
  expect(outcome).toEqual({ value: { statusCode: 200 } });
  expect(seen).toHaveLength(1);
  expect(Object.is(seen[0], event)).toBe(true);
  expect(invocations).toHaveLength(1);
  const [span] = invocations;
  expect(typeof span?.name).toBe('string');
  expect(span?.attributes['faas.invocation_id']).toBe('req-events');
  expect(span?.attributes['http.response.status_code']).toBe(200);
  expect(span && validAttributes(span)).toBe(true);
}

const anything = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  stringUnit: 'binary', // lone surrogates, NUL and every other code unit
});

/** API Gateway HTTP API (2.0)-like events whose fields, at every level, may have any type. */
const httpLike = fc.record(
  {
    version: fc.oneof(fc.constant('2.0'), anything),
    routeKey: fc.oneof(fc.constantFrom('GET /search', '$default', 'GET', ''), fc.string(), anything),
    rawPath: fc.oneof(fc.constant('/search'), fc.string({ unit: 'binary' }), anything),
    headers: fc.oneof(
      fc.dictionary(
        fc.oneof(fc.constantFrom('traceparent', 'TraceParent', 'tracestate', 'baggage'), fc.string()),
        fc.oneof(fc.string({ unit: 'binary' }), anything),
      ),
      anything,
    ),
    requestContext: fc.oneof(
      fc.record(
        {
          http: fc.oneof(
            fc.record(
              { method: fc.oneof(fc.constant('GET'), anything), path: anything },
              { requiredKeys: [] },
            ),
            anything,
          ),
        },
        { requiredKeys: [] },
      ),
      anything,
    ),
    queryStringParameters: anything,
  },
  { requiredKeys: [] },
);

describe('withLambdaTracing and the shape of the event', () => {
  it.each<[string, unknown]>([
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
    ['a string', 'not json'],
    ['an array', [1, 'a', null]],
    ['a numeric routeKey', { routeKey: 123, requestContext: { http: { method: 'GET' } } }],
    ['an object routeKey', { routeKey: { split: 1 }, requestContext: { http: { method: 'GET' } } }],
    ['a non-string method and path', { rawPath: ['/x'], requestContext: { http: { method: 7, path: {} } } }],
    ['a string requestContext', { requestContext: 'GET /search', rawPath: '/search' }],
    ['a string for headers', { headers: 'traceparent: x' }],
    ['non-string header values', { headers: { traceparent: 5, tracestate: [], baggage: { a: 1 } } }],
    [
      'values that cannot become strings',
      { rawPath: { toString: 1 }, headers: { traceparent: { toString: 1 } } },
    ],
    ['a null-prototype object', Object.assign(Object.create(null), { routeKey: 'GET /x', rawPath: 1 })],
  ])('starts the span, calls the handler and flushes for %s', async (_name, event) => {
    await tracedAsIs(event);
  });

  it('keeps withTracing, its former name, as the same function', () => {
    expect(withTracing).toBe(withLambdaTracing);
  });

  it('still traces an event whose every field read throws', async () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('no field may be read');
        },
      },
    );
    const { outcome, invocations } = await run(hostile, async () => ({ statusCode: 400 }));
    expect(outcome).toEqual({ value: { statusCode: 400 } });
    expect(invocations).toHaveLength(1);
    expect(invocations[0]?.name).toBe('events-fn');
  });

  it('rethrows exactly what the handler throws, even when it is not an Error, and marks the span', async () => {
    for (const thrown of [null, undefined, 'plain string', 7, { message: 42 }]) {
      const { outcome, invocations } = await run({}, async () => {
        throw thrown;
      });
      expect(outcome).toEqual({ error: thrown });
      expect(invocations).toHaveLength(1);
      expect(invocations[0]?.status.code).toBe(SpanStatusCode.ERROR);
      expect(invocations[0]?.events.map((e) => e.name)).toContain('exception');
    }
  });

  it('never throws, whatever the event (fc.anything)', async () => {
    await fc.assert(fc.asyncProperty(anything, tracedAsIs), { seed: SEED, numRuns: 300 });
  });

  it('never throws for API Gateway-like events with fields of any type', async () => {
    await fc.assert(fc.asyncProperty(httpLike, tracedAsIs), { seed: SEED, numRuns: 300 });
  });

  it('reads only well-typed fields: an HTTP name from a string method and route, the parent from a string traceparent', async () => {
    await fc.assert(
      fc.asyncProperty(httpLike, fc.boolean(), async (event, withParent) => {
        const traceId = randomBytes(16).toString('hex');
        const parentId = randomBytes(8).toString('hex');
        const headers = { ...(typeof event.headers === 'object' && event.headers ? event.headers : {}) };
        if (withParent) {
          for (const key of Object.keys(headers)) {
            if (key.toLowerCase() === 'traceparent') delete (headers as Record<string, unknown>)[key];
          }
          (headers as Record<string, unknown>).traceparent = `00-${traceId}-${parentId}-01`;
        }
        const http = { ...event, headers };
        const { invocations } = await run(http, async () => ({ statusCode: 204 }));
        const [span] = invocations;
        const context = event.requestContext as { http?: { method?: unknown } } | undefined;
        const method = typeof context?.http?.method === 'string' ? context.http.method : undefined;
        if (method) {
          expect(span?.name.startsWith(`${method} `)).toBe(true);
          expect(span?.attributes['http.request.method']).toBe(method);
          expect(span?.attributes['faas.trigger']).toBe('http');
        } else {
          expect(span?.name).toBe('events-fn');
          expect(span?.attributes['faas.trigger']).toBe('other');
        }
        if (typeof event.rawPath === 'string' && event.rawPath !== '') {
          expect(span?.attributes['url.path']).toBe(event.rawPath);
        } else {
          expect(span?.attributes['url.path']).toBeUndefined();
        }
        if (withParent) {
          expect(span?.spanContext().traceId).toBe(traceId);
          expect(span?.parentSpanContext?.spanId).toBe(parentId);
        }
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});
