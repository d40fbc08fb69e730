/**
 * The queue worker: consumes `ingest` jobs from BullMQ and writes their documents into Milvus, each job traced as a
 * continuation of the producer's trace. Start it with the tracing preset loaded first:
 *
 *   node --import @milvus-otel/node/register src/worker.ts
 *
 * SIGTERM / SIGINT: stop taking jobs, finish the running ones, close Redis and Milvus, flush the spans, exit 0.
 */
import { exitOnConfigError } from '@milvus-otel/config';
import { shutdown as shutdownTracing } from '@milvus-otel/node';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { ensureCollection } from './documents.ts';
import { type HealthServer, startHealthServer } from './health.ts';
import { connectWhenReady, describeError, ownConnection } from './milvus-startup.ts';
import { type JobResult, processJob } from './process-job.ts';
import { loadSettings } from './settings.ts';

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

const log = (message: string) => console.log(`worker: ${message}`);
const settings = loadSettings(process.env, exitOnConfigError);
const tracer = trace.getTracer('@milvus-otel/example-worker');

// Set once Milvus is up and the collection ready (below); until then /healthz reports Milvus as failing.
let milvus: MilvusClient | undefined;
// BullMQ workers block on Redis: commands must wait for a reconnect rather than fail after a few retries.
const connection = new Redis(settings.redisUrl, { maxRetriesPerRequest: null });
// While Redis is down every reconnect fails the same way: log each different error once.
let lastError = '';
const logError = (error: Error) => {
  if (error.message !== lastError) console.error(`worker: ${error.message}`);
  lastError = error.message;
};
connection.on('error', logError);
connection.on('ready', () => {
  lastError = '';
});

let worker: Worker | undefined;
let health: HealthServer | undefined;
let stopping = false;
let running = 0;

// Because the worker handles these signals itself, the preset only exports the spans ended so far when one arrives
// and leaves the final flush to shutdownTracing() below: the spans of the job still running are kept.
for (const signal of SIGNALS) process.on(signal, (s) => void stop(s));

health = await startHealthServer(
  settings.port,
  {
    redis: async () => connection.status === 'ready' && (await connection.ping()) === 'PONG',
    milvus: async () => milvus !== undefined && (await milvus.checkHealth()).isHealthy,
    worker: () => !stopping && worker?.isRunning() === true,
  },
  settings.healthHost,
);
log(`health on ${healthUrl(settings.healthHost, health.port)}`);

try {
  // Milvus may still be starting: transient failures are retried for MILVUS_STARTUP_TIMEOUT_MS (each attempt's calls
  // are children of this span), anything else stops start-up at once with its fix.
  milvus = await tracer.startActiveSpan('ensure collection', async (span) => {
    try {
      span.setAttribute('db.collection.name', settings.collection);
      return await connectWhenReady(
        () => new MilvusClient({ ...settings.milvus, channelOptions: ownConnection() }),
        (client) => ensureCollection(client, settings.collection),
        { address: settings.milvus.address, timeoutMs: settings.milvusStartupTimeoutMs, log },
      );
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: describeError(error) });
      throw error;
    } finally {
      span.end();
    }
  });
} catch (error) {
  console.error(
    `worker: cannot prepare collection "${settings.collection}" on Milvus at ${settings.milvus.address}: ${describeError(error)}`,
  );
  await close();
  process.exit(1);
}

if (!stopping) {
  const ctx = {
    milvus,
    queue: settings.queue,
    collection: settings.collection,
    batchSize: settings.batchSize,
  };
  worker = new Worker<unknown, JobResult>(
    settings.queue,
    async (job) => {
      running++;
      try {
        log(`job ${job.id} started (attempt ${job.attemptsStarted}/${job.opts.attempts ?? 1})`);
        return await processJob(job, ctx);
      } finally {
        running--;
      }
    },
    { connection, concurrency: settings.concurrency },
  );
  worker.on('completed', (job, result) =>
    log(`job ${job.id} completed: ${result.upserted} document(s) in ${result.batches} batch(es)`),
  );
  worker.on('failed', (job, error) => {
    const attempts = job?.opts.attempts ?? 1;
    const final = error.name === 'UnrecoverableError' || (job?.attemptsMade ?? attempts) >= attempts;
    log(
      `job ${job?.id} failed (attempt ${job?.attemptsStarted}/${attempts}, ${final ? 'final' : 'will retry'}): ${describeError(error)}`,
    );
  });
  worker.on('error', logError);
  await worker.waitUntilReady();
  log(
    `consuming queue "${settings.queue}" into collection "${settings.collection}" (batch ${settings.batchSize}, concurrency ${settings.concurrency})`,
  );
}

/** Where to reach /healthz from this machine: a wildcard address is reached through loopback. */
function healthUrl(host: string, port: number): string {
  const local = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const url = `http://${local.includes(':') ? `[${local}]` : local}:${port}/healthz`;
  return local === host ? url : `${url} (listening on ${host})`;
}

async function close(): Promise<void> {
  await health?.close();
  // quit() waits for the pending replies; without Redis there are none to wait for.
  if (connection.status === 'ready') await connection.quit().catch(() => connection.disconnect());
  else connection.disconnect();
  await milvus?.closeConnection();
  // Exports every span still queued (the drained jobs' too) within the preset's deadline.
  await shutdownTracing();
}

async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) {
    console.error(
      `worker: ${signal} again: exiting now; an interrupted job is picked up again once its lock expires`,
    );
    process.exit(1);
  }
  stopping = true;
  log(`${signal}: stopping, waiting for ${running} running job(s)`);
  // Takes no new job and resolves once the running ones have completed or failed. Without Redis a job can neither
  // complete nor fail: do not wait; its lock expires and another worker picks it up again.
  await worker?.close(connection.status !== 'ready');
  await close();
  log('stopped');
  process.exit(0);
}
