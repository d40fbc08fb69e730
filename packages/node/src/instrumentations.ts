import type { ClientRequest } from 'node:http';
import { createRequire } from 'node:module';
import type { ClientSettings } from '@milvus-otel/config';
import { MilvusInstrumentation } from '@milvus-otel/instrumentation-milvus';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { ExpressInstrumentationConfig } from '@opentelemetry/instrumentation-express';
import type { HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import type { UndiciInstrumentationConfig } from '@opentelemetry/instrumentation-undici';
import { databaseConfigs, redisStatementSerializer } from './db-statements.ts';
import { ignoreIncomingRequests } from './ignore-paths.ts';
import { leanClasses } from './lean-classes.ts';
import { redactIncomingQuery, redactOutgoingUrl } from './query-redaction.ts';
import type { RegisterOptions } from './types.ts';

const load = createRequire(import.meta.url);

/**
 * Inbound requests to the ignored paths (health checks) create no span; outgoing requests are all traced. Query
 * values are redacted on both sides (`?q=REDACTED&limit=5` with `limit` kept): the server span's `url.query` through
 * `startIncomingSpanHook` (merged over the instrumentation's own attributes, before the span starts), the client
 * span's `url.full` through `requestHook`.
 */
function httpConfig(settings: ClientSettings): HttpInstrumentationConfig {
  const ignoreIncomingRequestHook = ignoreIncomingRequests(settings.ignoreIncomingPaths);
  const redactOutgoing = redactOutgoingUrl(settings.keepQueryParams);
  return {
    ...(ignoreIncomingRequestHook ? { ignoreIncomingRequestHook } : {}),
    startIncomingSpanHook: redactIncomingQuery(settings.keepQueryParams),
    requestHook: (span, request) => {
      if ((request as ClientRequest).path !== undefined) redactOutgoing(span);
    },
  };
}

/**
 * Express layer spans (`MILVUS_OTEL_EXPRESS_LAYERS`, `register({ expressLayers })`). The instrumentation records the
 * matched route on the request's span before it checks whether a layer is ignored, so with `none` the server span is
 * still named `GET /search` and carries `http.route`: the spans a request costs drop from five (server, two
 * middleware, handler, Milvus) to two.
 */
function expressConfig(layers: ClientSettings['expressLayers']): ExpressInstrumentationConfig {
  const ignored: Record<typeof layers, string[]> = {
    none: ['middleware', 'router', 'request_handler'],
    handlers: ['middleware', 'router'],
    all: [],
  };
  return { ignoreLayersType: ignored[layers] as ExpressInstrumentationConfig['ignoreLayersType'] };
}

/** fetch (undici) client spans: `url.full` and `url.query` with the query values redacted. */
function undiciConfig(settings: ClientSettings): UndiciInstrumentationConfig {
  return { requestHook: redactOutgoingUrl(settings.keepQueryParams) };
}

/**
 * The lean default: what a Node service on Milvus needs for end-to-end traces — inbound/outbound HTTP, Express
 * routes (no layer spans unless asked for), fetch (undici), Redis for queues (`db.query.text` per
 * MILVUS_OTEL_DB_STATEMENTS: by default the command without its arguments), and Milvus. No gRPC instrumentation: the
 * Milvus instrumentation propagates the context itself, and a second transport span would only add noise.
 */
function lean(options: RegisterOptions, settings: ClientSettings): Instrumentation[] {
  const { HttpInstrumentation, ExpressInstrumentation, UndiciInstrumentation, IORedisInstrumentation } =
    leanClasses();
  return [
    new HttpInstrumentation(httpConfig(settings)),
    new ExpressInstrumentation(expressConfig(settings.expressLayers)),
    new UndiciInstrumentation(undiciConfig(settings)),
    new IORedisInstrumentation({
      requireParentSpan: true,
      dbStatementSerializer: redisStatementSerializer(settings),
    }),
    new MilvusInstrumentation(options.milvus),
  ];
}

/**
 * Everything @opentelemetry/auto-instrumentations-node offers (an optional dependency), gRPC and fs off, the database
 * instrumentations' statements per MILVUS_OTEL_DB_STATEMENTS, plus Milvus.
 */
function all(options: RegisterOptions, settings: ClientSettings): Instrumentation[] {
  let auto: typeof import('@opentelemetry/auto-instrumentations-node');
  try {
    auto = load(
      '@opentelemetry/auto-instrumentations-node',
    ) as typeof import('@opentelemetry/auto-instrumentations-node');
  } catch {
    throw new Error(
      '@milvus-otel/node: instrumentations "all" needs @opentelemetry/auto-instrumentations-node. Fix: npm install @opentelemetry/auto-instrumentations-node, or use "lean".',
    );
  }
  return [
    ...auto.getNodeAutoInstrumentations({
      ...databaseConfigs(settings),
      '@opentelemetry/instrumentation-http': httpConfig(settings),
      '@opentelemetry/instrumentation-undici': undiciConfig(settings),
      '@opentelemetry/instrumentation-express': expressConfig(settings.expressLayers),
      '@opentelemetry/instrumentation-grpc': { enabled: false },
      '@opentelemetry/instrumentation-fs': { enabled: false },
    }),
    new MilvusInstrumentation(options.milvus),
  ];
}

/**
 * The instrumentations to register. The ignored paths (`settings.ignoreIncomingPaths`) and the query redaction
 * (`settings.keepQueryParams`) apply to the HTTP (and undici) instrumentations of the `lean` and `all` sets, the
 * statement setting (`settings.dbStatements`) to their database instrumentations; a list of your own is used as given.
 */
export function selectInstrumentations(
  options: RegisterOptions,
  settings: ClientSettings,
): Instrumentation[] {
  const chosen = options.instrumentations ?? 'lean';
  const base =
    chosen === 'lean' ? lean(options, settings) : chosen === 'all' ? all(options, settings) : chosen;
  return [...base, ...(options.extraInstrumentations ?? [])];
}
