import type { ClientRequest } from 'node:http';
import { createRequire } from 'node:module';
import type { ClientSettings } from '@milvus-otel/config';
import { INSTRUMENTATION_NAMES, type InstrumentationName } from '@milvus-otel/config/internal';
import { MilvusInstrumentation } from '@milvus-otel/instrumentation-milvus';
import { diag } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type { ExpressInstrumentationConfig } from '@opentelemetry/instrumentation-express';
import type { HttpInstrumentationConfig } from '@opentelemetry/instrumentation-http';
import type { UndiciInstrumentationConfig } from '@opentelemetry/instrumentation-undici';
import { databaseConfigs, redisStatementSerializer } from './db-statements.ts';
import { ignoreIncomingRequests } from './ignore-paths.ts';
import { isSelected, notCarried } from './instrumentation-selection.ts';
import { leanClasses } from './lean-classes.ts';
import { OPTIONAL_INSTRUMENTATIONS, optionalInstrumentations } from './optional-instrumentations.ts';
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

/** What the lean set carries: its core, and the optional instrumentations of the libraries an app may have. */
const LEAN_NAMES: readonly InstrumentationName[] = [
  'http',
  'express',
  'undici',
  'ioredis',
  'milvus',
  ...OPTIONAL_INSTRUMENTATIONS.map((o) => o.name),
];

/**
 * The lean default: what a Node service on Milvus needs for end-to-end traces — inbound/outbound HTTP, Express
 * routes (no layer spans unless asked for), fetch (undici), Redis for queues (`db.query.text` per
 * MILVUS_OTEL_DB_STATEMENTS: by default the command without its arguments), and Milvus; plus Fastify, Koa, pg,
 * node-redis, MongoDB and mysql2 when the app has them installed (AWS Lambda when named). Each one can be switched
 * off or on by name (OTEL_NODE_ENABLED_INSTRUMENTATIONS / OTEL_NODE_DISABLED_INSTRUMENTATIONS). No gRPC
 * instrumentation: the Milvus instrumentation propagates the context itself, and a second transport span would only
 * add noise.
 */
function lean(options: RegisterOptions, settings: ClientSettings): Instrumentation[] {
  const selected = (name: InstrumentationName) => isSelected(name, settings.instrumentations);
  const ignored = notCarried(settings.instrumentations, LEAN_NAMES);
  if (ignored.length > 0)
    diag.warn(
      `@milvus-otel/node: OTEL_NODE_ENABLED_INSTRUMENTATIONS names ${ignored.join(', ')}, which the lean set does not carry. Fix: register({ instrumentations: 'all' }) with @opentelemetry/auto-instrumentations-node installed, or pass the instrumentation in extraInstrumentations.`,
    );
  const { HttpInstrumentation, ExpressInstrumentation, UndiciInstrumentation, IORedisInstrumentation } =
    leanClasses();
  return [
    ...(selected('http') ? [new HttpInstrumentation(httpConfig(settings))] : []),
    ...(selected('express') ? [new ExpressInstrumentation(expressConfig(settings.expressLayers))] : []),
    ...(selected('undici') ? [new UndiciInstrumentation(undiciConfig(settings))] : []),
    ...(selected('ioredis')
      ? [
          new IORedisInstrumentation({
            requireParentSpan: true,
            dbStatementSerializer: redisStatementSerializer(settings),
          }),
        ]
      : []),
    ...optionalInstrumentations(settings),
    ...(selected('milvus') ? [new MilvusInstrumentation(options.milvus)] : []),
  ];
}

/** Instrumentations of the `all` set that stay off unless OTEL_NODE_ENABLED_INSTRUMENTATIONS names them. */
const OFF_IN_ALL: readonly InstrumentationName[] = ['grpc', 'fs', 'host-metrics'];

/**
 * Everything @opentelemetry/auto-instrumentations-node offers (an optional dependency), gRPC and fs off, the database
 * instrumentations' statements per MILVUS_OTEL_DB_STATEMENTS, plus Fastify (when installed) and Milvus.
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
  const configs: Record<string, object> = {
    ...databaseConfigs(settings),
    '@opentelemetry/instrumentation-http': httpConfig(settings),
    '@opentelemetry/instrumentation-undici': undiciConfig(settings),
    '@opentelemetry/instrumentation-express': expressConfig(settings.expressLayers),
  };
  // Each of its instrumentations on or off by our reading of OTEL_NODE_ENABLED/DISABLED_INSTRUMENTATIONS (which
  // register({ env }) may carry instead of process.env); gRPC, fs and host metrics off unless named.
  for (const name of INSTRUMENTATION_NAMES) {
    if (name === 'milvus' || name === 'fastify') continue;
    const key = `@opentelemetry/instrumentation-${name}`;
    configs[key] = {
      ...configs[key],
      enabled: isSelected(name, settings.instrumentations, !OFF_IN_ALL.includes(name)),
    };
  }
  return [
    ...withoutSelectionVariables(() => auto.getNodeAutoInstrumentations(configs)),
    // Fastify's own instrumentation, which auto-instrumentations-node does not carry.
    ...optionalInstrumentations(settings, ['fastify']),
    ...(isSelected('milvus', settings.instrumentations) ? [new MilvusInstrumentation(options.milvus)] : []),
  ];
}

const SELECTION_VARIABLES = [
  'OTEL_NODE_ENABLED_INSTRUMENTATIONS',
  'OTEL_NODE_DISABLED_INSTRUMENTATIONS',
] as const;

/**
 * Runs `work` with the selection variables out of process.env: getNodeAutoInstrumentations reads them itself and
 * reports `milvus` and `fastify` as unknown, while the configs passed to it already switch each instrumentation.
 */
function withoutSelectionVariables<T>(work: () => T): T {
  const saved = SELECTION_VARIABLES.map((key) => [key, process.env[key]] as const);
  for (const key of SELECTION_VARIABLES) delete process.env[key];
  try {
    return work();
  } finally {
    for (const [key, value] of saved) if (value !== undefined) process.env[key] = value;
  }
}

/**
 * The instrumentations to register. OTEL_NODE_ENABLED_INSTRUMENTATIONS / OTEL_NODE_DISABLED_INSTRUMENTATIONS
 * (`settings.instrumentations`) pick among those of the `lean` and `all` sets by name. The ignored paths
 * (`settings.ignoreIncomingPaths`) and the query redaction (`settings.keepQueryParams`) apply to the HTTP (and
 * undici) instrumentations of the `lean` and `all` sets, the statement setting (`settings.dbStatements`) to their
 * database instrumentations; a list of your own is used as given.
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
