/**
 * One `ingest` job: validate its documents, then embed and upsert them into Milvus in batches — inside the job span
 * that continues the producer's trace, so each batch's Milvus client span (and the server's spans under it) lands in
 * the trace of the request that queued the documents.
 *
 * A job is validated as a whole before its first batch is written, so a job with invalid data stores nothing. Milvus
 * has no transactions across batches: when Milvus fails on a later batch, the earlier ones stay stored, and the
 * failure reason says exactly which documents those are. Upserts replace by id, so running the job again is safe.
 */

import { type TraceCarrier, traceConsumer } from '@milvus-otel/node';
import type { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { type Job, UnrecoverableError } from 'bullmq';
import { z } from 'zod';
import { type Document, LIMITS, upsertDocuments, wellFormed } from './documents.ts';
import { describeError, failsForNow } from './milvus-startup.ts';

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

// The same rules as the producers' (the Express service's) validation; jobs may come from any producer, so the worker
// checks them again. Milvus stores text as UTF-8: a lone surrogate has no UTF-8 form (Milvus refuses the whole
// request), and VarChar max_length counts bytes, so text limits are checked in bytes.
const text = (max: number) =>
  z
    .string()
    .refine(wellFormed, 'must be well-formed Unicode (no lone surrogate)')
    .refine((s) => Buffer.byteLength(s, 'utf8') <= max, `at most ${max} bytes (UTF-8)`);

// Ids and categories end up in Milvus filter expressions, so both are limited to characters that need no quoting.
const documentSchema = z
  .object({
    id: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]+$/, 'only letters, digits and _ . : -')
      .max(LIMITS.id, `at most ${LIMITS.id} characters`),
    title: text(LIMITS.title).refine((s) => s.trim() !== '', 'must not be empty'),
    body: text(LIMITS.body),
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

/** Problems named in a failure reason: enough to fix the data, without storing a reason as large as the job. */
const MAX_ISSUES = 10;
const MAX_REASON = 2000;

const pathText = (path: readonly PropertyKey[]) =>
  path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('') ||
  '(job data)';

/**
 * A failure reason fit for Redis, logs and span status: at most MAX_REASON code points, and no lone surrogate (it
 * would echo the job's bad text, and an OTLP collector refuses a whole export batch over one).
 */
function reason(text: string): string {
  const points = Array.from(text.replace(/\p{Surrogate}/gu, '\ufffd'));
  return points.length <= MAX_REASON ? points.join('') : `${points.slice(0, MAX_REASON).join('')}…`;
}

/**
 * The job data when it is valid; otherwise an UnrecoverableError (retrying cannot fix the data) naming each problem
 * by its path, e.g. `documents[1].title: must not be empty`.
 */
export function validateJobData(data: unknown): z.infer<typeof jobDataSchema> {
  const parsed = jobDataSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const { issues } = parsed.error;
  const listed = issues.slice(0, MAX_ISSUES).map((i) => `${pathText(i.path)}: ${i.message}`);
  if (issues.length > MAX_ISSUES) listed.push(`and ${issues.length - MAX_ISSUES} more`);
  throw new UnrecoverableError(reason(`invalid job data: ${listed.join('; ')}`));
}

/**
 * The failure of the batch of documents [start, end) of `total`, saying which documents are stored: the batches
 * before it are; a batch Milvus refused is not; a batch whose call failed in transit may or may not be.
 */
export function batchFailure(error: unknown, start: number, end: number, total: number): Error {
  const stored =
    start === 0
      ? `none of the ${total} documents were stored`
      : `documents 0-${start - 1} of ${total} were stored`;
  if (failsForNow(error)) {
    return new Error(
      reason(
        `Milvus failed on documents ${start}-${end - 1}: ${describeError(error)}; ${stored} (documents ${start}-${end - 1} may have been too); a retry upserts them all again`,
      ),
      { cause: error },
    );
  }
  return new UnrecoverableError(
    reason(
      `Milvus refused documents ${start}-${end - 1}: ${describeError(error)}; ${stored}, documents ${start}-${total - 1} were not (not retried: every attempt would fail the same way)`,
    ),
  );
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
        // The whole job first: invalid data fails it before anything is written.
        const { documents } = validateJobData(job.data);
        span.setAttribute('app.documents.count', documents.length);
        let upserted = 0;
        let batches = 0;
        for (let start = 0; start < documents.length; start += ctx.batchSize) {
          const end = Math.min(start + ctx.batchSize, documents.length);
          try {
            // One `upsert <collection>` Milvus client span per batch, child of the job span.
            upserted += await upsertDocuments(ctx.milvus, ctx.collection, documents.slice(start, end));
          } catch (error) {
            span.setAttributes({ 'app.documents.upserted': upserted, 'app.batches': batches });
            throw batchFailure(error, start, end, documents.length);
          }
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
