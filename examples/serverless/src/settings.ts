/**
 * The function's settings, all from the environment and validated once per container: a bad value fails the
 * function's init with one error that names every bad variable and its fix, before any request is served.
 */
import {
  type EnvSource,
  envSetting,
  envString,
  type MilvusClientConfig,
  milvusClientConfig,
  parseClientEnv,
  parseEnv,
} from '@milvus-otel/config';

/** Milvus collection names: a letter or underscore, then letters, digits, underscores; at most 255. */
const MILVUS_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;

const FUNCTION_ENV = {
  DOCS_COLLECTION: envSetting(
    envString('docs', MILVUS_NAME),
    'a Milvus collection name (a letter or _, then letters, digits or _; at most 255)',
    'set DOCS_COLLECTION=docs',
  ),
};

export interface Settings {
  /** Options for `new MilvusClient(...)`, from MILVUS_ADDRESS, MILVUS_TOKEN, MILVUS_TLS… */
  milvus: MilvusClientConfig;
  collection: string;
}

export function loadSettings(env: EnvSource = process.env): Settings {
  const client = parseClientEnv(env);
  const own = parseEnv('serverless example settings', FUNCTION_ENV, env);
  return { milvus: milvusClientConfig(client.data), collection: own.DOCS_COLLECTION };
}
