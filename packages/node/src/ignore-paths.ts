import type { IncomingMessage } from 'node:http';
/** The path of an inbound request's target, query string left out (`/healthz?probe=1` → `/healthz`). */
export function requestPath(url: string | undefined): string {
  if (!url) return '/';
  const end = url.search(/[?#]/);
  const path = end === -1 ? url : url.slice(0, end);
  if (path.startsWith('/')) return path;
  try {
    return new URL(url).pathname; // absolute-form target (`GET http://host/healthz`, sent to proxies)
  } catch {
    return path;
  }
}

/**
 * `ignoreIncomingRequestHook` of the HTTP instrumentation: true (no span, and tracing suppressed for the whole
 * request, so nothing under it starts a trace either) for inbound requests to one of `paths`. Undefined when there is
 * nothing to ignore, so the instrumentation runs no hook at all.
 */
export function ignoreIncomingRequests(
  paths: readonly string[],
): ((request: IncomingMessage) => boolean) | undefined {
  if (paths.length === 0) return undefined;
  const ignored = new Set(paths);
  return (request) => ignored.has(requestPath(request.url));
}
