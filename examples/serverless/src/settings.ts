/**
 * The function's settings, all from the environment and validated once per container: a bad value fails the
 * function's init with one error that names every bad variable and its fix, before any request is served.
 */
import {
  createEnv,
  type EnvSource,
  envInt,
  envSetting,
  envString,
  type MilvusClientConfig,
  milvusClientConfig,
  parseClientEnv,
} from '@milvus-otel/config';

/** Milvus collection names: a letter or underscore, then letters, digits, underscores; at most 255. */
const MILVUS_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;

const FUNCTION_ENV = {
  DOCS_COLLECTION: envSetting(
    envString('docs', MILVUS_NAME),
    'a Milvus collection name (a letter or _, then letters, digits or _; at most 255)',
    'set DOCS_COLLECTION=docs',
  ),
  // Only the first invocation of a container waits, and inside the invocation: a few seconds, not minutes. With the
  // search's own 10 s deadline it fits the 15 s function timeout of template.yaml.
  MILVUS_STARTUP_TIMEOUT_MS: envSetting(
    envInt(5000, { min: 1000, max: 900_000 }),
    'a whole number of milliseconds from 1000 to 900000 (how long a cold start waits for Milvus)',
    'set MILVUS_STARTUP_TIMEOUT_MS=5000, and keep it under the function timeout minus 10 s',
  ),
};

export interface Settings {
  /** Options for `new MilvusClient(...)`, from MILVUS_ADDRESS, MILVUS_TOKEN, MILVUS_TLS… */
  milvus: MilvusClientConfig;
  collection: string;
  /** How long the first invocation of a container retries while Milvus is unreachable or not ready yet. */
  milvusStartupTimeoutMs: number;
}

/** Reads every setting; a bad one fails the container's init with one ConfigError naming the function's and Milvus's. */
export function loadSettings(env: EnvSource = process.env): Settings {
  const own = createEnv({
    subject: 'serverless example settings',
    settings: FUNCTION_ENV,
    extends: { client: (source) => parseClientEnv(source).data },
    env,
  });
  return {
    milvus: milvusClientConfig(own.client),
    collection: own.DOCS_COLLECTION,
    milvusStartupTimeoutMs: own.MILVUS_STARTUP_TIMEOUT_MS,
  };
}
