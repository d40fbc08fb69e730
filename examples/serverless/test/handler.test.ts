/**
 * The handler in this process (src/tracing.ts's register(), then src/handler.ts, as the bundle's entry loads them),
 * against the stack's Milvus and Jaeger, fed generated events: many more than through the emulator
 * (test/events.test.ts), with values JSON cannot carry too (undefined, Maps, boxed strings, null prototypes).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { waitForTrace } from '@milvus-otel/jaeger-query';
import { clientEnv, loadSettings } from '@milvus-otel/stack';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCollection, searchDocuments, upsertDocuments } from '../src/documents.ts';
import {
  type Answer,
  anyValue,
  expectCleanAnswer,
  httpLikeEvent,
  issueFor,
  malformedEvent,
  SEED,
  searchCase,
  searchEvent,
  searchStatus,
} from './arbitraries.ts';

const stack = clientEnv(loadSettings());
const jaeger = stack.JAEGER_QUERY_URL as string;
const suffix = randomBytes(4).toString('hex');
const collection = `serverless_props_${suffix}`;
const service = `serverless-props-${suffix}`;
const milvus = new MilvusClient({ address: stack.MILVUS_ADDRESS as string, logLevel: 'error' });

type Handler = (event: unknown, context: { awsRequestId: string; functionName: string }) => Promise<unknown>;
let handler: Handler;

let saved: NodeJS.ProcessEnv = {};

/** Trace id → invocation id of every invocation, to look a sample of them up in Jaeger. */
const invocations = new Map<string, string>();

beforeAll(async () => {
  await ensureCollection(milvus, collection);
  await upsertDocuments(milvus, collection, [
    {
      id: 'p1',
      title: 'Vector databases',
      body: 'Milvus stores embeddings and searches them',
      category: 'db',
    },
    { id: 'p2', title: 'Tracing', body: 'OpenTelemetry spans follow a request end to end', category: 'otel' },
  ]);
  for (let i = 0; i < 100; i++) {
    if ((await searchDocuments(milvus, collection, 'milvus embeddings')).length > 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  // The function's environment, read when its modules load.
  saved = { ...process.env };
  Object.assign(process.env, {
    ...stack,
    OTEL_SERVICE_NAME: service,
    OTEL_BSP_SCHEDULE_DELAY: '60000', // only the flush before each answer exports
    DOCS_COLLECTION: collection,
  });
  await import('../src/tracing.ts');
  handler = (await import('../src/handler.ts')).handler as Handler;
});

afterAll(async () => {
  await (await import('@milvus-otel/node')).shutdown();
  process.env = saved;
  await milvus.dropCollection({ collection_name: collection }).catch(() => undefined);
  await milvus.closeConnection();
});

async function call(event: unknown): Promise<Answer> {
  const awsRequestId = randomUUID();
  const res = expectCleanAnswer(await handler(event, { awsRequestId, functionName: 'search-function' }));
  invocations.set(res.headers['x-trace-id'] as string, awsRequestId);
  return res;
}

describe('the handler, whatever the event (properties)', () => {
  it('answers any value 2xx/4xx with a JSON body, never a stack', async () => {
    await fc.assert(
      fc.asyncProperty(anyValue, async (event) => {
        await call(event);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('answers API Gateway-like events with fields of any type the same way', async () => {
    await fc.assert(
      fc.asyncProperty(httpLikeEvent(anyValue), async (event) => {
        await call(event);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('answers 400 to a wrong-typed field at any level, naming it', async () => {
    await fc.assert(
      fc.asyncProperty(malformedEvent(anyValue), async ({ path, event }) => {
        const res = await call(event);
        expect(res.statusCode, res.body).toBe(400);
        expect((JSON.parse(res.body) as { issues: string[] }).issues).toContain(issueFor(path));
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('searches exactly when every parameter is valid (q: 1 to 1000 code points, well-formed), else 400', async () => {
    await fc.assert(
      fc.asyncProperty(searchCase, async (c) => {
        const res = await call(searchEvent(c));
        expect(res.statusCode, res.body).toBe(searchStatus(c));
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('traced every invocation: a sample of them is in Jaeger, with its status', async () => {
    const sample = [...invocations].filter((_, i) => i % 20 === 0);
    expect(sample.length).toBeGreaterThanOrEqual(25);
    for (const [traceId, invocationId] of sample) {
      const trace = await waitForTrace(jaeger, traceId, {
        complete: (t) => t.spans.some((s) => s.tags['faas.invocation_id'] === invocationId),
        timeoutMs: 20_000,
        settleMs: 0,
      });
      const span = trace?.spans.find((s) => s.tags['faas.invocation_id'] === invocationId);
      expect(span?.service, `trace ${traceId}`).toBe(service);
      expect(span?.tags['http.response.status_code']).toEqual(expect.any(Number));
    }
  });
});
