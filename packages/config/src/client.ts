import { checkClient } from './client-checks.js';
import { CLIENT_ENV, DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT, DEFAULT_MILVUS_ADDRESS } from './client-env.js';
import type { ClientSettings } from './client-settings.js';
import { collectEnvSettings, type EnvSource } from './env.js';
import { ConfigError, type ConfigWarning, maskWarning } from './errors.js';
import { type InstrumentationName, unknownInstrumentationIssue } from './instrumentation-names.js';
import { resolveOtlp } from './otlp.js';
import { resolveSampler } from './sampler.js';

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

  const sampler = resolveSampler(v.OTEL_TRACES_SAMPLER, v.OTEL_TRACES_SAMPLER_ARG);
  if (sampler.issue) issues.push(sampler.issue);
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
  for (const key of ['OTEL_NODE_ENABLED_INSTRUMENTATIONS', 'OTEL_NODE_DISABLED_INSTRUMENTATIONS'] as const) {
    const issue = unknownInstrumentationIssue(key, env[key], v[key]);
    if (issue) issues.push(issue);
  }
  const { otlp, issues: otlpIssues } = resolveOtlp(v);
  const metricsOtlp = resolveOtlp(v, 'metrics');
  const metricsOn = v.OTEL_METRICS_EXPORTER === 'otlp';
  if (metricsOn) otlpIssues.push(...metricsOtlp.issues);

  const settings: ClientSettings = {
    disabled: v.OTEL_SDK_DISABLED,
    serviceName: v.OTEL_SERVICE_NAME ?? v.OTEL_RESOURCE_ATTRIBUTES['service.name'] ?? 'unknown_service:node',
    resourceAttributes: v.OTEL_RESOURCE_ATTRIBUTES,
    exporters: v.OTEL_TRACES_EXPORTER,
    otlp,
    metrics: {
      exporter: v.OTEL_METRICS_EXPORTER,
      otlp: metricsOtlp.otlp,
      exportIntervalMs: v.OTEL_METRIC_EXPORT_INTERVAL,
    },
    sampler: sampler.sampler,
    propagators: v.OTEL_PROPAGATORS,
    logLevel: v.OTEL_LOG_LEVEL,
    esmHook: v.MILVUS_OTEL_ESM_HOOK,
    instrumentations: {
      enabled: v.OTEL_NODE_ENABLED_INSTRUMENTATIONS as readonly InstrumentationName[] | undefined,
      disabled: (v.OTEL_NODE_DISABLED_INSTRUMENTATIONS ?? []) as readonly InstrumentationName[],
    },
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
      address: v.MILVUS_ADDRESS ?? DEFAULT_MILVUS_ADDRESS,
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
  if (!schemaProblems) {
    const findings = checkClient(settings);
    issues.push(...findings.errors, ...otlpIssues);
    if (issues.length > 0) throw new ConfigError('tracing settings', issues);
    const warnings = sampler.warning ? [...findings.warnings, sampler.warning] : findings.warnings;
    return { data: settings, warnings: warnings.map(maskWarning) };
  }
  throw new ConfigError('tracing settings', issues);
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
