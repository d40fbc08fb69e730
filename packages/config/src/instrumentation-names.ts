import * as z from 'zod';
import type { ConfigIssue } from './errors.js';

/**
 * The instrumentation names OTEL_NODE_ENABLED_INSTRUMENTATIONS and OTEL_NODE_DISABLED_INSTRUMENTATIONS accept: those of
 * @opentelemetry/auto-instrumentations-node (the package name without `@opentelemetry/instrumentation-`), `fastify`
 * (served by `@fastify/otel`) and `milvus` (@milvus-otel/instrumentation-milvus).
 */
export const INSTRUMENTATION_NAMES = [
  'amqplib',
  'aws-lambda',
  'aws-sdk',
  'bunyan',
  'cassandra-driver',
  'connect',
  'cucumber',
  'dataloader',
  'dns',
  'express',
  'fastify',
  'fs',
  'generic-pool',
  'graphql',
  'grpc',
  'hapi',
  'host-metrics',
  'http',
  'ioredis',
  'kafkajs',
  'knex',
  'koa',
  'lru-memoizer',
  'memcached',
  'milvus',
  'mongodb',
  'mongoose',
  'mysql',
  'mysql2',
  'nestjs-core',
  'net',
  'openai',
  'oracledb',
  'pg',
  'pino',
  'redis',
  'restify',
  'router',
  'runtime-node',
  'socket.io',
  'tedious',
  'undici',
  'winston',
] as const;
export type InstrumentationName = (typeof INSTRUMENTATION_NAMES)[number];

export function isInstrumentationName(value: string): value is InstrumentationName {
  return (INSTRUMENTATION_NAMES as readonly string[]).includes(value);
}

/**
 * A comma-separated list of names, trimmed, lowercased, duplicates removed; unset (or empty) gives `undefined`.
 * Any text parses: the names are checked by `unknownInstrumentationIssue`, whose error names the bad one.
 */
export const instrumentationNameList = () =>
  z
    .string()
    .optional()
    .transform((v): readonly string[] | undefined =>
      v === undefined
        ? undefined
        : [
            ...new Set(
              v
                .split(',')
                .map((s) => s.trim().toLowerCase())
                .filter(Boolean),
            ),
          ],
    );

/**
 * The issue for a list of instrumentation names with unknown ones, naming the variable, each bad name and the valid
 * names; undefined when every name is known.
 */
export function unknownInstrumentationIssue(
  key: string,
  raw: string | undefined,
  names: readonly string[] | undefined,
): ConfigIssue | undefined {
  const unknown = (names ?? []).filter((n) => !isInstrumentationName(n));
  if (unknown.length === 0) return undefined;
  const bad = unknown.map((n) => `"${n}"`).join(', ');
  return {
    key,
    value: raw?.trim(),
    expected: `instrumentation names, but ${bad} ${unknown.length === 1 ? 'is not one' : 'are not'}; known names: ${INSTRUMENTATION_NAMES.join(', ')}`,
    fix: `correct or remove ${bad}, e.g. ${key}=http,express,milvus`,
  };
}
