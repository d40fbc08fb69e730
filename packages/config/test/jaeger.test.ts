import { describe, expect, it } from 'vitest';
import { ConfigError, parseClientEnv } from '../src/index.js';
import {
  checkEndToEnd,
  jsonSchemas,
  parseJaegerSettings,
  parseMilvusTrace,
  samplingStrategiesFile,
} from '../src/server/index.js';

describe('parseJaegerSettings', () => {
  it('defaults to all-in-one with in-memory storage, OTLP ports and sample-everything', () => {
    expect(parseJaegerSettings()).toEqual({
      strategy: 'allInOne',
      storage: { type: 'memory', maxTraces: 100_000 },
      otlp: { grpcPort: 4317, httpPort: 4318 },
      queryPort: 16686,
      sampling: { default: { type: 'probabilistic', rate: 1 }, services: [] },
    });
  });

  it('needs persistent storage for the production strategy', () => {
    expect(() => parseJaegerSettings({ strategy: 'production' })).toThrow(ConfigError);
    expect(() => parseJaegerSettings({ strategy: 'production' })).toThrow(
      'jaeger.storage.type is "memory": expected a persistent store (elasticsearch) for the production strategy',
    );
    expect(
      parseJaegerSettings({
        strategy: 'production',
        storage: { type: 'elasticsearch', serverUrls: ['https://es.example:9200'], secretName: 'jaeger-es' },
      }).storage,
    ).toEqual({ type: 'elasticsearch', serverUrls: ['https://es.example:9200'], secretName: 'jaeger-es' });
  });

  it('rejects per-operation rate limiting, which Jaeger does not apply', () => {
    expect(() =>
      parseJaegerSettings({
        sampling: {
          services: [
            {
              service: 'search-api',
              strategy: { type: 'probabilistic', rate: 0.5 },
              operations: [
                { operation: 'GET /health', strategy: { type: 'rateLimiting', tracesPerSecond: 1 } },
              ],
            },
          ],
        },
      }),
    ).toThrow(
      'give operation "GET /health" a probabilistic rate, or move the rate limit to service "search-api"',
    );
  });

  it('rejects bad values with their path', () => {
    try {
      parseJaegerSettings({
        sampling: { default: { type: 'probabilistic', rate: 2 } },
        otlp: { grpcPort: 4318, httpPort: 4318 },
      });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).issues.map((i) => i.key)).toEqual(['jaeger.sampling.default.rate']);
    }
    expect(() => parseJaegerSettings({ otlp: { grpcPort: 4318, httpPort: 4318 } })).toThrow(
      'jaeger.otlp.httpPort is "4318"',
    );
  });
});

describe('samplingStrategiesFile', () => {
  it('renders const, probabilistic and rate-limiting strategies per service and operation', () => {
    const settings = parseJaegerSettings({
      sampling: {
        default: { type: 'const', decision: true },
        services: [
          {
            service: 'search-api',
            strategy: { type: 'rateLimiting', tracesPerSecond: 5 },
            operations: [
              { operation: 'GET /search', strategy: { type: 'probabilistic', rate: 0.2 } },
              { operation: 'GET /health', strategy: { type: 'const', decision: false } },
            ],
          },
          { service: 'worker', strategy: { type: 'probabilistic', rate: 0.1 } },
        ],
      },
    });
    expect(samplingStrategiesFile(settings)).toEqual({
      default_strategy: { type: 'probabilistic', param: 1 },
      service_strategies: [
        {
          service: 'search-api',
          type: 'ratelimiting',
          param: 5,
          operation_strategies: [
            { operation: 'GET /search', type: 'probabilistic', param: 0.2 },
            { operation: 'GET /health', type: 'probabilistic', param: 0 },
          ],
        },
        { service: 'worker', type: 'probabilistic', param: 0.1 },
      ],
    });
  });
});

describe('checkEndToEnd', () => {
  const server = parseMilvusTrace({
    exporter: 'otlp',
    sampleFraction: 0.1,
    otlp: { endpoint: 'jaeger:4317', secure: false },
  }).data;

  it('explains that Milvus samples parent-based, so client-sampled requests are traced anyway', () => {
    expect(checkEndToEnd(parseClientEnv({}).data, server, '2.5.11')).toEqual([
      {
        key: 'trace.sampleFraction',
        message:
          "the server's sampleFraction 0.1 does not thin client traces: Milvus samples parent-based, so every request from a sampled client span is traced on the server too; sampleFraction applies only to requests without a sampled parent",
        fix: 'sample on the client (OTEL_TRACES_SAMPLER); keep sampleFraction for untraced callers',
      },
    ]);
  });

  it('warns when nothing will be traced, and when the server exports nowhere', () => {
    const off = parseClientEnv({ OTEL_TRACES_SAMPLER: 'always_off' }).data;
    expect(checkEndToEnd(off, { ...server, sampleFraction: 0 }, '2.5.11').map((w) => w.key)).toEqual([
      'OTEL_TRACES_SAMPLER',
    ]);
    expect(checkEndToEnd(parseClientEnv({}).data, {}, '2.5.11')[0]?.message).toBe(
      'the client traces, but the server exports with noop: traces will end at the client span',
    );
    expect(checkEndToEnd(parseClientEnv({}).data, { sampleFraction: 1 }, '2.3.5')[0]?.message).toBe(
      'the client traces, but the server exports with stdout: traces will end at the client span',
    );
  });
});

describe('jsonSchemas', () => {
  it('exports the three schemas as JSON Schema 2020-12', () => {
    const schemas = jsonSchemas();
    expect(Object.keys(schemas)).toEqual(['client-env', 'milvus-trace', 'jaeger-settings']);
    for (const schema of Object.values(schemas)) {
      expect(schema).toMatchObject({
        $schema: 'https://json-schema.org/draft/2020-12/schema',
        type: 'object',
      });
    }
    const trace = schemas['milvus-trace'] as {
      properties: Record<string, unknown>;
      additionalProperties: boolean;
    };
    expect(Object.keys(trace.properties)).toEqual([
      'exporter',
      'sampleFraction',
      'jaeger',
      'otlp',
      'initTimeoutSeconds',
    ]);
    expect(trace.additionalProperties).toBe(false);
    expect(Object.keys((schemas['client-env'] as { properties: object }).properties)).toContain(
      'OTEL_EXPORTER_OTLP_PROTOCOL',
    );
  });
});
