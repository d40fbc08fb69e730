import type { IncomingMessage } from 'node:http';
import {
  type ClientSettings,
  ConfigError,
  EXPRESS_LAYERS,
  isUrlPath,
  REQUIRE_HOOK_MODES,
} from '@milvus-otel/config';
import { withKeptQueryParams } from './query-redaction.ts';
import type { RegisterOptions } from './types.ts';

/**
 * The settings with the HTTP options of register() in force: `ignoreIncomingPaths` wins over
 * MILVUS_OTEL_IGNORE_PATHS (`[]` ignores nothing), `keepQueryParams` over MILVUS_OTEL_KEEP_QUERY_PARAMS (see
 * query-redaction.ts), `expressLayers` over MILVUS_OTEL_EXPRESS_LAYERS, `requireHook` over MILVUS_OTEL_REQUIRE_HOOK.
 * A bad entry throws a ConfigError naming the option, before anything is started.
 */
export function withIgnoredPaths(settings: ClientSettings, options: RegisterOptions): ClientSettings {
  let result = withKeptQueryParams(ignoring(settings, options), options);
  result = withChoice(
    result,
    'expressLayers',
    options.expressLayers,
    EXPRESS_LAYERS,
    "pass expressLayers: 'handlers' (or 'all') to see Express layers as spans, or leave it out",
  );
  return withChoice(
    result,
    'requireHook',
    options.requireHook,
    REQUIRE_HOOK_MODES,
    "pass requireHook: 'all' if you create instrumentations after register() without passing them to it, or leave it out",
  );
}

/** The settings with an option that picks one of `allowed` in force. */
function withChoice<K extends 'expressLayers' | 'requireHook'>(
  settings: ClientSettings,
  key: K,
  value: ClientSettings[K] | undefined,
  allowed: readonly ClientSettings[K][],
  fix: string,
): ClientSettings {
  if (value === undefined) return settings;
  if (!allowed.includes(value))
    throw new ConfigError('register() options', [
      { key, value: String(value), expected: `one of ${allowed.join(', ')}`, fix },
    ]);
  return { ...settings, [key]: value };
}

function ignoring(settings: ClientSettings, options: RegisterOptions): ClientSettings {
  const paths = options.ignoreIncomingPaths;
  if (paths === undefined) return settings;
  const bad = paths.filter((p) => typeof p !== 'string' || !isUrlPath(p));
  if (bad.length > 0)
    throw new ConfigError('register() options', [
      {
        key: 'ignoreIncomingPaths',
        value: bad.map(String).join(', '),
        expected: 'URL paths, each starting with / and without query string (exact match)',
        fix: "pass paths like ignoreIncomingPaths: ['/healthz', '/readyz'], or [] to trace every request",
      },
    ]);
  return { ...settings, ignoreIncomingPaths: [...new Set(paths)] };
}

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
