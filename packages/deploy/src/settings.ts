import {
  jaegerSettingsSchema,
  LATEST_MILVUS_VERSION,
  type MilvusTraceConfig,
  milvusReadsKey,
  normalizeMilvusVersion,
  parseJaegerSettings,
  parseMilvusTrace,
} from '@milvus-otel/config/server';
import { z } from 'zod';

const name = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a lowercase DNS label (letters, digits, -)');

/** The Prometheus image of the compose stack: the same release the native stack builds (3.16.0). */
export const PROMETHEUS_IMAGE = 'prom/prometheus:v3.16.0';

/** An app that sends traces, run beside Milvus and Jaeger: its image (or build folder for compose) and its port. */
export const appSchema = z.strictObject({
  name,
  port: z.number().int().min(1).max(65535),
  image: z.string().optional(),
  /**
   * For docker compose: a build context relative to the compose file, or a context plus a Dockerfile path (relative
   * to the context) when the Dockerfile needs a wider context, e.g. a monorepo root.
   */
  build: z.union([z.string(), z.strictObject({ context: z.string(), dockerfile: z.string() })]).optional(),
  /** How to tell it is ready: `http` GET /healthz, or `tcp` (the port accepts connections). */
  health: z.enum(['http', 'tcp']).default('http'),
  /** Extra environment (never secrets: use a Secret and envFrom in Kubernetes). */
  env: z.record(z.string(), z.string()).default({}),
});
export type App = z.infer<typeof appSchema>;

/** The one config every deployment file is rendered from. */
export const deployConfigSchema = z.strictObject({
  milvus: z
    .strictObject({
      /** The Milvus server release the files are for; the trace section is validated against it. */
      version: z.string().default(LATEST_MILVUS_VERSION),
      image: z.string().optional(),
      /** Helm release / Milvus CR name. */
      release: name.default('my-release'),
      namespace: name.default('default'),
      /** The server's trace: section; by default OTLP/gRPC to the Jaeger collector of each target, all sampled. */
      trace: z.unknown().optional(),
    })
    .default({ version: LATEST_MILVUS_VERSION, release: 'my-release', namespace: 'default' }),
  jaeger: z
    .strictObject({
      name: name.default('jaeger'),
      namespace: name.default('observability'),
      /**
       * How Jaeger runs in Kubernetes, which decides the collector address Milvus and the apps send to:
       * `operator` (Jaeger Operator CR, service <name>-collector) or `manifests` (the jaeger-v2 target, service <name>).
       */
      via: z.enum(['operator', 'manifests']).default('operator'),
      /** Jaeger v2 image for compose and the plain Kubernetes manifests. */
      image: z.string().default('jaegertracing/jaeger:2.13.0'),
      settings: jaegerSettingsSchema.optional(),
    })
    .default({
      name: 'jaeger',
      namespace: 'observability',
      via: 'operator',
      image: 'jaegertracing/jaeger:2.13.0',
    }),
  redis: z
    .strictObject({ image: z.string().default('redis:7.4-alpine') })
    .default({ image: 'redis:7.4-alpine' }),
  /** Prometheus for the apps' metrics (compose): OTLP in (`--web.enable-otlp-receiver`), PromQL out. */
  prometheus: z
    .strictObject({ image: z.string().default(PROMETHEUS_IMAGE) })
    .default({ image: PROMETHEUS_IMAGE }),
  /** Apps run beside Milvus and Jaeger (compose services, Kubernetes Deployments), traced to the collector. */
  apps: z.array(appSchema).default([]),
});

export type DeployConfigInput = z.input<typeof deployConfigSchema>;

export interface DeployConfig {
  readonly milvus: {
    readonly version: string;
    readonly image: string;
    readonly release: string;
    readonly namespace: string;
    /** Undefined: use the default trace section pointed at each target's collector. */
    readonly trace: MilvusTraceConfig | undefined;
  };
  readonly jaeger: {
    readonly name: string;
    readonly namespace: string;
    readonly via: 'operator' | 'manifests';
    readonly image: string;
    readonly settings: ReturnType<typeof parseJaegerSettings>;
  };
  readonly redis: { readonly image: string };
  readonly prometheus: { readonly image: string };
  readonly apps: readonly App[];
}

export class DeployConfigError extends Error {
  override name = 'DeployConfigError';
}

const MAX_LISTED = 20;
const listSome = (items: readonly string[]) =>
  items.length > MAX_LISTED
    ? `${items.slice(0, MAX_LISTED).join(', ')} and ${items.length - MAX_LISTED} more`
    : items.join(', ');

/** Validates the input (with @milvus-otel/config for the Milvus and Jaeger parts) and fills every default. */
export function resolveDeployConfig(input: unknown = {}): DeployConfig {
  const result = deployConfigSchema.safeParse(input);
  if (!result.success) {
    const issues = result.error.issues;
    // A large broken file must still give a message one can read: some of the keys, some of the problems.
    const lines = issues.slice(0, MAX_LISTED).map((i) => {
      const message =
        i.code === 'unrecognized_keys'
          ? `unknown key${i.keys.length === 1 ? '' : 's'} ${listSome(i.keys.map((k) => JSON.stringify(k)))}`
          : i.message;
      return `  - ${i.path.join('.') || '(root)'}: ${message}`;
    });
    if (issues.length > MAX_LISTED) lines.push(`  … and ${issues.length - MAX_LISTED} more`);
    throw new DeployConfigError(`Invalid deploy config (${issues.length}):\n${lines.join('\n')}`);
  }
  const c = result.data;
  const version = normalizeMilvusVersion(c.milvus.version);
  if (!version)
    throw new DeployConfigError(
      `milvus.version ${JSON.stringify(c.milvus.version)} is not a Milvus version (e.g. 2.5.11)`,
    );
  const trace =
    c.milvus.trace === undefined
      ? undefined
      : parseMilvusTrace(c.milvus.trace, { milvusVersion: version }).data;
  return {
    milvus: {
      version,
      image: c.milvus.image ?? `milvusdb/milvus:v${version}`,
      release: c.milvus.release,
      namespace: c.milvus.namespace,
      trace,
    },
    jaeger: { ...c.jaeger, settings: parseJaegerSettings(c.jaeger.settings ?? {}) },
    redis: c.redis,
    prometheus: c.prometheus,
    apps: c.apps,
  };
}

/**
 * The Milvus trace section for a target whose OTLP collector is `collectorHost`: the user's own section when given,
 * else OTLP/gRPC with every request sampled and plain text (in-cluster / local collectors), using only the keys
 * the chosen Milvus version reads. Validated either way.
 */
export function traceSection(config: DeployConfig, collectorHost: string): MilvusTraceConfig {
  if (config.milvus.trace) return config.milvus.trace;
  const version = config.milvus.version;
  const reads = (key: string) => milvusReadsKey(key, version);
  const trace: MilvusTraceConfig = {
    exporter: 'otlp',
    sampleFraction: 1,
    otlp: {
      endpoint: `${collectorHost}:${config.jaeger.settings.otlp.grpcPort}`,
      ...(reads('trace.otlp.method') ? { method: 'grpc' as const } : {}),
      // Before trace.otlp.secure (2.3.4) OTLP always uses TLS: validation names the fix for those releases.
      secure: false,
    },
    ...(reads('trace.initTimeoutSeconds') ? { initTimeoutSeconds: 10 } : {}),
  };
  return parseMilvusTrace(trace, { milvusVersion: version }).data;
}
