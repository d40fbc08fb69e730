import { describe, expect, it } from 'vitest';
import { ConfigError, INSTRUMENTATION_NAMES, parseClientEnv } from '../src/index.js';

function errorOf(env: Record<string, string>): ConfigError {
  try {
    parseClientEnv(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('OTEL_NODE_ENABLED_INSTRUMENTATIONS / OTEL_NODE_DISABLED_INSTRUMENTATIONS', () => {
  it('unset: no list of enabled names (the set’s default), nothing disabled', () => {
    expect(parseClientEnv({}).data.instrumentations).toEqual({ enabled: undefined, disabled: [] });
    expect(
      parseClientEnv({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: ' ', OTEL_NODE_DISABLED_INSTRUMENTATIONS: '' })
        .data.instrumentations,
    ).toEqual({ enabled: undefined, disabled: [] });
  });

  it('reads comma-separated names, trimmed, lowercased, duplicates removed', () => {
    const { instrumentations } = parseClientEnv({
      OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http, Express,fastify,,milvus,http',
      OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'aws-lambda,socket.io',
    }).data;
    expect(instrumentations).toEqual({
      enabled: ['http', 'express', 'fastify', 'milvus'],
      disabled: ['aws-lambda', 'socket.io'],
    });
  });

  it('knows the names of @opentelemetry/auto-instrumentations-node, fastify and milvus', () => {
    for (const name of [
      'http',
      'express',
      'fastify',
      'koa',
      'pg',
      'redis',
      'mongodb',
      'mysql2',
      'aws-lambda',
    ])
      expect(INSTRUMENTATION_NAMES).toContain(name);
    expect(INSTRUMENTATION_NAMES).toContain('undici');
    expect(INSTRUMENTATION_NAMES).toContain('ioredis');
    expect(INSTRUMENTATION_NAMES).toContain('milvus');
  });

  it('an unknown name is an error naming the variable, the bad name and the valid names', () => {
    const error = errorOf({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,expresss,milvus' });
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({
      key: 'OTEL_NODE_ENABLED_INSTRUMENTATIONS',
      value: 'http,expresss,milvus',
    });
    expect(error.message).toContain(
      'OTEL_NODE_ENABLED_INSTRUMENTATIONS is "http,expresss,milvus": expected instrumentation names, but "expresss" is not one; known names: amqplib, aws-lambda,',
    );
    expect(error.message).toContain(INSTRUMENTATION_NAMES.join(', '));
    expect(error.message).toContain(
      'Fix: correct or remove "expresss", e.g. OTEL_NODE_ENABLED_INSTRUMENTATIONS=',
    );
  });

  it('names every bad name, of both variables, in one error', () => {
    const error = errorOf({
      OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'hono,http',
      OTEL_NODE_DISABLED_INSTRUMENTATIONS: '@opentelemetry/instrumentation-fs,milvs',
    });
    expect(error.issues.map((i) => i.key)).toEqual([
      'OTEL_NODE_ENABLED_INSTRUMENTATIONS',
      'OTEL_NODE_DISABLED_INSTRUMENTATIONS',
    ]);
    expect(error.message).toContain('but "hono" is not one');
    expect(error.message).toContain('but "@opentelemetry/instrumentation-fs", "milvs" are not');
    expect(error.message).toContain('Invalid tracing settings (2 problems)');
  });
});
