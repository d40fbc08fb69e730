/**
 * GET /search?q=…&category=…&limit=… — semantic document search on Milvus, as an AWS Lambda function behind an API
 * Gateway HTTP API (payload format 2.0).
 *
 * `withTracing` makes each invocation one SERVER span (faas semantic conventions, cold start, parent from an incoming
 * `traceparent` header) and flushes every span before the response is returned: after that, Lambda may freeze or
 * kill the runtime, and nothing may be left in a queue.
 */
import { type LambdaContext, withTracing } from '@milvus-otel/node';
import { trace } from '@opentelemetry/api';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { LIMITS, searchDocuments } from './documents.ts';
import { loadSettings } from './settings.ts';

/** Once per container (cold start), reused by every invocation the container serves. */
const settings = loadSettings();
const milvus = new MilvusClient({ ...settings.milvus, timeout: 10_000 });

export const QUERY_MAX = 1000;
export const LIMIT_MAX = 50;
const CATEGORY = new RegExp(`^[A-Za-z0-9_-]{1,${LIMITS.category}}$`);

export interface SearchParams {
  q: string;
  category: string | undefined;
  limit: number;
}

/** Checks the query string; every problem is reported, not just the first. */
export function parseSearchParams(
  query: Record<string, string | undefined> | undefined,
): { ok: true; params: SearchParams } | { ok: false; issues: string[] } {
  const issues: string[] = [];
  const q = query?.q?.trim() ?? '';
  if (q === '') issues.push('q is required: the text to search for');
  else if (q.length > QUERY_MAX) issues.push(`q is at most ${QUERY_MAX} characters`);

  const category = query?.category;
  if (category !== undefined && !CATEGORY.test(category)) {
    issues.push(`category is 1 to ${LIMITS.category} letters, digits, _ or -`);
  }

  let limit = 5;
  const rawLimit = query?.limit;
  if (rawLimit !== undefined) {
    limit = /^\d{1,3}$/.test(rawLimit) ? Number(rawLimit) : Number.NaN;
    if (!(limit >= 1 && limit <= LIMIT_MAX)) issues.push(`limit is a whole number from 1 to ${LIMIT_MAX}`);
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, params: { q, category, limit } };
}

function json(statusCode: number, body: unknown, headers: Record<string, string> = {}) {
  const traceId = trace.getActiveSpan()?.spanContext().traceId;
  return {
    statusCode,
    headers: {
      'content-type': 'application/json',
      ...(traceId ? { 'x-trace-id': traceId } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
  } satisfies APIGatewayProxyStructuredResultV2;
}

export const handler = withTracing(
  async (
    event: APIGatewayProxyEventV2,
    _context: LambdaContext,
  ): Promise<APIGatewayProxyStructuredResultV2> => {
    const method = event.requestContext?.http?.method ?? 'GET';
    const path = event.rawPath ?? event.requestContext?.http?.path ?? '/';
    if (path !== '/search') return json(404, { error: 'not found' });
    if (method !== 'GET') return json(405, { error: 'method not allowed' }, { allow: 'GET' });

    const parsed = parseSearchParams(event.queryStringParameters);
    if (!parsed.ok) return json(400, { error: 'bad request', issues: parsed.issues });

    const { q, category, limit } = parsed.params;
    try {
      const hits = await searchDocuments(milvus, settings.collection, q, { category, limit });
      return json(200, { hits });
    } catch (error) {
      // The Milvus client span already records the failure; the invocation span gets ERROR from the 503.
      console.error(`search failed: ${(error as Error).message}`);
      return json(503, { error: 'search unavailable, try again later' }, { 'retry-after': '1' });
    }
  },
);
