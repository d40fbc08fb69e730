import type { ClientSettings } from './client-settings.js';

/** The options `new MilvusClient(...)` of `@zilliz/milvus2-sdk-node` takes, built from the parsed settings. */
export interface MilvusClientConfig {
  address: string;
  database: string;
  token?: string;
  username?: string;
  password?: string;
  ssl?: boolean;
  tls?: { rootCertPath?: string; serverName?: string };
}

/** Maps `settings.milvus` (MILVUS_ADDRESS, MILVUS_TOKEN, MILVUS_TLS…) to the Milvus Node SDK's client options. */
export function milvusClientConfig(settings: Pick<ClientSettings, 'milvus'>): MilvusClientConfig {
  const m = settings.milvus;
  const config: MilvusClientConfig = { address: m.address, database: m.database };
  if (m.token !== undefined) config.token = m.token;
  if (m.username !== undefined) config.username = m.username;
  if (m.password !== undefined) config.password = m.password;
  if (m.tls) {
    config.ssl = true;
    const tls: NonNullable<MilvusClientConfig['tls']> = {};
    if (m.tlsRootCertFile !== undefined) tls.rootCertPath = m.tlsRootCertFile;
    if (m.tlsServerName !== undefined) tls.serverName = m.tlsServerName;
    if (Object.keys(tls).length > 0) config.tls = tls;
  }
  return config;
}
