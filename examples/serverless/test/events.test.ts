/**
 * Malformed invocations under the real Lambda Runtime API (the Runtime Interface Emulator with aws-lambda-ric): a
 * payload that is not JSON, events of the wrong shape, parameters of the wrong type or length. Each is answered
 * (2xx/4xx, a JSON body, nothing of the function's internals), traced, and the runtime that answered serves the
 * next invocation — no new runtime, no cold start.
 */
import { randomBytes } from 'node:crypto';
import { type Trace, waitForTrace } from '@milvus-otel/jaeger-query';
import { clientEnv, ensureLambdaRie, loadSettings } from '@milvus-otel/stack';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FunctionProcess, httpEvent, runtimePids, startFunction } from '../scripts/rie.ts';
import { ensureCollection, searchDocuments, upsertDocuments } from '../src/documents.ts';
import { type Answer, expectCleanAnswer, rawPayload, SEED, searchEvent } from './arbitraries.ts';
import { freePort, invoke, invokeRaw } from './helpers.ts';

const stack = clientEnv(loadSettings());
const jaeger = stack.JAEGER_QUERY_URL as string;
const suffix = randomBytes(4).toString('hex');
const collection = `serverless_events_${suffix}`;
const service = `serverless-events-${suffix}`;
const milvus = new MilvusClient({ address: stack.MILVUS_ADDRESS as string, logLevel: 'error' });
const NOT_AN_EVENT = 'the event must be a JSON object: an API Gateway HTTP API request (2.0)';

let fn: FunctionProcess;
/** The runtime process that served the first invocation. */
let runtime: number[] = [];

beforeAll(async () => {
  await ensureCollection(milvus, collection);
  await upsertDocuments(milvus, collection, [
    {
      id: 'e1',
      title: 'Vector databases',
      body: 'Milvus stores embeddings and searches them',
      category: 'db',
    },
  ]);
  for (let i = 0; i < 100; i++) {
    if ((await searchDocuments(milvus, collection, 'milvus embeddings')).length > 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  fn = await startFunction({
    rie: await ensureLambdaRie(loadSettings()),
    port: await freePort(),
    runtimeApiPort: await freePort(),
    env: {
      ...stack,
      OTEL_SERVICE_NAME: service,
      OTEL_BSP_SCHEDULE_DELAY: '60000',
      DOCS_COLLECTION: collection,
    },
  });
  const first = await invoke(fn, searchEvent({ q: 'milvus' }));
  expect(first.statusCode, first.body).toBe(200);
  runtime = runtimePids(fn.rie.pid);
  expect(runtime, fn.output()).toHaveLength(1);
});

afterAll(async () => {
  await fn?.stop();
  await milvus.dropCollection({ collection_name: collection }).catch(() => undefined);
  await milvus.closeConnection();
});

/** The invocation span of the trace, once Jaeger has it. */
async function invocationSpan(traceId: string) {
  const found = (t: Trace) => t.spans.some((s) => s.service === service && s.tags['faas.invocation_id']);
  const trace = await waitForTrace(jaeger, traceId, { complete: found, timeoutMs: 20_000, settleMs: 0 });
  return trace?.spans.find((s) => s.service === service && s.tags['faas.invocation_id']);
}

/** Invokes with the payload and checks the answer, and that the same runtime is still the one serving. */
async function answered(payload: string | Uint8Array): Promise<Answer> {
  const res = expectCleanAnswer(await invokeRaw(fn, payload));
  expect(runtimePids(fn.rie.pid), `a new runtime was started\n${fn.output()}`).toEqual(runtime);
  return res;
}

/** The next invocation is served warm, by the same runtime. */
async function expectWarm(): Promise<void> {
  const res = await answered(JSON.stringify(searchEvent({ q: 'vector database' })));
  expect(res.statusCode, res.body).toBe(200);
  const span = await invocationSpan(res.headers['x-trace-id'] as string);
  expect(span?.tags['faas.coldstart']).toBe(false);
}

describe('an invocation payload that is not JSON', () => {
  it('is answered 400 with a trace, three times in a row, and the runtime stays up', async () => {
    for (const payload of ['not json', '{"rawPath": "/search"', '']) {
      const res = await answered(payload);
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(res.body)).toEqual({ error: 'bad request', issues: [NOT_AN_EVENT] });
      const span = await invocationSpan(res.headers['x-trace-id'] as string);
      expect(span?.tags).toMatchObject({ 'http.response.status_code': 400, 'faas.coldstart': false });
    }
    await expectWarm();
  });
});

describe('events of the wrong shape', () => {
  const search = (query: Record<string, unknown>) => ({
    ...httpEvent('GET', '/search'),
    queryStringParameters: query,
  });
  const cases: [string, unknown, 200 | 400, string | undefined][] = [
    ['a null event', null, 400, NOT_AN_EVENT],
    ['a number as the event', 7, 400, NOT_AN_EVENT],
    ['q as a number', search({ q: 42 }), 400, 'q must be a string'],
    ['q as an array', search({ q: ['a', 'b'] }), 400, 'q must be a string'],
    ['category as a number', search({ q: 'ok', category: 123 }), 400, 'category must be a string'],
    ['category as a boolean', search({ q: 'ok', category: true }), 400, 'category must be a string'],
    ['category as an array', search({ q: 'ok', category: ['db'] }), 400, 'category must be a string'],
    ['routeKey as a number', { ...search({ q: 'ok' }), routeKey: 5 }, 400, 'routeKey must be a string'],
    [
      'requestContext as a string',
      { ...search({ q: 'ok' }), requestContext: 'x' },
      400,
      'requestContext must be an object',
    ],
    [
      'q with a lone surrogate',
      search({ q: 'milvus \ud800' }),
      400,
      'q must be well-formed Unicode (no lone surrogate)',
    ],
    [
      'category with a lone surrogate',
      search({ q: 'ok', category: '\udc00' }),
      400,
      'category is 1 to 64 letters, digits, _ or -',
    ],
    ['q of 1001 code points', search({ q: '😀'.repeat(1001) }), 400, 'q is at most 1000 characters'],
    ['q of 1000 code points (2000 UTF-16 units)', search({ q: '😀'.repeat(1000) }), 200, undefined],
  ];

  it.each(cases)('%s: answered with a trace, never a stack', async (_name, event, status, issue) => {
    const res = await answered(JSON.stringify(event));
    expect(res.statusCode, res.body).toBe(status);
    if (issue) expect(JSON.parse(res.body).issues).toEqual([issue]);
    const span = await invocationSpan(res.headers['x-trace-id'] as string);
    expect(span?.tags).toMatchObject({ 'http.response.status_code': status, 'faas.coldstart': false });
  });
});

describe('any payload (property)', () => {
  it('is answered 2xx/4xx with a JSON body and no stack, traced, by the same warm runtime', async () => {
    const traces: string[] = [];
    await fc.assert(
      fc.asyncProperty(rawPayload, async (payload) => {
        const res = await answered(payload);
        traces.push(res.headers['x-trace-id'] as string);
      }),
      { seed: SEED, numRuns: 60 },
    );
    // Every invocation flushed its span before answering: a sample of them is in Jaeger.
    for (const traceId of traces.filter((_, i) => i % 5 === 0)) {
      expect(await invocationSpan(traceId), `trace ${traceId}`).toBeDefined();
    }
    await expectWarm();
  });
});
