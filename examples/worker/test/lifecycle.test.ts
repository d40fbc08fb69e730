import { createServer } from 'node:net';
import type { TraceSpan } from '@milvus-otel/jaeger-query';
import { forceFlush, register, shutdown, traceProducer } from '@milvus-otel/node';
import { trace } from '@opentelemetry/api';
import { ConsistencyLevelEnum, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Document, searchDocuments } from '../src/documents.ts';
import { type IngestJobData, JOB_NAME, JOB_OPTIONS } from '../src/process-job.ts';
import { App, appEnv, lateMilvus, readTrace, stackEnv, startWorker, unique, waitForJob } from './helpers.ts';

const queueName = unique('ingest_sigterm');
const collection = unique('docs_sigterm');
const workerService = unique('worker_sigterm');
const lateQueueName = unique('ingest_late');
const lateCollection = unique('docs_late');
let redis: Redis;
let queue: Queue<IngestJobData>;
let milvus: MilvusClient;

beforeAll(() => {
  register({ env: { ...appEnv(), OTEL_SERVICE_NAME: unique('producer') }, handleSignals: false });
  redis = new Redis(stackEnv.REDIS_URL as string, { maxRetriesPerRequest: null });
  queue = new Queue(queueName, { connection: redis });
  milvus = new MilvusClient({ address: stackEnv.MILVUS_ADDRESS as string, logLevel: 'error' });
});

afterAll(async () => {
  await queue?.obliterate({ force: true });
  await queue?.close();
  const lateQueue = new Queue(lateQueueName, { connection: redis });
  await lateQueue.obliterate({ force: true });
  await lateQueue.close();
  await redis?.quit();
  await milvus?.dropCollection({ collection_name: collection });
  await milvus?.dropCollection({ collection_name: lateCollection });
  await milvus?.closeConnection();
  await shutdown();
});

/** A TCP port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('worker lifecycle', () => {
  it('refuses bad settings with one error naming each variable, and exit code 1', async () => {
    const app = new App(
      'src/worker.ts',
      [],
      appEnv({
        BATCH_SIZE: '0',
        REDIS_URL: 'http://127.0.0.1:6379',
        DOCS_COLLECTION: 'no-dashes',
        MILVUS_STARTUP_TIMEOUT_MS: 'forever',
      }),
    );
    const exit = await app.exited;
    expect(exit.code).toBe(1);
    expect(app.stderr).toMatch(/Invalid worker settings \(4 problems\)/);
    for (const key of ['BATCH_SIZE', 'REDIS_URL', 'DOCS_COLLECTION', 'MILVUS_STARTUP_TIMEOUT_MS'])
      expect(app.stderr).toContain(`- ${key} is`);
    expect(app.stdout).not.toMatch(/health on/);
  });

  it('waits MILVUS_STARTUP_TIMEOUT_MS for a Milvus that refuses connections, then exits 1 with the cause and the fix', async () => {
    const app = new App(
      'src/worker.ts',
      [],
      appEnv({
        MILVUS_ADDRESS: `127.0.0.1:${await closedPort()}`,
        MILVUS_STARTUP_TIMEOUT_MS: '2000',
        INGEST_QUEUE: unique('no_milvus'),
      }),
    );
    expect((await app.exited).code).toBe(1);
    // Reported within the 2 s budget; 0 or 1 s into it depending on how long grpc-js's own retries take.
    expect(app.stdout).toMatch(
      /worker: waiting for Milvus at 127\.0\.0\.1:\d+: 14 UNAVAILABLE: .*\([01] s of 2 s\)/,
    );
    expect(app.stderr).toMatch(
      /worker: cannot prepare collection "docs" on Milvus at 127\.0\.0\.1:\d+: Milvus did not become ready within 2 s \(\d+ attempts\); the last failure: 14 UNAVAILABLE/,
    );
    expect(app.stderr).toContain('Fix: start Milvus, or point MILVUS_ADDRESS');
    expect(`${app.stdout}${app.stderr}`).not.toMatch(/undefined/);
    expect(app.stderr).not.toMatch(/triggerUncaughtException|^\s+at /m);
  });

  it('exits 1 at once on a Milvus address that does not resolve, with the cause and the fix', async () => {
    const started = Date.now();
    const app = new App(
      'src/worker.ts',
      [],
      appEnv({ MILVUS_ADDRESS: 'does-not-exist.invalid:19530', INGEST_QUEUE: unique('bad_host') }),
    );
    expect((await app.exited).code).toBe(1);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(app.stderr).toContain(
      'worker: cannot prepare collection "docs" on Milvus at does-not-exist.invalid:19530: getaddrinfo ENOTFOUND does-not-exist.invalid (not retried',
    );
    expect(app.stderr).toContain('Fix: point MILVUS_ADDRESS at a host that resolves');
    expect(`${app.stdout}${app.stderr}`).not.toMatch(/undefined|waiting for Milvus/);
  });

  it('waits for a Milvus that comes up after it (unhealthy meanwhile), then consumes jobs', async () => {
    // Nothing listens at the worker's MILVUS_ADDRESS until the test opens it; then it leads to the stack's Milvus.
    const late = await lateMilvus(stackEnv.MILVUS_ADDRESS as string);
    const app = new App(
      'src/worker.ts',
      [],
      appEnv({ MILVUS_ADDRESS: late.address, INGEST_QUEUE: lateQueueName, DOCS_COLLECTION: lateCollection }),
    );
    try {
      const [, port] = await app.waitFor(/health on http:\/\/127\.0\.0\.1:(\d+)/);
      await app.waitFor(
        new RegExp(`worker: waiting for Milvus at ${late.address}: 14 UNAVAILABLE: .*ECONNREFUSED`),
      );
      const waiting = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(waiting.status).toBe(503);
      expect(await waiting.json()).toEqual({
        status: 'unavailable',
        failing: expect.arrayContaining(['milvus']),
      });

      await new Promise((r) => setTimeout(r, 2000));
      await late.open();
      await app.waitFor(new RegExp(`worker: Milvus at ${late.address} is ready after \\d+ s`), 30_000);
      await app.waitFor(/consuming queue/, 30_000);
      const healthy = await fetch(`http://127.0.0.1:${port}/healthz`);
      expect(healthy.status).toBe(200);

      const document = {
        id: 'late-1',
        title: 'Late start',
        body: 'Milvus came up after the worker',
        category: 'late',
      };
      const lateQueue = new Queue<IngestJobData>(lateQueueName, { connection: redis });
      try {
        const job = await lateQueue.add(JOB_NAME, { documents: [document], trace: {} }, JOB_OPTIONS);
        expect(await (await waitForJob(lateQueue, job.id as string)).getState()).toBe('completed');
      } finally {
        await lateQueue.close();
      }
      // What the worker wrote is found by a search on the stack's Milvus.
      let hits: { id: string }[] = [];
      for (let i = 0; i < 40 && hits.length === 0; i++) {
        hits = await searchDocuments(milvus, lateCollection, 'Milvus came up after the worker', { limit: 1 });
        if (hits.length === 0) await new Promise((r) => setTimeout(r, 250));
      }
      expect(hits[0]?.id).toBe('late-1');
      expect(`${app.stdout}${app.stderr}`).not.toMatch(/undefined/);
    } finally {
      expect((await app.stop()).code).toBe(0);
      await late.close();
    }
  });

  it('answers /healthz with 503 naming Redis while Redis is unreachable, and still stops cleanly', async () => {
    const app = new App(
      'src/worker.ts',
      [],
      appEnv({
        REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
        INGEST_QUEUE: unique('unreachable'),
        DOCS_COLLECTION: collection,
        OTEL_SERVICE_NAME: workerService,
      }),
    );
    const [, port] = await app.waitFor(/health on http:\/\/127\.0\.0\.1:(\d+)/);
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable', failing: expect.arrayContaining(['redis']) });
    expect((await app.stop()).code).toBe(0);
  });

  it('on SIGTERM mid-job finishes the job, exports every span of it, takes no new job, and exits 0', async () => {
    const batches = 60;
    const env = appEnv({
      INGEST_QUEUE: queueName,
      DOCS_COLLECTION: collection,
      BATCH_SIZE: '5',
      OTEL_SERVICE_NAME: workerService,
      // Spans wait for the batch timer: whatever is still queued at SIGTERM must be flushed on the way out.
      OTEL_BSP_SCHEDULE_DELAY: '60000',
    });
    const { app } = await startWorker(env);
    const documents: Document[] = Array.from({ length: batches * 5 }, (_, i) => ({
      id: `sigterm-${i}`,
      title: `Graceful shutdown ${i}`,
      body: 'A worker finishes its running job before it exits.',
      category: 'queues',
    }));
    const { jobId, traceId } = await trace
      .getTracer('worker-test')
      .startActiveSpan('test request', async (span) => {
        const job = await traceProducer({ queue: queueName }, (carrier) =>
          queue.add(JOB_NAME, { documents, trace: carrier }, JOB_OPTIONS),
        );
        span.end();
        return { jobId: job.id as string, traceId: span.spanContext().traceId };
      });
    // Queued behind it: the stopping worker must leave it in the queue for the next one.
    const next = await queue.add(JOB_NAME, { documents: [documents[0] as Document], trace: {} }, JOB_OPTIONS);
    await forceFlush();

    await app.waitFor(new RegExp(`job ${jobId} started`));
    app.child.kill('SIGTERM');
    const exit = await app.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    // The signal landed while the job ran, and the worker waited for it.
    expect(app.stdout).toMatch(/SIGTERM: stopping, waiting for 1 running job\(s\)/);
    expect(app.stdout.indexOf(`job ${jobId} completed`)).toBeGreaterThan(app.stdout.indexOf('SIGTERM'));

    const job = await waitForJob(queue, jobId);
    expect(await job.getState()).toBe('completed');
    expect(job.returnvalue).toEqual({ upserted: documents.length, batches });

    // Every span of the job is in Jaeger: the job span and each batch's Milvus client span.
    const upsertName = `upsert ${collection}`;
    const { spans } = await readTrace(
      traceId,
      (t) =>
        t.spans.some((s) => s.name === `process ${queueName}`) &&
        t.spans.filter((s) => s.name === upsertName).length >= batches,
      15_000,
    );
    const jobSpan = spans.find((s) => s.name === `process ${queueName}`) as TraceSpan;
    expect(jobSpan).toMatchObject({ service: workerService, kind: 'consumer' });
    expect(jobSpan.error).toBeUndefined();
    const upserts = spans.filter((s) => s.name === upsertName);
    expect(upserts).toHaveLength(batches);
    for (const u of upserts) expect(u.parentId).toBe(jobSpan.spanId);

    // And every document is in Milvus.
    const res = await milvus.query({
      collection_name: collection,
      filter: 'id like "sigterm-%"',
      output_fields: ['count(*)'],
      consistency_level: ConsistencyLevelEnum.Strong,
    });
    expect(Number(res.data[0]?.['count(*)'])).toBe(documents.length);

    // The next job was not taken, nor lost: it waits, and the next worker processes it.
    expect(await next.getState()).toBe('waiting');
    const { app: second } = await startWorker(env);
    expect(await (await waitForJob(queue, next.id as string)).getState()).toBe('completed');
    expect((await second.stop()).code).toBe(0);
  });
});
