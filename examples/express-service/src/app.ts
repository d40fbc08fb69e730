/**
 * The HTTP API: routes, input validation and error mapping. It gets its clients from the caller (server.ts in
 * production, the tests with their own collection), so it can run anywhere. Tracing needs no code here: the preset
 * traces HTTP, Express and every Milvus call; the queue producer adds its own span (queue.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSpanContextValid, trace } from '@opentelemetry/api';
import { LoadState, type MilvusClient } from '@zilliz/milvus2-sdk-node';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { z } from 'zod';
import {
  codePoints,
  type Document,
  getDocument,
  LIMITS,
  QUERY_MAX,
  searchDocuments,
  upsertDocuments,
  wellFormed,
} from './documents.ts';
import { describeError, failsForNow } from './milvus-startup.ts';
import { type IngestQueue, QueueUnavailableError } from './queue.ts';

export interface AppDeps {
  milvus: MilvusClient;
  collection: string;
  /** Undefined when REDIS_URL is not set: POST /ingest then answers 503. */
  ingest: IngestQueue | undefined;
  /** True once shutdown began: /healthz answers 503 so load balancers stop sending traffic. */
  isShuttingDown?: () => boolean;
}

/** Largest accepted JSON body: a full batch of documents at their size limits fits. */
export const BODY_LIMIT = '4mb';

// JSON escapes let a client send a lone surrogate, which has no UTF-8 form: Milvus would refuse the whole request.
const unicode = () => z.string().refine(wellFormed, 'must be well-formed Unicode (no lone surrogate)');

// Milvus measures VarChar max_length in bytes (UTF-8), so the limits are checked in bytes too.
const utf8 = (max: number) =>
  unicode().refine((s) => Buffer.byteLength(s, 'utf8') <= max, `at most ${max} bytes (UTF-8)`);

// Ids and categories end up in Milvus filter expressions (the SDK's get() puts ids between quotes without escaping
// them), so both are limited to characters that need no quoting.
const idSchema = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]+$/, 'only letters, digits and _ . : -')
  .max(LIMITS.id, `at most ${LIMITS.id} characters`);
const categorySchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'only letters, digits, _ and -, at most 64 characters');

const documentSchema = z
  .object({
    id: idSchema,
    title: utf8(LIMITS.title).refine((s) => s.trim() !== '', 'must not be empty'),
    body: utf8(LIMITS.body),
    category: categorySchema,
  })
  .strict();

const batchSchema = z
  .object({
    documents: z
      .array(documentSchema)
      .min(1, 'at least one document')
      .max(LIMITS.batch, `at most ${LIMITS.batch} documents per request`),
  })
  .strict()
  .refine((b) => new Set(b.documents.map((d) => d.id)).size === b.documents.length, {
    message: 'ids must be unique within a request',
    path: ['documents'],
  });

const searchQuery = z.object({
  // Characters are code points: an emoji counts once, as users count it (and as every example counts it).
  q: unicode()
    .trim()
    .min(1, 'must not be empty')
    .refine((q) => codePoints(q) <= QUERY_MAX, `at most ${QUERY_MAX} characters`),
  category: categorySchema.optional(),
  limit: z.coerce.number().int('a whole number').min(1).max(50).default(5),
});

const documentParams = z.object({ id: idSchema });

/** Sent as its status with its JSON body; anything else thrown becomes a 500 without details. */
class HttpError extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;
  constructor(
    status: number,
    body: { error: string; message: string } & Record<string, unknown>,
    cause?: unknown,
  ) {
    super(body.message, { cause });
    this.status = status;
    this.body = body;
  }
}

/** One document, or `{ documents: [...] }`: the shape decides which schema reports the problems. */
function parseDocuments(body: unknown): Document[] {
  if (body === undefined) {
    // express.json() leaves the body undefined when the request is not JSON.
    throw new HttpError(400, {
      error: 'bad_request',
      message: 'Expected a JSON body (Content-Type: application/json).',
      issues: [{ path: '', message: 'missing JSON body' }],
    });
  }
  const batch = typeof body === 'object' && body !== null && 'documents' in body;
  return batch ? parse(batchSchema, body).documents : [parse(documentSchema, body)];
}

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new HttpError(400, {
    error: 'bad_request',
    message: 'The request is not valid; see issues.',
    issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
}

/**
 * What a failed Milvus call means for the client: 503, try again later, when it fails only for now (failsForNow).
 * Anything else is Milvus refusing the request (input validation should keep that from happening): 500, as a retry
 * would fail the same way.
 */
function milvusFailure(error: unknown): HttpError {
  if (failsForNow(error)) {
    return new HttpError(
      503,
      { error: 'milvus_unavailable', message: 'The vector database is not available; try again later.' },
      error,
    );
  }
  return new HttpError(
    500,
    { error: 'milvus_rejected', message: 'The vector database refused the request; retrying will not help.' },
    error,
  );
}

async function milvus<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw milvusFailure(error);
  }
}

/** Puts the trace id of the request's span in `x-trace-id`, so a caller can look the request up in Jaeger. */
const traceIdHeader: RequestHandler = (_req, res, next) => {
  const span = trace.getActiveSpan();
  if (span && isSpanContextValid(span.spanContext())) res.setHeader('x-trace-id', span.spanContext().traceId);
  next();
};

export function createApp(deps: AppDeps): express.Express {
  const { collection } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.use(traceIdHeader);
  app.use(express.json({ limit: BODY_LIMIT }));

  app.get('/healthz', async (_req, res) => {
    if (deps.isShuttingDown?.()) {
      res.status(503).json({ status: 'shutting_down' });
      return;
    }
    try {
      const { state } = await deps.milvus.getLoadState({ collection_name: collection, timeout: 2000 });
      if (state === LoadState.LoadStateLoaded) res.json({ status: 'ok' });
      else res.status(503).json({ status: 'unavailable', reason: `collection ${collection}: ${state}` });
    } catch {
      res.status(503).json({ status: 'unavailable', reason: 'Milvus did not answer' });
    }
  });

  app.post('/documents', async (req, res) => {
    const documents = parseDocuments(req.body);
    const upserted = await milvus(upsertDocuments(deps.milvus, collection, documents));
    res.status(201).json({ upserted, ids: documents.map((d) => d.id) });
  });

  app.get('/documents/:id', async (req, res) => {
    const { id } = parse(documentParams, req.params);
    const document = await milvus(getDocument(deps.milvus, collection, id));
    if (!document) throw new HttpError(404, { error: 'not_found', message: `No document with id ${id}.` });
    res.json(document);
  });

  app.get('/search', async (req, res) => {
    const { q, category, limit } = parse(searchQuery, req.query);
    // The filter expression is built in searchDocuments from the validated category, never from raw input.
    const hits = await milvus(searchDocuments(deps.milvus, collection, q, { category, limit }));
    res.json({ hits });
  });

  app.post('/ingest', async (req, res) => {
    if (!deps.ingest) {
      throw new HttpError(503, {
        error: 'queue_not_configured',
        message: 'Background ingestion is off: set REDIS_URL to enable POST /ingest, or use POST /documents.',
      });
    }
    const documents = parseDocuments(req.body);
    try {
      res.status(202).json({ jobId: await deps.ingest.enqueue(documents) });
    } catch (error) {
      if (!(error instanceof QueueUnavailableError)) throw error;
      throw new HttpError(
        503,
        { error: 'queue_unavailable', message: 'The job queue is not available; try again later.' },
        error,
      );
    }
  });

  app.use((req, _res, next) => {
    next(new HttpError(404, { error: 'not_found', message: `No route for ${req.method} ${req.path}.` }));
  });

  app.use(errorHandler);

  // The router gives up on a request target it cannot parse (`GET http://[ HTTP/1.1`) before any middleware runs, and
  // Express's default final handler would answer in HTML. This one answers in JSON, with the trace id.
  const express5 = app as unknown as {
    handle: (req: IncomingMessage, res: ServerResponse, done?: () => void) => void;
  };
  const handle = express5.handle.bind(app);
  express5.handle = (req, res, done) => handle(req, res, done ?? (() => unroutable(res)));
  return app;
}

/** The answer to a request whose target the router could not read. */
function unroutable(res: ServerResponse): void {
  if (res.headersSent) return;
  const span = trace.getActiveSpan();
  if (span && isSpanContextValid(span.spanContext())) res.setHeader('x-trace-id', span.spanContext().traceId);
  res.statusCode = 400;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(JSON.stringify({ error: 'bad_request', message: 'The request target is not a valid URL.' }));
}

const errorHandler: ErrorRequestHandler = (error, _req, res, _next) => {
  const http = toHttpError(error);
  if (http.status >= 500) {
    // Details go to the log and the trace, never to the client.
    const cause = http.cause ?? error;
    // The SDK also throws plain status objects: describeError spells those out.
    console.error(
      `${http.body.error}: ${cause instanceof Error && cause.stack ? cause.stack : describeError(cause)}`,
    );
    trace.getActiveSpan()?.recordException(cause as Error);
  }
  if (!res.headersSent) res.status(http.status).json(http.body);
};

function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  // express.json() errors (http-errors): malformed JSON, too large, unsupported charset…
  const e = error as { type?: string; status?: number; expose?: boolean; message?: string };
  if (e.type === 'entity.parse.failed') {
    return new HttpError(400, { error: 'bad_request', message: 'The body is not valid JSON.' });
  }
  if (e.type === 'entity.too.large') {
    return new HttpError(413, {
      error: 'payload_too_large',
      message: `The body is larger than ${BODY_LIMIT}.`,
    });
  }
  // The router decodes route parameters: `/documents/%ZZ` is not percent-encoding of UTF-8.
  if (error instanceof URIError) {
    return new HttpError(400, {
      error: 'bad_request',
      message: 'The URL path is not valid percent-encoding (of UTF-8).',
    });
  }
  if (e.expose && e.status && e.status >= 400 && e.status < 500) {
    return new HttpError(e.status, { error: 'bad_request', message: e.message ?? 'Bad request.' });
  }
  return new HttpError(500, { error: 'internal_error', message: 'Something went wrong on our side.' }, error);
}
