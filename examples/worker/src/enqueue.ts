/**
 * Queues documents for the worker, as any producer would (the Express service does the same per request):
 *
 *   node --import @milvus-otel/node/register src/enqueue.ts docs.json   # an array of documents, or { documents }
 *   node --import @milvus-otel/node/register src/enqueue.ts --sample 20 # generated documents
 *
 * The job is added inside an `enqueue documents` span and its `send <queue>` PRODUCER span, whose context travels in
 * the job data: the worker's job span continues this trace. Prints the job id and the trace id.
 */
import { readFile } from 'node:fs/promises';
import { exitOnConfigError } from '@milvus-otel/config';
import { shutdown as shutdownTracing, traceProducer } from '@milvus-otel/node';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Document } from './documents.ts';
import { type IngestJobData, JOB_NAME, JOB_OPTIONS } from './process-job.ts';
import { loadSettings } from './settings.ts';

const USAGE = 'usage: enqueue.ts <file.json> | --sample <count>';
const TOPICS = [
  ['databases', 'Vector indexes', 'HNSW graphs trade memory for fast approximate nearest neighbour search.'],
  ['databases', 'Consistency levels', 'Bounded staleness lets searches skip waiting for the newest writes.'],
  ['observability', 'Trace context', 'A traceparent header carries the trace id and the parent span id.'],
  ['observability', 'Span links', 'A consumer span links to the producer span of the message it processes.'],
  ['queues', 'Retries with backoff', 'Failed jobs are retried after exponentially growing delays.'],
  ['queues', 'Graceful shutdown', 'A worker finishes its running job before it exits.'],
] as const;

function sampleDocuments(count: number, prefix = `sample-${Date.now().toString(36)}`): Document[] {
  return Array.from({ length: count }, (_, i) => {
    const [category, title, body] = TOPICS[i % TOPICS.length] as (typeof TOPICS)[number];
    return { id: `${prefix}-${i + 1}`, title: `${title} #${i + 1}`, body, category };
  });
}

async function readDocuments(args: string[]): Promise<Document[]> {
  if (args[0] === '--sample') {
    const count = Number(args[1] ?? 3);
    if (!Number.isInteger(count) || count < 1)
      throw new Error(`--sample needs a positive whole number\n${USAGE}`);
    return sampleDocuments(count);
  }
  if (!args[0] || args[0].startsWith('-')) throw new Error(USAGE);
  const parsed = JSON.parse(await readFile(args[0], 'utf8')) as unknown;
  // The worker validates the documents; a bad file shows up as a failed job with the reason.
  return (Array.isArray(parsed) ? parsed : (parsed as { documents: Document[] }).documents) as Document[];
}

const settings = loadSettings(process.env, exitOnConfigError);
let documents: Document[];
try {
  documents = await readDocuments(process.argv.slice(2));
} catch (error) {
  console.error(`enqueue: ${(error as Error).message}`);
  process.exit(1);
}

const connection = new Redis(settings.redisUrl, { maxRetriesPerRequest: 3 });
connection.on('error', () => {}); // a failing command reports it
const queue = new Queue<IngestJobData>(settings.queue, { connection });
let exitCode = 0;
try {
  const tracer = trace.getTracer('@milvus-otel/example-worker');
  await tracer.startActiveSpan('enqueue documents', async (span) => {
    try {
      span.setAttribute('app.documents.count', documents.length);
      const job = await traceProducer({ queue: settings.queue }, (carrier) =>
        queue.add(JOB_NAME, { documents, trace: carrier }, JOB_OPTIONS),
      );
      console.log(
        `queued job ${job.id} on "${settings.queue}": ${documents.length} document(s), trace ${span.spanContext().traceId}`,
      );
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
} catch (error) {
  console.error(`enqueue: cannot queue the documents on ${settings.redisUrl}: ${(error as Error).message}`);
  exitCode = 1;
} finally {
  await queue.close();
  await connection.quit().catch(() => connection.disconnect());
  await shutdownTracing(); // exports the spans before the process ends
}
process.exit(exitCode);
