/**
 * The request an invocation carries, checked before anything else runs. The event is whatever the invoker sent:
 * API Gateway sends an HTTP API (payload format 2.0) event, but a direct invoke, a test or another trigger can send
 * any JSON value. Every field the function (or its tracing wrapper) reads is checked for its type, so a malformed
 * event is answered 400 naming what is wrong, instead of failing somewhere inside the handler.
 */
import { codePoints, LIMITS, QUERY_MAX, wellFormed } from './documents.ts';

export const LIMIT_MAX = 50;
const CATEGORY = new RegExp(`^[A-Za-z0-9_-]{1,${LIMITS.category}}$`);

export type Issues = { ok: false; issues: string[] };

export interface HttpRequest {
  method: string;
  path: string;
  /** queryStringParameters: only their type is checked here, the search parameters by parseSearchParams. */
  query: Record<string, unknown>;
}

type Fields = Record<string, unknown>;

const isRecord = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Absent or null (API Gateway's REST payload 1.0 sends null for an empty query): the field is not there. */
const absent = (value: unknown) => value === undefined || value === null;

/**
 * The method, path and query of an HTTP API event, or every field that has the wrong type. Missing fields take
 * defaults (GET, `/`, no query) as before; a field that is there must have API Gateway's type.
 */
export function readRequest(event: unknown): { ok: true; request: HttpRequest } | Issues {
  if (!isRecord(event)) {
    return { ok: false, issues: ['the event must be a JSON object: an API Gateway HTTP API request (2.0)'] };
  }
  const issues: string[] = [];
  const string = (value: unknown, name: string): string | undefined => {
    if (absent(value)) return undefined;
    if (typeof value === 'string') return value;
    issues.push(`${name} must be a string`);
    return undefined;
  };
  const record = (value: unknown, name: string): Fields | undefined => {
    if (absent(value)) return undefined;
    if (isRecord(value)) return value;
    issues.push(`${name} must be an object`);
    return undefined;
  };

  const rawPath = string(event.rawPath, 'rawPath');
  string(event.routeKey, 'routeKey');
  const headers = record(event.headers, 'headers');
  if (headers && !Object.values(headers).every((v) => typeof v === 'string')) {
    issues.push('headers must be an object of strings');
  }
  const requestContext = record(event.requestContext, 'requestContext');
  const http = record(requestContext?.http, 'requestContext.http');
  const method = string(http?.method, 'requestContext.http.method');
  const httpPath = string(http?.path, 'requestContext.http.path');
  const query = record(event.queryStringParameters, 'queryStringParameters');
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    request: { method: method ?? 'GET', path: rawPath ?? httpPath ?? '/', query: query ?? {} },
  };
}

export interface SearchParams {
  q: string;
  category: string | undefined;
  limit: number;
}

/**
 * Checks the search parameters; every problem is reported, not just the first. `q` counts Unicode code points,
 * like the Express example's search: at most QUERY_MAX after trimming. Text with a lone surrogate has no UTF-8
 * form (JSON escapes let a client send one) and is refused.
 */
export function parseSearchParams(
  query: Record<string, unknown>,
): { ok: true; params: SearchParams } | Issues {
  const issues: string[] = [];
  /** The parameter's text; undefined when absent, null when it is not a string (reported). */
  const text = (name: string): string | undefined | null => {
    const value = query[name];
    if (absent(value)) return undefined;
    if (typeof value === 'string') return value;
    issues.push(`${name} must be a string`);
    return null;
  };

  const rawQ = text('q');
  const q = rawQ?.trim() ?? '';
  if (rawQ !== null) {
    if (q === '') issues.push('q is required: the text to search for');
    else if (!wellFormed(q)) issues.push('q must be well-formed Unicode (no lone surrogate)');
    else if (codePoints(q) > QUERY_MAX) issues.push(`q is at most ${QUERY_MAX} characters`);
  }

  const category = text('category');
  // Letters, digits, _ and - only: that also refuses a lone surrogate.
  if (typeof category === 'string' && !CATEGORY.test(category)) {
    issues.push(`category is 1 to ${LIMITS.category} letters, digits, _ or -`);
  }

  let limit = 5;
  const rawLimit = text('limit');
  if (typeof rawLimit === 'string') {
    limit = /^\d{1,3}$/.test(rawLimit) ? Number(rawLimit) : Number.NaN;
    if (!(limit >= 1 && limit <= LIMIT_MAX)) issues.push(`limit is a whole number from 1 to ${LIMIT_MAX}`);
  }
  return issues.length > 0
    ? { ok: false, issues }
    : { ok: true, params: { q, category: category ?? undefined, limit } };
}
