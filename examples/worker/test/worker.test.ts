import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDescendant, type Trace, type TraceSpan } from '@milvus-otel/jaeger-query';
import { forceFlush, register, shutdown, traceProducer } from '@milvus-otel/node';
import { RUNS, text, unit } from '@milvus-otel/stack/hostile-text';
import { LEAKS, rawRequest, requestOf } from '@milvus-otel/stack/raw-http';
import { trace } from '@opentelemetry/api';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { Queue } from 'bullmq';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Document, ensureCollection, getDocument } from '../src/documents.ts';
import { type IngestJobData, JOB_NAME, JOB_OPTIONS } from '../src/process-job.ts';
import {
  type App,
  appEnv,
  enqueue,
  readTrace,
  stackEnv,
  startWorker,
  storedIds,
  unique,
  waitForJob,
} from './helpers.ts';

const queueName = unique('ingest');
const collection = unique('docs');
const workerService = unique('worker');
const cliService = unique('enqueue_cli');
const testService = unique('producer');
const BATCH_SIZE = 3;
const env = appEnv({ INGEST_QUEUE: queueName, DOCS_COLLECTION: collection, BATCH_SIZE: String(BATCH_SIZE) });

let worker: App;
let port: number;
let redis: Redis;
let queue: Queue<IngestJobData>;
let milvus: MilvusClient;
let tmp: string;

beforeAll(async () => {
  register({ env: { ...appEnv(), OTEL_SERVICE_NAME: testService }, handleSignals: false });
  redis = new Redis(stackEnv.REDIS_URL as string, { maxRetriesPerRequest: null });
  queue = new Queue(queueName, { connection: redis });
  milvus = new MilvusClient({ address: stackEnv.MILVUS_ADDRESS as string, logLevel: 'error' });
  tmp = await mkdtemp(join(tmpdir(), 'worker-test-'));
  ({ app: worker, port } = await startWorker({ ...env, OTEL_SERVICE_NAME: workerService }));
});

afterAll(async () => {
  const exit = await worker?.stop();
  expect(exit?.code).toBe(0);
  await queue?.obliterate({ force: true });
  await queue?.close();
  await redis?.quit();
  await milvus?.dropCollection({ collection_name: collection });
  await milvus?.closeConnection();
  await rm(tmp, { recursive: true, force: true });
  await shutdown();
});

const docs = (prefix: string, count: number): Document[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${i}`,
    title: `Document ${i} of ${prefix}`,
    body: `Body ${i}: queued work traced from the producer into Milvus.`,
    category: i % 2 ? 'odd' : 'even',
  }));

/** Queues a job from this process inside a producer span, as the Express service does. */
async function produce(data: Omit<IngestJobData, 'trace'> & { trace?: unknown }, options = {}) {
  return trace.getTracer('worker-test').startActiveSpan('test request', async (span) => {
    const job = await traceProducer({ queue: queueName }, (carrier) =>
      queue.add(JOB_NAME, { trace: carrier, ...data } as IngestJobData, { ...JOB_OPTIONS, ...options }),
    );
    span.end();
    await forceFlush();
    return { jobId: job.id as string, traceId: span.spanContext().traceId };
  });
}

const serverSpansUnder = (jaegerTrace: Trace, client: TraceSpan) =>
  jaegerTrace.spans.filter((s) => s.service !== workerService && isDescendant(jaegerTrace, s, client.spanId));

/**
 * Reads the job's trace back from Jaeger and checks its shape: producer span → job span (parent AND link) → one
 * `upsert` client span per batch → Milvus server spans.
 */
async function checkJobTrace(traceId: string, producerService: string, batches: number) {
  const upsertName = `upsert ${collection}`;
  // The last attempt's job span: the one that succeeded.
  const lastJob = (all: Trace) =>
    all.spans
      .filter((s) => s.name === `process ${queueName}`)
      .sort(
        (a, b) =>
          (a.tags['messaging.bullmq.job.attempt'] as number) -
          (b.tags['messaging.bullmq.job.attempt'] as number),
      )
      .at(-1);
  const upsertsOf = (all: Trace, job: TraceSpan | undefined) =>
    all.spans.filter((s) => s.name === upsertName && s.parentId !== undefined && s.parentId === job?.spanId);
  const jaegerTrace = await readTrace(traceId, (all) => {
    const upserts = upsertsOf(all, lastJob(all));
    return (
      upserts.length >= batches &&
      upserts.every((u) => serverSpansUnder(all, u).some((s) => s.name === 'Proxy-Upsert'))
    );
  });
  const spans = jaegerTrace.spans;
  const producer = spans.find((s) => s.name === `send ${queueName}`);
  expect(producer).toMatchObject({ service: producerService, kind: 'producer' });
  const jobs = spans.filter((s) => s.name === `process ${queueName}`);
  const job = lastJob(jaegerTrace) as TraceSpan;
  // The job span continues the producer's trace (its parent) and links to the producer span as well.
  expect(job).toMatchObject({
    service: workerService,
    kind: 'consumer',
    parentId: producer?.spanId,
  });
  expect(job.links).toContainEqual(expect.objectContaining({ traceId, spanId: producer?.spanId }));
  expect(job.tags).toMatchObject({
    'messaging.system': 'bullmq',
    'messaging.destination.name': queueName,
    'messaging.bullmq.job.name': JOB_NAME,
  });
  expect(job.error).toBeUndefined();
  const upserts = upsertsOf(jaegerTrace, job);
  expect(upserts).toHaveLength(batches);
  for (const upsert of upserts) {
    expect(upsert).toMatchObject({
      service: workerService,
      kind: 'client',
      parentId: job.spanId,
    });
    expect(upsert.tags).toMatchObject({ 'db.system.name': 'milvus', 'db.collection.name': collection });
    // Milvus's own spans (another service: `standalone` natively) continue the trace under the client span.
    expect(serverSpansUnder(jaegerTrace, upsert).map((s) => s.name)).toContain('Proxy-Upsert');
  }
  return { spans, producer: producer as TraceSpan, job, jobs };
}

/** Milvus reads are bounded-staleness by default: poll until the documents are visible. */
async function expectStored(documents: Document[]) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const found = await Promise.all(documents.map((d) => getDocument(milvus, collection, d.id)));
    if (found.every(Boolean) || Date.now() > deadline) {
      expect(found).toEqual(documents);
      return;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

describe('queue worker', () => {
  it('answers /healthz with 200 when Redis, Milvus and the worker are up', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('processes a job queued by the CLI: enqueue span → producer span → job span → upsert spans → Milvus', async () => {
    const documents = docs('cli', 4);
    const file = join(tmp, 'docs.json');
    await writeFile(file, JSON.stringify(documents));
    const { jobId, traceId } = await enqueue([file], { ...env, OTEL_SERVICE_NAME: cliService });

    const job = await waitForJob(queue, jobId);
    expect(await job.getState()).toBe('completed');
    expect(job.returnvalue).toEqual({ upserted: 4, batches: 2 });

    const { spans, producer } = await checkJobTrace(traceId, cliService, 2);
    const root = spans.find((s) => s.name === 'enqueue documents');
    expect(root).toMatchObject({ service: cliService, parentId: undefined });
    expect(producer.parentId).toBe(root?.spanId);
    // ioredis (6, under BullMQ) is instrumented too: the command that wrote the job is a client span of the producer.
    const redisWrite = spans.find((s) => s.parentId === producer.spanId && s.kind === 'client');
    expect(redisWrite).toMatchObject({ service: cliService, name: expect.stringMatching(/^evalsha|^eval/) });
    await expectStored(documents);
  });

  it('processes a job queued by a traced producer in another service, one Milvus span per batch', async () => {
    const documents = docs('api', 7);
    const { jobId, traceId } = await produce({ documents });
    const job = await waitForJob(queue, jobId);
    expect(job.returnvalue).toEqual({ upserted: 7, batches: 3 });
    const { job: span } = await checkJobTrace(traceId, testService, 3);
    expect(span.tags).toMatchObject({
      'messaging.message.id': jobId,
      'messaging.bullmq.job.attempt': 1,
      'messaging.bullmq.job.max_attempts': 3,
      'app.documents.count': 7,
      'app.documents.upserted': 7,
    });
    await expectStored(documents);
  });

  it('fails a job with invalid data at once, without retry, with the reason on the job and the span', async () => {
    const { jobId, traceId } = await produce({
      documents: [
        { id: 'ok-1', title: 'fine', body: '', category: 'x' },
        { id: '', title: 'no id' } as Document,
      ],
    });
    const job = await waitForJob(queue, jobId);
    expect(await job.getState()).toBe('failed');
    expect(job.attemptsMade).toBe(1); // of 3 allowed: not retried
    expect(job.failedReason).toMatch(/invalid job data/);
    expect(job.failedReason).toMatch(/documents\[1\]\.id|documents\.1\.id/);
    expect(job.failedReason).toMatch(/category/);

    const { spans } = await readTrace(traceId, (t) => t.spans.some((s) => s.name === `process ${queueName}`));
    const jobSpans = spans.filter((s) => s.name === `process ${queueName}`);
    expect(jobSpans).toHaveLength(1);
    const span = jobSpans[0] as TraceSpan;
    expect(span.tags['otel.status_code']).toBe('ERROR');
    expect(span.tags['otel.status_description']).toMatch(/invalid job data/);
    expect(span.tags['messaging.bullmq.job.will_retry']).toBe(false);
    expect(span.events.find((e) => e.name === 'exception')?.attributes).toMatchObject({
      'exception.type': 'UnrecoverableError',
    });
    expect(spans.some((s) => s.name.startsWith('upsert '))).toBe(false);
  });

  it('retries a job that failed on Milvus, each attempt a span of the same trace', async () => {
    // The collection disappears (an operator dropped it): the first attempt fails on Milvus.
    await milvus.dropCollection({ collection_name: collection });
    const documents = docs('retry', 2);
    const { jobId, traceId } = await produce({ documents }, { backoff: { type: 'fixed', delay: 2000 } });
    const failedOnce = async () => ((await queue.getJob(jobId))?.attemptsMade ?? 0) >= 1;
    const deadline = Date.now() + 20_000;
    while (!(await failedOnce()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    // It is restored before the retry.
    await ensureCollection(milvus, collection);

    const job = await waitForJob(queue, jobId);
    expect(await job.getState()).toBe('completed');
    expect(job.attemptsMade).toBeGreaterThanOrEqual(1);

    const { jobs, producer, spans } = await checkJobTrace(traceId, testService, 1);
    expect(jobs.length).toBe(job.attemptsStarted);
    const [first, ...rest] = [...jobs].sort(
      (a, b) =>
        (a.tags['messaging.bullmq.job.attempt'] as number) -
        (b.tags['messaging.bullmq.job.attempt'] as number),
    ) as [TraceSpan, ...TraceSpan[]];
    const last = rest.at(-1) as TraceSpan;
    expect(first.tags).toMatchObject({
      'messaging.bullmq.job.attempt': 1,
      'messaging.bullmq.job.will_retry': true,
    });
    expect(first.tags['otel.status_code']).toBe('ERROR');
    expect(first.events.map((e) => e.name)).toContain('exception');
    // The failed attempt's Milvus call is there too, failed, under that attempt's span.
    const failedUpsert = spans.find((s) => s.parentId === first.spanId && s.name === `upsert ${collection}`);
    expect(failedUpsert?.tags['otel.status_code']).toBe('ERROR');
    expect(last.tags['messaging.bullmq.job.attempt']).toBe(jobs.length);
    expect(last.error).toBeUndefined();
    expect(last.events.find((e) => e.name === 'job.retry')?.attributes).toMatchObject({
      'messaging.bullmq.job.attempt': jobs.length,
    });
    for (const attempt of jobs) expect(attempt.parentId).toBe(producer.spanId);
    await expectStored(documents);
  });
});

describe('hostile input', () => {
  it('answers a health request whose target is not a URL with 400 JSON, and keeps working', async () => {
    const res = await rawRequest(port, requestOf('GET', 'http://['));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ error: 'bad request' });
    expect(res.raw).not.toMatch(LEAKS);
    expect(worker.child.exitCode).toBeNull();
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const documents = docs('after-bad-target', 2);
    const job = await waitForJob(queue, (await produce({ documents })).jobId);
    expect(job.returnvalue).toEqual({ upserted: 2, batches: 1 });
  });

  it('takes any job data: completes valid jobs, fails the others at once, stores nothing of a failed one', async () => {
    let marker = 0;
    const NO_KEY = Symbol('no key');
    // Documents near the rules, each with an id of its own so Milvus can be asked about it.
    const document = fc
      .record({
        title: fc.oneof(fc.constant('A title'), text),
        body: fc.oneof(fc.constant('A body'), text),
        category: fc.oneof({ weight: 3, arbitrary: fc.constant('props') }, { weight: 1, arbitrary: text }),
        extra: fc.oneof(
          { weight: 6, arbitrary: fc.constant(NO_KEY) },
          { weight: 1, arbitrary: fc.jsonValue() },
        ),
      })
      .map(({ extra, ...rest }) => ({
        id: `prop-${collection}-${++marker}`,
        ...rest,
        ...(extra === NO_KEY ? {} : { extra }),
      }));
    const data = fc.oneof(
      { weight: 3, arbitrary: fc.record({ documents: fc.array(document, { minLength: 1, maxLength: 4 }) }) },
      { weight: 1, arbitrary: fc.jsonValue({ stringUnit: unit }) },
      {
        weight: 1,
        arbitrary: fc.record({ documents: fc.jsonValue({ stringUnit: unit }), trace: fc.jsonValue() }),
      },
    );
    const completed: string[] = [];
    const failed: string[] = [];
    const traceIds: string[] = [];
    await fc.assert(
      fc.asyncProperty(data, async (payload) => {
        // Job data of any shape; an object without its own `trace` gets the producer's carrier, as producers add it.
        const carried =
          typeof payload === 'object' && payload !== null && !Array.isArray(payload) && !('trace' in payload);
        const { jobId, traceId } = await trace
          .getTracer('worker-test')
          .startActiveSpan('test request', async (span) => {
            const added = await traceProducer({ queue: queueName }, (carrier) =>
              queue.add(
                JOB_NAME,
                (carried ? { ...payload, trace: carrier } : payload) as IngestJobData,
                JOB_OPTIONS,
              ),
            );
            span.end();
            return { jobId: added.id as string, traceId: span.spanContext().traceId };
          });
        if (carried) traceIds.push(traceId);
        const job = await waitForJob(queue, jobId);
        const ids = ((payload as { documents?: unknown })?.documents as { id?: unknown }[] | undefined) ?? [];
        const markers = (Array.isArray(ids) ? ids : [])
          .map((d) => d?.id)
          .filter((id) => typeof id === 'string');
        if ((await job.getState()) === 'completed') completed.push(...markers);
        else {
          expect(job.attemptsMade).toBe(1); // invalid data is never retried
          expect(job.failedReason).toMatch(/^invalid job data: /);
          failed.push(...markers);
        }
      }),
      { ...RUNS, numRuns: 40 },
    );
    expect(completed.length).toBeGreaterThan(0);
    expect(failed.length).toBeGreaterThan(0);
    expect(await storedIds(milvus, collection, failed)).toEqual([]);
    expect(await storedIds(milvus, collection, completed)).toEqual(
      [...completed].sort((a, b) => a.localeCompare(b, 'en', { numeric: true })),
    );
    // The worker lived through it, and each job has its span in the producer's trace.
    expect(worker.child.exitCode).toBeNull();
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    await forceFlush();
    expect(traceIds.length).toBeGreaterThan(10);
    for (const traceId of traceIds) {
      const { spans } = await readTrace(traceId, (t) =>
        t.spans.some((s) => s.name === `process ${queueName}`),
      );
      expect(spans.map((s) => s.name)).toContain(`process ${queueName}`);
    }
  });
});
