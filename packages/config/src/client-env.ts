import * as z from 'zod';
import { parseHostPort } from './address.js';
import {
  envBoolean,
  envEnum,
  envHttpUrl,
  envInt,
  envKeyValueList,
  envOptionalString,
  envSetting,
  isHttpUrl,
} from './env.js';
import { instrumentationNameList } from './instrumentation-names.js';
import { OTLP_GRPC_PORT, OTLP_HTTP_PORT, OTLP_PROTOCOLS } from './otlp.js';
import { SAMPLERS } from './sampler.js';

export const PROPAGATORS = ['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger', 'none'] as const;
export type PropagatorName = (typeof PROPAGATORS)[number];

export const LOG_LEVELS = ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'] as const;
export const TRACES_EXPORTERS = ['otlp', 'console', 'none'] as const;
/** Where metrics go (OTEL_METRICS_EXPORTER): nowhere by default, so the preset loads no metrics code at all. */
export const METRICS_EXPORTERS = ['none', 'otlp'] as const;
export type MetricsExporter = (typeof METRICS_EXPORTERS)[number];
/** How often metrics are exported when OTEL_METRICS_EXPORTER=otlp (OTEL_METRIC_EXPORT_INTERVAL), in milliseconds. */
export const DEFAULT_METRIC_EXPORT_INTERVAL_MS = 60_000;
export const ESM_HOOK_MODES = ['auto', 'on', 'off'] as const;
export type EsmHookMode = (typeof ESM_HOOK_MODES)[number];
/** Which Express layers get a span of their own (MILVUS_OTEL_EXPRESS_LAYERS). */
export const EXPRESS_LAYERS = ['none', 'handlers', 'all'] as const;
export type ExpressLayers = (typeof EXPRESS_LAYERS)[number];
/** Which requires pass through the instrumentations' require hook (MILVUS_OTEL_REQUIRE_HOOK). */
export const REQUIRE_HOOK_MODES = ['narrow', 'all'] as const;
export type RequireHookMode = (typeof REQUIRE_HOOK_MODES)[number];
/** What database client spans record of a statement's arguments (MILVUS_OTEL_DB_STATEMENTS). */
export const DB_STATEMENT_MODES = ['command', 'full'] as const;
export type DbStatementMode = (typeof DB_STATEMENT_MODES)[number];

/**
 * The longest span attribute value (in characters) when neither OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT nor
 * OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT is set; the specification's default is no limit. 4096 keeps a SQL statement or a
 * ten-frame stack trace whole, while a full export batch (OTEL_BSP_MAX_EXPORT_BATCH_SIZE, 512 spans) with one
 * capped value per span stays at 2 MiB, under the 4 MiB a collector's gRPC receiver accepts per message by default.
 */
export const DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT = 4096;

/** Health-check paths whose inbound HTTP requests create no span by default (MILVUS_OTEL_IGNORE_PATHS). */
export const DEFAULT_IGNORE_PATHS = ['/healthz', '/health', '/livez', '/readyz'] as const;

/**
 * A URL path as an inbound request carries it, without query string or fragment: `/healthz`. Exact match, so no
 * wildcards or spaces either.
 */
export function isUrlPath(value: string): boolean {
  return /^\/[^\s?#*]*$/.test(value);
}

/**
 * A URL query parameter name as a request carries it (`limit`, `page`, `filter[id]`): no `=`, `&`, `#`, `?`, comma or
 * space.
 */
export function isQueryParamName(value: string): boolean {
  return /^[^\s=&#?,]+$/.test(value);
}

/**
 * A comma-separated list of `what` whose every item passes `isItem`, duplicates removed. Unset (or empty, as the
 * specification treats empty values) gives `unset`; `none` gives an empty list.
 */
const itemList = (isItem: (value: string) => boolean, what: string, unset: readonly string[]) =>
  z
    .string()
    .optional()
    .transform((v, ctx): readonly string[] => {
      if (v === undefined) return [...unset];
      if (v.toLowerCase() === 'none') return [];
      const items = v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (items.length === 0 || !items.every(isItem)) {
        ctx.addIssue({ code: 'custom', message: `not a list of ${what}` });
        return z.NEVER;
      }
      return [...new Set(items)];
    });

/** `MILVUS_OTEL_IGNORE_PATHS`: URL paths whose inbound requests are not traced; unset: the health-check defaults. */
const ignorePaths = itemList(isUrlPath, 'URL paths', DEFAULT_IGNORE_PATHS);

/**
 * `MILVUS_OTEL_KEEP_QUERY_PARAMS`: query parameter names whose values are kept in the HTTP spans' `url.query` /
 * `url.full`; every other value is redacted. Unset, empty or `none`: all values are redacted.
 */
const keepQueryParams = itemList(isQueryParamName, 'query parameter names', []);

const list = <const T extends readonly string[]>(values: T, fallback: T[number][]) =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return fallback;
      const items = v
        .split(',')
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean);
      if (items.length === 0 || items.some((i) => !(values as readonly string[]).includes(i))) {
        ctx.addIssue({ code: 'custom', message: 'unknown item' });
        return z.NEVER;
      }
      return [...new Set(items)] as T[number][];
    });

/** The Milvus server the SDK connects to when MILVUS_ADDRESS is unset. */
export const DEFAULT_MILVUS_ADDRESS = 'localhost:19530';

/**
 * `host:port` (port 1-65535; an IPv6 host in brackets: `[::1]:19530`), or an http(s) URL, as the Milvus Node SDK
 * accepts for `address`.
 */
const milvusAddress = z
  .string()
  .optional()
  .refine((v) => v === undefined || isHostPort(v) || isHttpUrl(v), 'bad address');

function isHostPort(value: string): boolean {
  if (/[\s/?#@]/.test(value)) return false;
  const address = parseHostPort(value);
  return address?.portGiven === true && address.port !== undefined;
}

/** Every variable the client side reads, with the defaults of the OpenTelemetry specification. */
export const CLIENT_ENV = {
  OTEL_SDK_DISABLED: envSetting(
    envBoolean(false),
    'true or false',
    'set OTEL_SDK_DISABLED=true to turn tracing off, or unset it',
  ),
  OTEL_SERVICE_NAME: envSetting(envOptionalString(), 'a service name', 'set OTEL_SERVICE_NAME=my-service'),
  OTEL_RESOURCE_ATTRIBUTES: envSetting(
    envKeyValueList(),
    'a comma-separated list of key=value pairs (values percent-encoded)',
    'write it like OTEL_RESOURCE_ATTRIBUTES=deployment.environment.name=dev,service.version=1.2.0',
  ),
  OTEL_TRACES_EXPORTER: envSetting(
    list(TRACES_EXPORTERS, ['otlp']),
    `a comma-separated list of ${TRACES_EXPORTERS.join(', ')}`,
    'set OTEL_TRACES_EXPORTER=otlp (or none to export nothing)',
  ),
  OTEL_EXPORTER_OTLP_PROTOCOL: envSetting(
    // Unset stays undefined here: the OTLP settings remember whether a variable chose the protocol.
    envEnum(OTLP_PROTOCOLS, undefined),
    `one of ${OTLP_PROTOCOLS.join(', ')}`,
    `set OTEL_EXPORTER_OTLP_PROTOCOL=grpc (collector port ${OTLP_GRPC_PORT}) or http/protobuf (port ${OTLP_HTTP_PORT})`,
  ),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: envSetting(
    envEnum(OTLP_PROTOCOLS, undefined),
    `one of ${OTLP_PROTOCOLS.join(', ')}`,
    'set OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=grpc or http/protobuf, or unset it to use OTEL_EXPORTER_OTLP_PROTOCOL',
  ),
  OTEL_EXPORTER_OTLP_ENDPOINT: envSetting(
    envHttpUrl(),
    'an http:// or https:// URL of the collector (base URL, without /v1/traces)',
    `set OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:${OTLP_GRPC_PORT} for grpc or http://localhost:${OTLP_HTTP_PORT} for http/protobuf`,
  ),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: envSetting(
    envHttpUrl(),
    'an http:// or https:// URL (for http/protobuf the full URL, usually ending in /v1/traces)',
    `set OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://localhost:${OTLP_HTTP_PORT}/v1/traces, or unset it`,
  ),
  OTEL_EXPORTER_OTLP_HEADERS: envSetting(
    envKeyValueList(),
    'a comma-separated list of key=value pairs',
    'write it like OTEL_EXPORTER_OTLP_HEADERS=authorization=Bearer%20<token>',
  ),
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: envSetting(
    envKeyValueList(),
    'a comma-separated list of key=value pairs',
    'write it like OTEL_EXPORTER_OTLP_TRACES_HEADERS=x-api-key=<key>',
  ),
  OTEL_EXPORTER_OTLP_TIMEOUT: envSetting(
    envInt(10_000, { min: 1 }),
    'a timeout in milliseconds (a whole number > 0)',
    'set OTEL_EXPORTER_OTLP_TIMEOUT=10000',
  ),
  OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: envSetting(
    envInt(undefined, { min: 1 }),
    'a timeout in milliseconds (a whole number > 0)',
    'set OTEL_EXPORTER_OTLP_TRACES_TIMEOUT=10000, or unset it',
  ),
  OTEL_EXPORTER_OTLP_CERTIFICATE: envSetting(
    envOptionalString(),
    'the path of a PEM file with the CA certificate(s) of the collector',
    'set it to a readable .pem file, or unset it',
  ),
  OTEL_METRICS_EXPORTER: envSetting(
    envEnum(METRICS_EXPORTERS, 'none'),
    `one of ${METRICS_EXPORTERS.join(', ')}`,
    'set OTEL_METRICS_EXPORTER=otlp to export metrics (db.client.operation.duration), or unset it for none',
  ),
  OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: envSetting(
    envEnum(OTLP_PROTOCOLS, undefined),
    `one of ${OTLP_PROTOCOLS.join(', ')}`,
    'set OTEL_EXPORTER_OTLP_METRICS_PROTOCOL=http/protobuf (what Prometheus receives) or grpc, or unset it to use OTEL_EXPORTER_OTLP_PROTOCOL',
  ),
  OTEL_EXPORTER_OTLP_METRICS_ENDPOINT: envSetting(
    envHttpUrl(),
    'an http:// or https:// URL (for http/protobuf the full URL, usually ending in /v1/metrics)',
    'set OTEL_EXPORTER_OTLP_METRICS_ENDPOINT=http://localhost:9090/api/v1/otlp/v1/metrics for Prometheus, or unset it',
  ),
  OTEL_EXPORTER_OTLP_METRICS_HEADERS: envSetting(
    envKeyValueList(),
    'a comma-separated list of key=value pairs',
    'write it like OTEL_EXPORTER_OTLP_METRICS_HEADERS=x-api-key=<key>',
  ),
  OTEL_EXPORTER_OTLP_METRICS_TIMEOUT: envSetting(
    envInt(undefined, { min: 1 }),
    'a timeout in milliseconds (a whole number > 0)',
    'set OTEL_EXPORTER_OTLP_METRICS_TIMEOUT=10000, or unset it',
  ),
  OTEL_METRIC_EXPORT_INTERVAL: envSetting(
    envInt(DEFAULT_METRIC_EXPORT_INTERVAL_MS, { min: 1 }),
    'an interval in milliseconds (a whole number > 0)',
    `set OTEL_METRIC_EXPORT_INTERVAL=${DEFAULT_METRIC_EXPORT_INTERVAL_MS}, or unset it`,
  ),
  OTEL_TRACES_SAMPLER: envSetting(
    envEnum(SAMPLERS, 'parentbased_always_on'),
    `one of ${SAMPLERS.join(', ')}`,
    'set OTEL_TRACES_SAMPLER=parentbased_traceidratio with OTEL_TRACES_SAMPLER_ARG=0.1 to keep 10% of new traces',
  ),
  OTEL_TRACES_SAMPLER_ARG: envSetting(
    envOptionalString(),
    'a ratio from 0 to 1 for the traceidratio samplers; for jaeger_remote: endpoint=<url>,pollingIntervalMs=<ms>,initialSamplingRate=<0..1>',
    'set OTEL_TRACES_SAMPLER_ARG=0.25, or the jaeger_remote form',
  ),
  OTEL_PROPAGATORS: envSetting(
    list(PROPAGATORS, ['tracecontext', 'baggage']),
    `a comma-separated list of ${PROPAGATORS.join(', ')}`,
    'set OTEL_PROPAGATORS=tracecontext,baggage',
  ),
  OTEL_LOG_LEVEL: envSetting(
    envEnum(LOG_LEVELS, 'info'),
    `one of ${LOG_LEVELS.join(', ')}`,
    'set OTEL_LOG_LEVEL=info (or debug while investigating)',
  ),
  OTEL_BSP_SCHEDULE_DELAY: envSetting(
    envInt(5000),
    'a delay in milliseconds (a whole number ≥ 0)',
    'set OTEL_BSP_SCHEDULE_DELAY=5000',
  ),
  OTEL_BSP_EXPORT_TIMEOUT: envSetting(
    envInt(30_000, { min: 1 }),
    'a timeout in milliseconds (a whole number > 0)',
    'set OTEL_BSP_EXPORT_TIMEOUT=30000',
  ),
  OTEL_BSP_MAX_QUEUE_SIZE: envSetting(
    envInt(2048, { min: 1 }),
    'a queue size (a whole number > 0)',
    'set OTEL_BSP_MAX_QUEUE_SIZE=2048',
  ),
  OTEL_BSP_MAX_EXPORT_BATCH_SIZE: envSetting(
    envInt(512, { min: 1 }),
    'a batch size (a whole number > 0, at most OTEL_BSP_MAX_QUEUE_SIZE)',
    'set OTEL_BSP_MAX_EXPORT_BATCH_SIZE=512',
  ),
  OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT: envSetting(
    envInt(undefined, { min: 1 }),
    'a length in characters (a whole number > 0)',
    `set OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT=${DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT}, or unset it to use OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT`,
  ),
  OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT: envSetting(
    envInt(undefined, { min: 1 }),
    'a length in characters (a whole number > 0)',
    `set OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT=${DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT}, or unset it for the default (${DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT})`,
  ),
  OTEL_NODE_ENABLED_INSTRUMENTATIONS: envSetting(
    instrumentationNameList(),
    'a comma-separated list of instrumentation names (http, express, fastify, koa, pg, redis, mongodb, mysql2, aws-lambda, undici, ioredis, milvus…)',
    'write it like OTEL_NODE_ENABLED_INSTRUMENTATIONS=http,express,milvus, or unset it for the default set',
  ),
  OTEL_NODE_DISABLED_INSTRUMENTATIONS: envSetting(
    instrumentationNameList(),
    'a comma-separated list of instrumentation names (http, express, fastify, koa, pg, redis, mongodb, mysql2, aws-lambda, undici, ioredis, milvus…)',
    'write it like OTEL_NODE_DISABLED_INSTRUMENTATIONS=fs,dns, or unset it',
  ),
  MILVUS_OTEL_ESM_HOOK: envSetting(
    envEnum(ESM_HOOK_MODES, 'auto'),
    `one of ${ESM_HOOK_MODES.join(', ')} (auto: only when the app's entry point is an ES module)`,
    'set MILVUS_OTEL_ESM_HOOK=on if a CommonJS app import()s instrumented packages, or unset it',
  ),
  MILVUS_OTEL_EXPRESS_LAYERS: envSetting(
    envEnum(EXPRESS_LAYERS, 'none'),
    `one of ${EXPRESS_LAYERS.join(', ')} (none: the route names the request's span; handlers: a span per route handler too; all: middleware and routers too)`,
    'set MILVUS_OTEL_EXPRESS_LAYERS=handlers (or all) to see Express layers as spans, or unset it',
  ),
  MILVUS_OTEL_REQUIRE_HOOK: envSetting(
    envEnum(REQUIRE_HOOK_MODES, 'narrow'),
    `one of ${REQUIRE_HOOK_MODES.join(', ')} (narrow: only requires that may load an instrumented package pass through the require hook)`,
    'set MILVUS_OTEL_REQUIRE_HOOK=all if you create instrumentations after register() without passing them to it, or unset it',
  ),
  MILVUS_OTEL_IGNORE_PATHS: envSetting(
    ignorePaths,
    'a comma-separated list of URL paths, each starting with / and without query string (exact match), or none',
    `write it like MILVUS_OTEL_IGNORE_PATHS=${DEFAULT_IGNORE_PATHS.join(',')}, or set MILVUS_OTEL_IGNORE_PATHS=none to trace every request`,
  ),
  MILVUS_OTEL_KEEP_QUERY_PARAMS: envSetting(
    keepQueryParams,
    'a comma-separated list of query parameter names (no =, &, #, ? or spaces), or none',
    'write it like MILVUS_OTEL_KEEP_QUERY_PARAMS=limit,page (values of other parameters stay redacted), or set it to none',
  ),
  MILVUS_OTEL_DB_STATEMENTS: envSetting(
    envEnum(DB_STATEMENT_MODES, 'command'),
    `one of ${DB_STATEMENT_MODES.join(', ')} (command: the command and how many keys and arguments it had; full: the arguments too)`,
    'set MILVUS_OTEL_DB_STATEMENTS=full to record statement arguments in database spans, or unset it',
  ),
  MILVUS_ADDRESS: envSetting(
    milvusAddress,
    'host:port of the Milvus server, port 1-65535 (or an http(s):// URL)',
    `set MILVUS_ADDRESS=${DEFAULT_MILVUS_ADDRESS}`,
  ),
  MILVUS_TOKEN: envSetting(
    envOptionalString(),
    'an API key, or user:password',
    'set MILVUS_TOKEN, or MILVUS_USERNAME and MILVUS_PASSWORD',
  ),
  MILVUS_USERNAME: envSetting(envOptionalString(), 'a user name', 'set MILVUS_USERNAME=root'),
  MILVUS_PASSWORD: envSetting(envOptionalString(), 'a password', 'set MILVUS_PASSWORD'),
  MILVUS_DATABASE: envSetting(
    z
      .string()
      .optional()
      .refine((v) => v === undefined || /^[A-Za-z_][A-Za-z0-9_]{0,254}$/.test(v), 'bad name')
      .transform((v) => v ?? 'default'),
    'a database name (letters, digits and _, not starting with a digit)',
    'set MILVUS_DATABASE=default',
  ),
  MILVUS_TLS: envSetting(
    envBoolean(false),
    'true or false',
    'set MILVUS_TLS=true for a TLS server, or unset it',
  ),
  MILVUS_TLS_ROOT_CERT: envSetting(
    envOptionalString(),
    'the path of a PEM file with the CA certificate of the Milvus server',
    'set it to a readable .pem file, or unset it',
  ),
  MILVUS_TLS_SERVER_NAME: envSetting(
    envOptionalString(),
    'the host name on the server certificate',
    'set it to the certificate’s host name, or unset it',
  ),
} as const;
