import * as z from 'zod';
import { checkClient } from './checks.js';
import {
  collectEnvSettings,
  type EnvSource,
  envBoolean,
  envEnum,
  envHttpUrl,
  envInt,
  envKeyValueList,
  envOptionalString,
  envSetting,
  isHttpUrl,
} from './env.js';
import { ConfigError, type ConfigWarning, maskWarning } from './errors.js';

export const OTLP_PROTOCOLS = ['grpc', 'http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

export const SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
  'jaeger_remote',
  'parentbased_jaeger_remote',
] as const;
export type SamplerName = (typeof SAMPLERS)[number];

export const PROPAGATORS = ['tracecontext', 'baggage', 'b3', 'b3multi', 'jaeger', 'none'] as const;
export type PropagatorName = (typeof PROPAGATORS)[number];

export const LOG_LEVELS = ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'] as const;
export const TRACES_EXPORTERS = ['otlp', 'console', 'none'] as const;
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

/** `host:port` (port 1-65535), or an http(s) URL, as the Milvus Node SDK accepts for `address`. */
const milvusAddress = z
  .string()
  .optional()
  .refine((v) => v === undefined || isHostPort(v) || isHttpUrl(v), 'bad address');

function isHostPort(value: string): boolean {
  const port = /^[^\s:/]+:(\d{1,5})$/.exec(value)?.[1];
  return port !== undefined && Number(port) >= 1 && Number(port) <= 65_535;
}

/**
 * The URL of one signal under a base endpoint: `path` goes on the base URL's path, its query string and fragment
 * stay after it as written (`http://c:4318?token=x` → `http://c:4318/v1/traces?token=x`).
 */
function signalUrl(base: string, path: string): string {
  const at = base.search(/[?#]/);
  const head = at < 0 ? base : base.slice(0, at);
  const tail = at < 0 ? '' : base.slice(at);
  return `${head.replace(/\/+$/, '')}/${path}${tail}`;
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
    envEnum(OTLP_PROTOCOLS, 'http/protobuf'),
    `one of ${OTLP_PROTOCOLS.join(', ')}`,
    'set OTEL_EXPORTER_OTLP_PROTOCOL=grpc (collector port 4317) or http/protobuf (port 4318)',
  ),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: envSetting(
    envEnum(OTLP_PROTOCOLS, undefined),
    `one of ${OTLP_PROTOCOLS.join(', ')}`,
    'set OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=grpc or http/protobuf, or unset it to use OTEL_EXPORTER_OTLP_PROTOCOL',
  ),
  OTEL_EXPORTER_OTLP_ENDPOINT: envSetting(
    envHttpUrl(),
    'an http:// or https:// URL of the collector (base URL, without /v1/traces)',
    'set OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4317 for grpc or http://localhost:4318 for http/protobuf',
  ),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: envSetting(
    envHttpUrl(),
    'an http:// or https:// URL (for http/protobuf the full URL, usually ending in /v1/traces)',
    'set OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://localhost:4318/v1/traces, or unset it',
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
    'set MILVUS_ADDRESS=localhost:19530',
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

export type SamplerConfig =
  | { readonly name: Exclude<SamplerName, `${string}traceidratio` | `${string}jaeger_remote`> }
  | { readonly name: 'traceidratio' | 'parentbased_traceidratio'; readonly ratio: number }
  | {
      readonly name: 'jaeger_remote' | 'parentbased_jaeger_remote';
      readonly endpoint: string;
      readonly pollingIntervalMs: number;
      readonly initialSamplingRate: number;
    };

/** The variables that can set where traces are sent, the signal-specific one first. */
export type OtlpEndpointVariable = 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' | 'OTEL_EXPORTER_OTLP_ENDPOINT';

/** The client side's tracing settings, typed and with every default filled in. */
export interface ClientSettings {
  readonly disabled: boolean;
  readonly serviceName: string;
  readonly resourceAttributes: Readonly<Record<string, string>>;
  readonly exporters: readonly (typeof TRACES_EXPORTERS)[number][];
  readonly otlp: {
    readonly protocol: OtlpProtocol;
    /** The URL traces are sent to: the gRPC endpoint, or the full http(s) URL ending in /v1/traces. */
    readonly url: string;
    /** The variable `url` comes from, so a message can name what to change; undefined: the protocol's default. */
    readonly urlVariable?: OtlpEndpointVariable | undefined;
    readonly headers: Readonly<Record<string, string>>;
    readonly timeoutMs: number;
    readonly certificateFile?: string | undefined;
  };
  readonly sampler: SamplerConfig;
  readonly propagators: readonly PropagatorName[];
  readonly logLevel: (typeof LOG_LEVELS)[number];
  /**
   * The ES module loader hook of `node --import @milvus-otel/node/register` (MILVUS_OTEL_ESM_HOOK): `auto` installs it
   * only when the app's entry point is (or may be) an ES module — CommonJS apps are patched through require().
   */
  readonly esmHook: EsmHookMode;
  /**
   * Inbound HTTP requests to these paths (exact match on the path, query string left out) create no span, so
   * health checks make no traces (MILVUS_OTEL_IGNORE_PATHS; default `/healthz`, `/health`, `/livez`, `/readyz`;
   * `none`: empty). Outgoing requests are not affected.
   */
  readonly ignoreIncomingPaths: readonly string[];
  /**
   * Express layers that get a span of their own (MILVUS_OTEL_EXPRESS_LAYERS): `none` (default) — the route still
   * names the request's span (`GET /search`, `http.route`); `handlers` — a span per route handler; `all` — middleware
   * and routers too (several spans per request, each costing CPU and export).
   */
  readonly expressLayers: ExpressLayers;
  /**
   * Which requires go through the instrumentations' require hook (MILVUS_OTEL_REQUIRE_HOOK): `narrow` (default) —
   * only those that may load a package an instrumentation registered by the preset patches; the others skip the
   * hook's second resolution of every file; `all` — every require, for instrumentations created after register()
   * without being passed to it.
   */
  readonly requireHook: RequireHookMode;
  /**
   * Query parameters whose values the HTTP spans keep (`url.query` of server spans, the query of `url.full` of client
   * spans); the values of all others are replaced with `REDACTED`, keys kept (MILVUS_OTEL_KEEP_QUERY_PARAMS; default
   * none: every value redacted).
   */
  readonly keepQueryParams: readonly string[];
  /**
   * What database client spans record of a statement (MILVUS_OTEL_DB_STATEMENTS): `command` (default) — for Redis the
   * command and how many keys and arguments it had (`evalsha [9 keys, 7 args]`), no key or value; SQL and MongoDB
   * statements with their values masked or left out; `full` — the arguments and values too.
   */
  readonly dbStatements: DbStatementMode;
  /**
   * The longest span attribute value, in characters; longer values are cut (OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT,
   * else OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT, else DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT).
   */
  readonly attributeValueLengthLimit: number;
  readonly batch: {
    readonly scheduleDelayMs: number;
    readonly exportTimeoutMs: number;
    readonly maxQueueSize: number;
    readonly maxExportBatchSize: number;
  };
  readonly milvus: {
    readonly address: string;
    readonly token?: string | undefined;
    readonly username?: string | undefined;
    readonly password?: string | undefined;
    readonly database: string;
    readonly tls: boolean;
    readonly tlsRootCertFile?: string | undefined;
    readonly tlsServerName?: string | undefined;
  };
}

export const DEFAULT_OTLP_PORT: Record<OtlpProtocol, number> = {
  grpc: 4317,
  'http/protobuf': 4318,
  'http/json': 4318,
};

function samplerConfig(name: SamplerName, arg: string | undefined): SamplerConfig | string {
  if (name === 'traceidratio' || name === 'parentbased_traceidratio') {
    if (arg === undefined) return { name, ratio: 1 };
    const ratio = Number(arg);
    if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) return 'a ratio from 0 to 1';
    return { name, ratio };
  }
  if (name === 'jaeger_remote' || name === 'parentbased_jaeger_remote') {
    const defaults = {
      endpoint: 'http://localhost:5778',
      pollingIntervalMs: 60_000,
      initialSamplingRate: 0.001,
    };
    const parts: Record<string, string> = {};
    for (const pair of (arg ?? '').split(',').filter((p) => p.trim())) {
      const eq = pair.indexOf('=');
      if (eq <= 0) return 'endpoint=<url>,pollingIntervalMs=<ms>,initialSamplingRate=<0..1>';
      parts[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
    }
    const unknown = Object.keys(parts).filter((k) => !(k in defaults));
    // The unknown keys are not named: a comma in the endpoint's password would make part of it one.
    if (unknown.length > 0) return 'only the keys endpoint, pollingIntervalMs and initialSamplingRate';
    const endpoint = parts.endpoint ?? defaults.endpoint;
    const pollingIntervalMs =
      parts.pollingIntervalMs === undefined ? defaults.pollingIntervalMs : Number(parts.pollingIntervalMs);
    const initialSamplingRate =
      parts.initialSamplingRate === undefined
        ? defaults.initialSamplingRate
        : Number(parts.initialSamplingRate);
    if (!isHttpUrl(endpoint)) return 'endpoint=<http(s) URL of the sampling endpoint>';
    if (!Number.isInteger(pollingIntervalMs) || pollingIntervalMs <= 0)
      return 'pollingIntervalMs=<whole number > 0>';
    if (!(initialSamplingRate >= 0 && initialSamplingRate <= 1))
      return 'initialSamplingRate=<ratio from 0 to 1>';
    return { name, endpoint, pollingIntervalMs, initialSamplingRate };
  }
  return { name };
}

export interface ParseResult<T> {
  readonly data: T;
  readonly warnings: readonly ConfigWarning[];
}

/**
 * Reads the client's tracing and Milvus settings from the environment (default `process.env`).
 * Throws one ConfigError listing every bad variable; returns the typed settings and the cross-check warnings.
 */
export function parseClientEnv(env: EnvSource = process.env): ParseResult<ClientSettings> {
  const { values: v, issues } = collectEnvSettings(CLIENT_ENV, env);
  const schemaProblems = issues.length > 0;

  const sampler = samplerConfig(v.OTEL_TRACES_SAMPLER, env.OTEL_TRACES_SAMPLER_ARG?.trim() || undefined);
  if (typeof sampler === 'string') {
    issues.push({
      key: 'OTEL_TRACES_SAMPLER_ARG',
      value: env.OTEL_TRACES_SAMPLER_ARG,
      expected: `${sampler} for OTEL_TRACES_SAMPLER=${v.OTEL_TRACES_SAMPLER}`,
      fix: v.OTEL_TRACES_SAMPLER.includes('jaeger_remote')
        ? 'set OTEL_TRACES_SAMPLER_ARG=endpoint=http://localhost:5778,pollingIntervalMs=5000,initialSamplingRate=0.25'
        : 'set OTEL_TRACES_SAMPLER_ARG=0.25 (keeps a quarter of new traces)',
    });
  }
  if (v.OTEL_BSP_MAX_EXPORT_BATCH_SIZE > v.OTEL_BSP_MAX_QUEUE_SIZE) {
    issues.push({
      key: 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
      value: String(v.OTEL_BSP_MAX_EXPORT_BATCH_SIZE),
      expected: `at most OTEL_BSP_MAX_QUEUE_SIZE (${v.OTEL_BSP_MAX_QUEUE_SIZE})`,
      fix: 'lower OTEL_BSP_MAX_EXPORT_BATCH_SIZE or raise OTEL_BSP_MAX_QUEUE_SIZE',
    });
  }
  if (v.MILVUS_USERNAME !== undefined && v.MILVUS_PASSWORD === undefined) {
    issues.push({
      key: 'MILVUS_PASSWORD',
      expected: 'a password, since MILVUS_USERNAME is set',
      fix: 'set MILVUS_PASSWORD, or use MILVUS_TOKEN=<user>:<password> instead',
    });
  }

  const protocol = v.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? v.OTEL_EXPORTER_OTLP_PROTOCOL;
  const base = v.OTEL_EXPORTER_OTLP_ENDPOINT ?? `http://localhost:${DEFAULT_OTLP_PORT[protocol]}`;
  const url =
    v.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (protocol === 'grpc' ? base : signalUrl(base, 'v1/traces'));
  const urlVariable: OtlpEndpointVariable | undefined =
    v.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined
      ? 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'
      : v.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined
        ? 'OTEL_EXPORTER_OTLP_ENDPOINT'
        : undefined;

  const settings: ClientSettings = {
    disabled: v.OTEL_SDK_DISABLED,
    serviceName: v.OTEL_SERVICE_NAME ?? v.OTEL_RESOURCE_ATTRIBUTES['service.name'] ?? 'unknown_service:node',
    resourceAttributes: v.OTEL_RESOURCE_ATTRIBUTES,
    exporters: v.OTEL_TRACES_EXPORTER,
    otlp: {
      protocol,
      url,
      urlVariable,
      headers: { ...v.OTEL_EXPORTER_OTLP_HEADERS, ...v.OTEL_EXPORTER_OTLP_TRACES_HEADERS },
      timeoutMs: v.OTEL_EXPORTER_OTLP_TRACES_TIMEOUT ?? v.OTEL_EXPORTER_OTLP_TIMEOUT,
      certificateFile: v.OTEL_EXPORTER_OTLP_CERTIFICATE,
    },
    sampler: typeof sampler === 'string' ? { name: 'parentbased_always_on' } : sampler,
    propagators: v.OTEL_PROPAGATORS,
    logLevel: v.OTEL_LOG_LEVEL,
    esmHook: v.MILVUS_OTEL_ESM_HOOK,
    ignoreIncomingPaths: v.MILVUS_OTEL_IGNORE_PATHS,
    expressLayers: v.MILVUS_OTEL_EXPRESS_LAYERS,
    requireHook: v.MILVUS_OTEL_REQUIRE_HOOK,
    keepQueryParams: v.MILVUS_OTEL_KEEP_QUERY_PARAMS,
    dbStatements: v.MILVUS_OTEL_DB_STATEMENTS,
    attributeValueLengthLimit:
      v.OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT ??
      v.OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT ??
      DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT,
    batch: {
      scheduleDelayMs: v.OTEL_BSP_SCHEDULE_DELAY,
      exportTimeoutMs: v.OTEL_BSP_EXPORT_TIMEOUT,
      maxQueueSize: v.OTEL_BSP_MAX_QUEUE_SIZE,
      maxExportBatchSize: v.OTEL_BSP_MAX_EXPORT_BATCH_SIZE,
    },
    milvus: {
      address: v.MILVUS_ADDRESS ?? 'localhost:19530',
      token: v.MILVUS_TOKEN,
      username: v.MILVUS_USERNAME,
      password: v.MILVUS_PASSWORD,
      database: v.MILVUS_DATABASE,
      tls: v.MILVUS_TLS || v.MILVUS_TLS_ROOT_CERT !== undefined,
      tlsRootCertFile: v.MILVUS_TLS_ROOT_CERT,
      tlsServerName: v.MILVUS_TLS_SERVER_NAME,
    },
  };

  // The cross-checks compare settings with each other: only meaningful once every one of them is valid.
  const findings = schemaProblems
    ? { errors: [], warnings: [] }
    : checkClient(settings, {
        protocolVariable:
          v.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL !== undefined
            ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
            : 'OTEL_EXPORTER_OTLP_PROTOCOL',
        baseEndpoint: v.OTEL_EXPORTER_OTLP_ENDPOINT,
        samplerArgGiven: Boolean(env.OTEL_TRACES_SAMPLER_ARG?.trim()),
      });
  issues.push(...findings.errors);
  if (issues.length > 0) throw new ConfigError('tracing settings', issues);
  return { data: settings, warnings: findings.warnings.map(maskWarning) };
}

export type SafeParseResult<T> =
  | { readonly success: true; readonly data: T; readonly warnings: readonly ConfigWarning[] }
  | { readonly success: false; readonly error: ConfigError };

/** Like parseClientEnv, but returns the error instead of throwing it. */
export function safeParseClientEnv(env: EnvSource = process.env): SafeParseResult<ClientSettings> {
  try {
    return { success: true, ...parseClientEnv(env) };
  } catch (error) {
    if (error instanceof ConfigError) return { success: false, error };
    throw error;
  }
}
