import type { ClientSettings } from '@milvus-otel/config';
import type { MilvusInstrumentationConfig } from '@milvus-otel/instrumentation-milvus';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import type * as tracing from '@opentelemetry/sdk-trace';
import type { ExportStatus } from './export-health.ts';

export type { ExportStatus };

/**
 * Options of register(). Most override one client setting of the environment (OTEL_*, MILVUS_OTEL_*): those settings,
 * their formats and their defaults are defined once, in @milvus-otel/config (`CLIENT_ENV`, README "Client
 * settings"); an option left out keeps the setting in force.
 */
export interface RegisterOptions {
  /** Service name; wins over OTEL_SERVICE_NAME. */
  serviceName?: string;
  /** Where settings are read from. @default process.env */
  env?: Readonly<Record<string, string | undefined>>;
  /**
   * `lean` (default): http, express, undici (fetch), ioredis and Milvus, plus Fastify (`@fastify/otel`), Koa, pg,
   * node-redis, MongoDB and mysql2 when the app has them installed (AWS Lambda when named) — the gRPC instrumentation
   * stays off, the Milvus instrumentation propagates the context itself. `all`: every instrumentation of
   * `@opentelemetry/auto-instrumentations-node` (install it yourself) plus Fastify and Milvus. In both,
   * OTEL_NODE_ENABLED_INSTRUMENTATIONS / OTEL_NODE_DISABLED_INSTRUMENTATIONS pick by name. Or your own list, used as
   * given.
   */
  instrumentations?: 'lean' | 'all' | Instrumentation[];
  /** Added to the chosen set. */
  extraInstrumentations?: Instrumentation[];
  /**
   * Inbound HTTP requests to these URL paths create no span, so no trace (exact match on the path, query string left
   * out; each entry starts with `/`). Wins over MILVUS_OTEL_IGNORE_PATHS; `[]` traces every request. Applies to the
   * HTTP instrumentation of the `lean` and `all` sets; outgoing requests are not affected.
   * @default the MILVUS_OTEL_IGNORE_PATHS setting
   */
  ignoreIncomingPaths?: readonly string[];
  /**
   * Query parameters whose values stay in the HTTP spans. Privacy by default: the values of every other query
   * parameter are replaced with `REDACTED`, keys kept (`?q=REDACTED&limit=5` with `['limit']`) — in the server span's
   * `url.query` and in the query of client spans' `url.full` (http and fetch). Names are matched exactly (case
   * sensitive, after percent-decoding). Wins over MILVUS_OTEL_KEEP_QUERY_PARAMS; `[]` redacts every value. Applies to
   * the HTTP and undici instrumentations of the `lean` and `all` sets.
   * @default the MILVUS_OTEL_KEEP_QUERY_PARAMS setting
   */
  keepQueryParams?: readonly string[];
  /**
   * Express layers that get a span of their own. `none`: the matched route still names the request's span
   * (`GET /search`, `http.route`) and its children hang under it; `handlers`: a span per route handler too; `all`:
   * middleware and routers too (two or three more spans per request, each costing CPU and export). Wins over
   * MILVUS_OTEL_EXPRESS_LAYERS. Applies to the `lean` and `all` sets.
   * @default the MILVUS_OTEL_EXPRESS_LAYERS setting
   */
  expressLayers?: ClientSettings['expressLayers'];
  /**
   * What database client spans record of a statement in `db.query.text`. `command`: for Redis (ioredis; node-redis in
   * `all`) the command and how many keys and arguments it had — `evalsha [9 keys, 7 args]` — without key names or
   * values; the other database instrumentations of `all` with values masked or left out. `full`: every argument and
   * bind value (a queued job's whole data, say), cut at the attribute length limit. Wins over
   * MILVUS_OTEL_DB_STATEMENTS. Applies to the `lean` and `all` sets.
   * @default the MILVUS_OTEL_DB_STATEMENTS setting
   */
  dbStatements?: ClientSettings['dbStatements'];
  /**
   * Which requires go through the instrumentations' require hook. `narrow`: only those that may load a package the
   * registered instrumentations (the chosen set and `extraInstrumentations`) patch — the hook otherwise resolves
   * every required file a second time, a large part of the preset's start-up (and cold-start) time. `all`: every
   * require; needed only if you create instrumentations after register() without passing them to it (those created
   * before it are always seen). Wins over MILVUS_OTEL_REQUIRE_HOOK.
   * @default the MILVUS_OTEL_REQUIRE_HOOK setting
   */
  requireHook?: ClientSettings['requireHook'];
  /** Options of the Milvus instrumentation (hooks, captureFilter, requireParentSpan…). */
  milvus?: MilvusInstrumentationConfig;
  /** Replaces the exporter chosen from the environment (tests, custom backends). */
  traceExporter?: tracing.SpanExporter;
  /** Extra span processors, run before the exporting one. */
  spanProcessors?: tracing.SpanProcessor[];
  /** Replaces the sampler chosen from OTEL_TRACES_SAMPLER. */
  sampler?: tracing.Sampler;
  /** Flush and shut down on SIGTERM, SIGINT and beforeExit. @default true */
  handleSignals?: boolean;
  /** The most shutdown and flushes may take. @default 5000 */
  shutdownTimeoutMs?: number;
}

/** What register() returns: the settings in force and the controls of the running SDK. */
export interface OTelHandle {
  /** False when OTEL_SDK_DISABLED=true (everything is a no-op then). */
  readonly enabled: boolean;
  readonly settings: ClientSettings;
  /** Exports what is queued, within shutdownTimeoutMs. */
  forceFlush(): Promise<void>;
  /** Flushes and shuts down once (later calls return the same promise), within shutdownTimeoutMs. */
  shutdown(): Promise<void>;
  /** Spans dropped so far: queue full (oldest first), rejected by the collector, or left unexported at shutdown. */
  droppedSpans(): number;
  /**
   * The export pipeline now: spans queued and dropped, and — while exports fail — for how long no span was exported
   * and why (`{ queuedSpans, droppedSpans, notExportedForMs, lastError }`). A health endpoint can report it.
   */
  exportStatus(): ExportStatus;
}
