/**
 * The service's settings, all from the environment and validated up front: a bad value stops start-up with one
 * error that names every bad variable and its fix, before anything connects or listens.
 */
import {
  type ConfigError,
  createEnv,
  type EnvSource,
  envEnum,
  envInt,
  envSetting,
  envString,
  envUrl,
  type MilvusClientConfig,
  milvusClientConfig,
  parseClientEnv,
} from '@milvus-otel/config';
import type { IndexType } from './documents.ts';

/** Milvus collection names: a letter or underscore, then letters, digits, underscores; at most 255. */
const MILVUS_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;

const APP_ENV = {
  PORT: envSetting(envInt(3000, { min: 1, max: 65535 }), 'a TCP port from 1 to 65535', 'set PORT=3000'),
  DOCS_COLLECTION: envSetting(
    envString('docs', MILVUS_NAME),
    'a Milvus collection name (a letter or _, then letters, digits or _; at most 255)',
    'set DOCS_COLLECTION=docs',
  ),
  DOCS_INDEX: envSetting(
    envEnum(['hnsw', 'ivf_flat', 'flat'], undefined),
    'HNSW, IVF_FLAT or FLAT (the vector index kept on the collection; unset: keep the one it has, HNSW when new)',
    'set DOCS_INDEX=HNSW, or unset it',
  ),
  REDIS_URL: envSetting(
    envUrl(['redis:', 'rediss:'], undefined),
    'a redis:// or rediss:// URL',
    'set REDIS_URL=redis://localhost:6379, or unset it to run without POST /ingest',
  ),
  INGEST_QUEUE: envSetting(
    envString('ingest', /^[A-Za-z0-9_.-]{1,128}$/),
    'a queue name (letters, digits, _ . -; at most 128)',
    'set INGEST_QUEUE=ingest',
  ),
  // Milvus takes up to a minute to serve after it starts (more when it reloads collections): start-up waits this long.
  MILVUS_STARTUP_TIMEOUT_MS: envSetting(
    envInt(120_000, { min: 1000, max: 3_600_000 }),
    'a whole number of milliseconds from 1000 to 3600000 (how long start-up waits for Milvus)',
    'set MILVUS_STARTUP_TIMEOUT_MS=120000',
  ),
};

export interface Settings {
  port: number;
  collection: string;
  /** The vector index to keep on the collection; unset: keep the one it has (HNSW for a new one). */
  index: IndexType | undefined;
  /** Unset: POST /ingest answers 503. */
  redisUrl: string | undefined;
  ingestQueue: string;
  milvus: MilvusClientConfig;
  /** How long start-up retries while Milvus is unreachable or not ready yet. */
  milvusStartupTimeoutMs: number;
}

/**
 * Reads every setting: one ConfigError lists the service's and the Milvus connection's problems together, thrown or
 * handed to `onValidationError` (the entry point's `exitOnConfigError`).
 */
export function loadSettings(
  env: EnvSource = process.env,
  onValidationError?: (error: ConfigError) => never,
): Settings {
  const app = createEnv({
    subject: 'express-service settings',
    settings: APP_ENV,
    // The same MILVUS_* variables the tracing preset validates (MILVUS_ADDRESS, MILVUS_TOKEN, MILVUS_TLS…).
    extends: { client: (source) => parseClientEnv(source).data },
    env,
    ...(onValidationError ? { onValidationError } : {}),
  });
  return {
    port: app.PORT,
    collection: app.DOCS_COLLECTION,
    index: app.DOCS_INDEX?.toUpperCase() as IndexType | undefined,
    redisUrl: app.REDIS_URL,
    ingestQueue: app.INGEST_QUEUE,
    milvus: milvusClientConfig(app.client),
    milvusStartupTimeoutMs: app.MILVUS_STARTUP_TIMEOUT_MS,
  };
}
