import type {
  DbStatementMode,
  EsmHookMode,
  ExpressLayers,
  LOG_LEVELS,
  MetricsExporter,
  PropagatorName,
  RequireHookMode,
  TRACES_EXPORTERS,
} from './client-env.js';
import type { InstrumentationName } from './instrumentation-names.js';
import type { OtlpSettings } from './otlp.js';
import type { SamplerConfig } from './sampler.js';

/** The client side's tracing settings, typed and with every default filled in. */
export interface ClientSettings {
  readonly disabled: boolean;
  readonly serviceName: string;
  readonly resourceAttributes: Readonly<Record<string, string>>;
  readonly exporters: readonly (typeof TRACES_EXPORTERS)[number][];
  readonly otlp: OtlpSettings;
  /**
   * Metrics (OTEL_METRICS_EXPORTER): `none` (default) loads no metrics code; `otlp` exports the instrumentations'
   * metrics every `exportIntervalMs` (OTEL_METRIC_EXPORT_INTERVAL) to `otlp` — OTEL_EXPORTER_OTLP_METRICS_ENDPOINT /
   * _PROTOCOL / _HEADERS / _TIMEOUT, each falling back to the general OTEL_EXPORTER_OTLP_… variable like traces do.
   */
  readonly metrics: {
    readonly exporter: MetricsExporter;
    readonly otlp: OtlpSettings;
    readonly exportIntervalMs: number;
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
   * Which instrumentations the preset's sets register, by name as in @opentelemetry/auto-instrumentations-node
   * (`http`, `express`, `pg`…, plus `fastify` and `milvus`): `enabled` — only these (OTEL_NODE_ENABLED_INSTRUMENTATIONS;
   * undefined when unset: the set's default); `disabled` — never these (OTEL_NODE_DISABLED_INSTRUMENTATIONS; wins over
   * `enabled`).
   */
  readonly instrumentations: {
    readonly enabled?: readonly InstrumentationName[] | undefined;
    readonly disabled: readonly InstrumentationName[];
  };
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
