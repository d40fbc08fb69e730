/**
 * The worker's settings, read from the environment: Milvus (MILVUS_*) and the service name as the tracing preset
 * reads them, plus the worker's own variables. A bad value stops start-up with one error naming every variable.
 */
import { isIP } from 'node:net';
import {
  type ConfigError,
  createEnv,
  type EnvSource,
  envInt,
  envSetting,
  envString,
  envUrl,
  type MilvusClientConfig,
  milvusClientConfig,
  parseClientEnv,
} from '@milvus-otel/config';
import { z } from 'zod';
import { LIMITS } from './documents.ts';

/** A DNS name: dot-separated labels of letters, digits and inner hyphens. */
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export const WORKER_ENV = {
  REDIS_URL: envSetting(
    envUrl(['redis:', 'rediss:'], 'redis://127.0.0.1:6379'),
    'a redis:// or rediss:// URL',
    'set REDIS_URL=redis://127.0.0.1:6379 (rediss:// for TLS)',
  ),
  INGEST_QUEUE: envSetting(
    // BullMQ uses `:` to build its Redis keys, so queue names stay to letters, digits, `_`, `-` and `.`.
    envString('ingest', /^[A-Za-z0-9_.-]{1,100}$/),
    'a queue name of 1 to 100 letters, digits, "_", "-" or "."',
    'set INGEST_QUEUE=ingest',
  ),
  DOCS_COLLECTION: envSetting(
    envString('docs', /^[A-Za-z_][A-Za-z0-9_]{0,254}$/),
    'a Milvus collection name (a letter or "_", then letters, digits or "_", at most 255)',
    'set DOCS_COLLECTION=docs',
  ),
  BATCH_SIZE: envSetting(
    envInt(100, { min: 1, max: LIMITS.batch }),
    `a whole number from 1 to ${LIMITS.batch} (documents per Milvus upsert)`,
    'set BATCH_SIZE=100',
  ),
  CONCURRENCY: envSetting(
    envInt(1, { min: 1, max: 100 }),
    'a whole number from 1 to 100 (jobs processed at once)',
    'set CONCURRENCY=1',
  ),
  PORT: envSetting(
    envInt(3001, { min: 0, max: 65535 }),
    'a port number from 0 to 65535 (0 picks a free one)',
    'set PORT=3001',
  ),
  // Loopback by default: the health server is for probes on the same machine or in the same container. An
  // orchestrator that probes from outside (a Kubernetes httpGet probe, a load balancer) needs 0.0.0.0 (or ::);
  // the Docker image sets that.
  HEALTH_HOST: envSetting(
    z
      .string()
      .optional()
      .refine((v) => v === undefined || isIP(v) !== 0 || HOST_NAME.test(v), 'not a host')
      .transform((v) => v ?? '127.0.0.1'),
    'a host name or IP address to listen on, e.g. 127.0.0.1, 0.0.0.0 or ::',
    'set HEALTH_HOST=127.0.0.1 (this machine only) or HEALTH_HOST=0.0.0.0 (every interface)',
  ),
  // Milvus takes up to a minute to serve after it starts (more when it reloads collections): start-up waits this long.
  MILVUS_STARTUP_TIMEOUT_MS: envSetting(
    envInt(120_000, { min: 1000, max: 3_600_000 }),
    'a whole number of milliseconds from 1000 to 3600000 (how long start-up waits for Milvus)',
    'set MILVUS_STARTUP_TIMEOUT_MS=120000',
  ),
};

export interface Settings {
  serviceName: string;
  milvus: MilvusClientConfig;
  redisUrl: string;
  queue: string;
  collection: string;
  batchSize: number;
  concurrency: number;
  port: number;
  /** Where the health server listens. */
  healthHost: string;
  /** How long start-up retries while Milvus is unreachable or not ready yet. */
  milvusStartupTimeoutMs: number;
}

/**
 * Reads every setting: one ConfigError lists the worker's and the Milvus connection's problems together, thrown or
 * handed to `onValidationError` (the entry points' `exitOnConfigError`).
 */
export function loadSettings(
  env: EnvSource = process.env,
  onValidationError?: (error: ConfigError) => never,
): Settings {
  const own = createEnv({
    subject: 'worker settings',
    settings: WORKER_ENV,
    extends: { client: (source) => parseClientEnv(source).data },
    env,
    ...(onValidationError ? { onValidationError } : {}),
  });
  return {
    serviceName: own.client.serviceName,
    milvus: milvusClientConfig(own.client),
    redisUrl: own.REDIS_URL,
    queue: own.INGEST_QUEUE,
    collection: own.DOCS_COLLECTION,
    batchSize: own.BATCH_SIZE,
    concurrency: own.CONCURRENCY,
    port: own.PORT,
    healthHost: own.HEALTH_HOST,
    milvusStartupTimeoutMs: own.MILVUS_STARTUP_TIMEOUT_MS,
  };
}
