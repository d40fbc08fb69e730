/**
 * Jobs that can never succeed: text Milvus cannot store (a lone surrogate), and documents Milvus refuses (the
 * collection, made by someone else, allows shorter titles than the job rules). Neither is retried, and the failure
 * says exactly which documents were stored. Against the real stack, in batches of 100.
 */
import type { TraceSpan } from '@milvus-otel/jaeger-query';
import { forceFlush, register, shutdown, traceProducer } from '@milvus-otel/node';
import { trace } from '@opentelemetry/api';
import { DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIMENSION, type Document } from '../src/documents.ts';
import { type IngestJobData, JOB_NAME, JOB_OPTIONS } from '../src/process-job.ts';
import {
  type App,
  appEnv,
  readTrace,
  stackEnv,
  startWorker,
  storedIds,
  unique,
  waitForJob,
} from './helpers.ts';

const queueName = unique('ingest_failures');
const collection = unique('docs_narrow');
const workerService = unique('worker_failures');
const TITLE_MAX = 30;

let worker: App;
let redis: Redis;
let queue: Queue<IngestJobData>;
let milvus: MilvusClient;

beforeAll(async () => {
  register({ env: { ...appEnv(), OTEL_SERVICE_NAME: unique('producer') }, handleSignals: false });
  redis = new Redis(stackEnv.REDIS_URL as string, { maxRetriesPerRequest: null });
  queue = new Queue(queueName, { connection: redis });
  milvus = new MilvusClient({ address: stackEnv.MILVUS_ADDRESS as string, logLevel: 'error' });
  await milvus.createCollection({
    collection_name: collection,
    fields: [
      { name: 'id', data_type: DataType.VarChar, is_primary_key: true, max_length: 64 },
      { name: 'title', data_type: DataType.VarChar, max_length: TITLE_MAX },
      { name: 'body', data_type: DataType.VarChar, max_length: 4096 },
      { name: 'category', data_type: DataType.VarChar, max_length: 64 },
      { name: 'embedding', data_type: DataType.FloatVector, dim: DIMENSION },
    ],
  });
  ({ app: worker } = await startWorker(
    appEnv({
      INGEST_QUEUE: queueName,
      DOCS_COLLECTION: collection,
      BATCH_SIZE: '100',
      OTEL_SERVICE_NAME: workerService,
    }),
  ));
});

afterAll(async () => {
  expect((await worker?.stop())?.code).toBe(0);
  await queue?.obliterate({ force: true });
  await queue?.close();
  await redis?.quit();
  await milvus?.dropCollection({ collection_name: collection });
  await milvus?.closeConnection();
  await shutdown();
});

/** 150 documents; the one at index 120 gets `bad`. */
function job(prefix: string, bad: Partial<Document>): Document[] {
  return Array.from({ length: 150 }, (_, i) => ({
    id: `${prefix}-${i}`,
    title: `Title ${i}`,
    body: `Body ${i}`,
    category: 'tests',
    ...(i === 120 ? bad : {}),
  }));
}

async function produce(documents: Document[]) {
  return trace.getTracer('worker-test').startActiveSpan('test request', async (span) => {
    const added = await traceProducer({ queue: queueName }, (carrier) =>
      queue.add(JOB_NAME, { documents, trace: carrier }, JOB_OPTIONS),
    );
    span.end();
    await forceFlush();
    return { jobId: added.id as string, traceId: span.spanContext().traceId };
  });
}

/** The job spans of a trace, once there are `count` with a status. */
async function jobSpans(traceId: string, count = 1): Promise<TraceSpan[]> {
  const { spans } = await readTrace(
    traceId,
    (t) =>
      t.spans.filter((s) => s.name === `process ${queueName}` && s.tags['otel.status_code'] !== undefined)
        .length >= count,
  );
  return spans.filter((s) => s.name === `process ${queueName}`);
}

describe('jobs that cannot succeed', () => {
  it('a lone surrogate in document 120 of 150 fails the job at once, and none of the 150 is stored', async () => {
    const documents = job(unique('surrogate'), { title: 'broken \ud800 title' });
    const { jobId, traceId } = await produce(documents);
    const done = await waitForJob(queue, jobId);
    expect(await done.getState()).toBe('failed');
    expect(done.attemptsMade).toBe(1); // of 3: not retried
    expect(done.failedReason).toBe(
      'invalid job data: documents[120].title: must be well-formed Unicode (no lone surrogate)',
    );
    expect(
      await storedIds(
        milvus,
        collection,
        documents.map((d) => d.id),
      ),
    ).toEqual([]);

    const [span] = await jobSpans(traceId);
    expect(span?.tags['otel.status_code']).toBe('ERROR');
    expect(span?.tags['messaging.bullmq.job.will_retry']).toBe(false);
  });

  it('a document Milvus refuses fails the job without retry, reporting exactly the documents stored', async () => {
    const documents = job(unique('refused'), { title: 'A title longer than thirty bytes' });
    const { jobId, traceId } = await produce(documents);
    const done = await waitForJob(queue, jobId);
    expect(await done.getState()).toBe('failed');
    expect(done.attemptsMade).toBe(1); // of 3: every attempt would be refused the same way
    expect(done.failedReason).toMatch(/^Milvus refused documents 100-149: .*exceeds max length/);
    expect(done.failedReason).toContain(
      'documents 0-99 of 150 were stored, documents 100-149 were not (not retried: every attempt would fail the same way)',
    );
    // Exactly what the reason says.
    const stored = await storedIds(
      milvus,
      collection,
      documents.map((d) => d.id),
    );
    expect(stored).toEqual(documents.slice(0, 100).map((d) => d.id));

    const [span] = await jobSpans(traceId);
    expect(span?.tags['otel.status_code']).toBe('ERROR');
    expect(span?.tags).toMatchObject({
      'messaging.bullmq.job.will_retry': false,
      'app.documents.count': 150,
      'app.documents.upserted': 100,
      'app.batches': 1,
    });
    expect(span?.events.find((e) => e.name === 'exception')?.attributes).toMatchObject({
      'exception.type': 'UnrecoverableError',
    });
    // The worker carries on with the next job.
    const next = job(unique('after'), {}).slice(0, 3);
    const ok = await waitForJob(queue, (await produce(next)).jobId);
    expect(ok.returnvalue).toEqual({ upserted: 3, batches: 1 });
  });
});
