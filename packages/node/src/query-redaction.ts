import type { IncomingMessage } from 'node:http';
import type { Attributes, Span } from '@opentelemetry/api';

/** What a redacted query value becomes (the word @opentelemetry/instrumentation-http uses too). */
export const REDACTED = 'REDACTED';

const ATTR_URL_QUERY = 'url.query';
const ATTR_URL_FULL = 'url.full';

function decodedName(raw: string): string {
  if (!raw.includes('%') && !raw.includes('+')) return raw;
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/**
 * A query string (without `?`) with the value of every parameter not in `keep` replaced by `REDACTED`, keys and
 * order kept: `q=my+search&limit=5` → `q=REDACTED&limit=5` with `keep` = {limit}. Parameters without a value
 * (`?debug`) stay as they are; the kept ones are left byte for byte.
 */
export function redactQuery(query: string, keep: ReadonlySet<string>): string {
  if (query === '') return query;
  return query
    .split('&')
    .map((part) => {
      const eq = part.indexOf('=');
      if (eq === -1) return part;
      const key = part.slice(0, eq);
      return keep.size > 0 && keep.has(decodedName(key)) ? part : `${key}=${REDACTED}`;
    })
    .join('&');
}

/** A URL (absolute or a request target) with its query redacted as redactQuery does; the fragment is kept. */
export function redactUrl(url: string, keep: ReadonlySet<string>): string {
  const start = url.indexOf('?');
  if (start === -1) return url;
  const hash = url.indexOf('#', start);
  const end = hash === -1 ? url.length : hash;
  return `${url.slice(0, start + 1)}${redactQuery(url.slice(start + 1, end), keep)}${url.slice(end)}`;
}

/**
 * `startIncomingSpanHook` of the HTTP instrumentation: the server span's `url.query`, values redacted. The
 * instrumentation merges these attributes over its own, so the span (and the sampler) never see the raw query.
 */
export function redactIncomingQuery(
  keepQueryParams: readonly string[],
): (request: IncomingMessage) => Attributes {
  const keep = new Set(keepQueryParams);
  return (request) => {
    const url = request.url ?? '';
    const start = url.indexOf('?');
    if (start === -1) return {};
    const hash = url.indexOf('#', start);
    const query = url.slice(start + 1, hash === -1 ? url.length : hash);
    return query === '' ? {} : { [ATTR_URL_QUERY]: redactQuery(query, keep) };
  };
}

/**
 * A `requestHook` for client spans (HTTP and undici/fetch instrumentations): rewrites `url.full` (and `url.query`,
 * which undici records) with the query values redacted. Reads the attributes the instrumentation set at the span's
 * start, so the URL is otherwise exactly as it recorded it; a non-recording span is left alone.
 */
export function redactOutgoingUrl(keepQueryParams: readonly string[]): (span: Span) => void {
  const keep = new Set(keepQueryParams);
  return (span) => {
    const attributes = (span as { attributes?: Attributes }).attributes;
    if (!attributes) return;
    const full = attributes[ATTR_URL_FULL];
    if (typeof full === 'string' && full.includes('?'))
      span.setAttribute(ATTR_URL_FULL, redactUrl(full, keep));
    const query = attributes[ATTR_URL_QUERY];
    if (typeof query === 'string' && query !== '') {
      const bare = query.startsWith('?') ? query.slice(1) : query;
      span.setAttribute(ATTR_URL_QUERY, `${query.startsWith('?') ? '?' : ''}${redactQuery(bare, keep)}`);
    }
  };
}
