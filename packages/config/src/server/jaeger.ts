import * as z from 'zod';
import { ConfigError, type ConfigIssue, type ConfigWarning } from '../errors.js';
import { OTLP_GRPC_PORT, OTLP_HTTP_PORT } from '../otlp.js';

/**
 * Sampling strategies as the Jaeger overview describes them: constant (all or nothing), probabilistic (a ratio),
 * rate limiting (traces per second). Served to clients by Jaeger's remote sampling endpoint ("remote" sampling).
 */
export const samplingStrategySchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('const'),
    decision: z.boolean().describe('true: sample all, false: none'),
  }),
  z.strictObject({
    type: z.literal('probabilistic'),
    rate: z.number().min(0).max(1).describe('share of traces kept'),
  }),
  z.strictObject({
    type: z.literal('rateLimiting'),
    // Jaeger sends the limit as an int32 (MaxTracesPerSecond: int32(param)): 0.5 would become 0.
    tracesPerSecond: z
      .number()
      .int('a whole number: Jaeger truncates the rate limit to an integer (0.5 becomes 0)')
      .min(1)
      .max(2 ** 31 - 1)
      .describe('traces started per second per client (a whole number ≥ 1)'),
  }),
]);
export type SamplingStrategy = z.infer<typeof samplingStrategySchema>;

/** Jaeger applies only probabilistic (or const, expressed as 0/1) strategies per operation. */
const operationStrategySchema = z.strictObject({
  operation: z.string().min(1),
  strategy: samplingStrategySchema,
});

export const serviceStrategySchema = z.strictObject({
  service: z.string().min(1),
  strategy: samplingStrategySchema,
  operations: z.array(operationStrategySchema).default([]),
});

export const jaegerSettingsSchema = z
  .strictObject({
    /** allInOne: one pod, in-memory storage (development). production: separate collector/query, a real store. */
    strategy: z.enum(['allInOne', 'production']).default('allInOne'),
    storage: z
      .discriminatedUnion('type', [
        z.strictObject({
          type: z.literal('memory'),
          maxTraces: z.number().int().positive().default(100_000),
        }),
        z.strictObject({
          type: z.literal('elasticsearch'),
          serverUrls: z.array(z.url({ protocol: /^https?$/ })).min(1),
          indexPrefix: z
            .string()
            .regex(/^[a-z0-9-]*$/)
            .optional(),
          /** Name of a Kubernetes Secret with ES_USERNAME / ES_PASSWORD; never the credentials themselves. */
          secretName: z.string().optional(),
        }),
      ])
      .default({ type: 'memory', maxTraces: 100_000 }),
    otlp: z
      .strictObject({
        grpcPort: z.number().int().min(1).max(65535).default(OTLP_GRPC_PORT),
        httpPort: z.number().int().min(1).max(65535).default(OTLP_HTTP_PORT),
      })
      .default({ grpcPort: OTLP_GRPC_PORT, httpPort: OTLP_HTTP_PORT }),
    queryPort: z.number().int().min(1).max(65535).default(16686),
    sampling: z
      .strictObject({
        default: samplingStrategySchema.default({ type: 'probabilistic', rate: 1 }),
        services: z.array(serviceStrategySchema).default([]),
      })
      .default({ default: { type: 'probabilistic', rate: 1 }, services: [] }),
  })
  .describe('Jaeger as the deployment templates need it');

export type JaegerSettingsInput = z.input<typeof jaegerSettingsSchema>;
export type JaegerSettings = z.output<typeof jaegerSettingsSchema>;

export function parseJaegerSettings(input: unknown = {}): JaegerSettings {
  const result = jaegerSettingsSchema.safeParse(input);
  const issues: ConfigIssue[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) {
      issues.push({
        key: ['jaeger', ...issue.path].join('.'),
        expected: issue.message,
        fix: 'correct the value (see the JSON schema jaeger-settings.schema.json)',
      });
    }
    throw new ConfigError('Jaeger settings', issues);
  }
  const data = result.data;
  if (data.strategy === 'production' && data.storage.type === 'memory') {
    issues.push({
      key: 'jaeger.storage.type',
      value: 'memory',
      expected:
        'a persistent store (elasticsearch) for the production strategy; memory is per pod and lost on restart',
      fix: 'set storage: { type: elasticsearch, serverUrls: [...] }, or strategy: allInOne',
    });
  }
  data.sampling.services.forEach((service, i) => {
    service.operations.forEach((op, j) => {
      if (op.strategy.type === 'rateLimiting') {
        issues.push({
          key: `jaeger.sampling.services.${i}.operations.${j}.strategy`,
          value: 'rateLimiting',
          expected: 'probabilistic or const: Jaeger applies only probabilistic strategies per operation',
          fix: `give operation "${op.operation}" a probabilistic rate, or move the rate limit to service "${service.service}"`,
        });
      }
    });
  });
  if (data.otlp.grpcPort === data.otlp.httpPort) {
    issues.push({
      key: 'jaeger.otlp.httpPort',
      value: String(data.otlp.httpPort),
      expected: 'a port other than otlp.grpcPort',
      fix: `use ${OTLP_GRPC_PORT} for gRPC and ${OTLP_HTTP_PORT} for HTTP`,
    });
  }
  if (issues.length > 0) throw new ConfigError('Jaeger settings', issues);
  return data;
}

/**
 * Sampling settings Jaeger accepts but does not apply as written. A rate-limited service with per-operation rules:
 * Jaeger's file provider (internal/sampling/samplingstrategy/file, parseServiceStrategies) gives its operations the
 * default probability `default_sampling_probability` (0.001 unless set), not the rate limit, and clients that honour
 * per-operation rules (OpenTelemetry's jaeger-remote samplers) then sample by those probabilities: the rate limit is
 * never applied, and operations without a rule are sampled at that default.
 */
export function jaegerSettingsWarnings(settings: Pick<JaegerSettings, 'sampling'>): ConfigWarning[] {
  return settings.sampling.services.flatMap((service, i) =>
    service.strategy.type === 'rateLimiting' && service.operations.length > 0
      ? [
          {
            key: `jaeger.sampling.services.${i}.strategy`,
            message: `service "${service.service}" is rate-limited and has per-operation rules: Jaeger then samples its operations by probability (unlisted ones at default_sampling_probability, 0.001 unless set), so clients that follow per-operation rules never apply the limit of ${service.strategy.tracesPerSecond}/s`,
            fix: `give service "${service.service}" a probabilistic strategy, or drop its operations to keep the rate limit`,
          },
        ]
      : [],
  );
}

type FileStrategy = { type: 'probabilistic'; param: number } | { type: 'ratelimiting'; param: number };

function toFile(strategy: SamplingStrategy): FileStrategy {
  switch (strategy.type) {
    case 'const':
      return { type: 'probabilistic', param: strategy.decision ? 1 : 0 };
    case 'probabilistic':
      return { type: 'probabilistic', param: strategy.rate };
    case 'rateLimiting':
      return { type: 'ratelimiting', param: strategy.tracesPerSecond };
  }
}

/** Jaeger's sampling strategies file (remote sampling `file` source), per service and per operation. */
export function samplingStrategiesFile(settings: Pick<JaegerSettings, 'sampling'>): object {
  const operation = (op: { operation: string; strategy: SamplingStrategy }) => {
    const s = toFile(op.strategy);
    return { operation: op.operation, type: 'probabilistic', param: s.param };
  };
  return {
    default_strategy: toFile(settings.sampling.default),
    service_strategies: settings.sampling.services.map((service) => ({
      service: service.service,
      ...toFile(service.strategy),
      ...(service.operations.length > 0 ? { operation_strategies: service.operations.map(operation) } : {}),
    })),
  };
}
