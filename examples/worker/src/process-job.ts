/**
 * One `ingest` job: validate its documents, then embed and upsert them into Milvus in batches — inside the job span
 * that continues the producer's trace, so each batch's Milvus client span (and the server's spans under it) lands in
 * the trace of the request that queued the documents.
 */

import { type TraceCarrier, traceConsumer } from '@milvus-otel/node';
import type { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { type Job, UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import { type Document, LIMITS, upsertDocuments } from './documents.ts';

/** Job name producers use on the queue. */
export const JOB_NAME = 'ingest';

/** Attempts and backoff every producer sets, so a transient Milvus failure is retried (1 s, 2 s). */
export const JOB_OPTIONS = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

export interface IngestJobData {
  documents: Document[];
  trace: TraceCarrier;
}

// The same rules as the producers' (the Express service's) validation. Milvus measures VarChar max_length in bytes
// (UTF-8), so text limits are checked in bytes.
const utf8 = (max: number) =>
  z.string().refine((s) => Buffer.byteLength(s, 'utf8') <= max, `at most ${max} bytes (UTF-8)`);

// Ids and categories end up in Milvus filter expressions, so both are limited to characters that need no quoting.
const documentSchema = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]+$/, 'only letters, digits and _ . : -')
      .max(LIMITS.id, `at most ${LIMITS.id} characters`),
    title: utf8(LIMITS.title).refine((s) => s.trim() !== '', 'must not be empty'),
    body: utf8(LIMITS.body),
    category: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, 'only letters, digits, _ and -, at most 64 characters'),
  })
  .strict();

export const jobDataSchema = z.object({
  documents: z
    .array(documentSchema)
    .min(1, 'must hold at least one document')
    .max(LIMITS.batch, `must hold at most ${LIMITS.batch} documents`)
    .refine((docs) => new Set(docs.map((d) => d.id)).size === docs.length, 'ids must be unique'),
  trace: z.record(z.string(), z.string()).optional(),
});

export interface JobContext {
  milvus: MilvusClient;
  queue: string;
  collection: string;
  batchSize: number;
}

export interface JobResult {
  upserted: number;
  batches: number;
}

/** The trace carrier, when the job data has a usable one (validation reports a bad one). */
function carrierOf(data: unknown): TraceCarrier | undefined {
  const trace = (data as { trace?: unknown } | null)?.trace;
  if (!trace || typeof trace !== 'object') return undefined;
  return Object.fromEntries(Object.entries(trace).filter(([, v]) => typeof v === 'string')) as TraceCarrier;
}

export function processJob(job: Job, ctx: JobContext): Promise<JobResult> {
  const attempt = Math.max(job.attemptsStarted, 1);
  const maxAttempts = job.opts.attempts ?? 1;
  return traceConsumer(
    carrierOf(job.data),
    {
      queue: ctx.queue,
      ...(job.id ? { messageId: job.id } : {}),
      attributes: {
        'messaging.bullmq.job.name': job.name,
        'messaging.bullmq.job.attempt': attempt,
        'messaging.bullmq.job.max_attempts': maxAttempts,
        'db.collection.name': ctx.collection,
      },
    },
    async (span) => {
      if (attempt > 1) {
        span.addEvent('job.retry', {
          'messaging.bullmq.job.attempt': attempt,
          'messaging.bullmq.job.previous_failure': job.failedReason ?? '',
        });
      }
      try {
        const parsed = jobDataSchema.safeParse(job.data);
        if (!parsed.success) {
          // Retrying cannot fix the data: fail the job now, with the reason.
          throw new UnrecoverableError(
            `invalid job data: ${z.prettifyError(parsed.error).replaceAll('\n', ' ')}`,
          );
        }
        const { documents } = parsed.data;
        span.setAttribute('app.documents.count', documents.length);
        let upserted = 0;
        let batches = 0;
        for (let i = 0; i < documents.length; i += ctx.batchSize) {
          // One `upsert <collection>` Milvus client span per batch, child of the job span.
          upserted += await upsertDocuments(
            ctx.milvus,
            ctx.collection,
            documents.slice(i, i + ctx.batchSize),
          );
          batches++;
        }
        span.setAttributes({ 'app.documents.upserted': upserted, 'app.batches': batches });
        return { upserted, batches };
      } catch (error) {
        const willRetry = !(error instanceof UnrecoverableError) && attempt < maxAttempts;
        span.setAttribute('messaging.bullmq.job.will_retry', willRetry);
        throw error;
      }
    },
  );
}
