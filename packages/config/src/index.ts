export { createEnv, exitOnConfigError, parseEnv } from './app-env.js';
export { type ParseResult, parseClientEnv, type SafeParseResult, safeParseClientEnv } from './client.js';
export {
  CLIENT_ENV,
  DEFAULT_METRIC_EXPORT_INTERVAL_MS,
  METRICS_EXPORTERS,
  type MetricsExporter,
} from './client-env.js';
export type { ClientSettings } from './client-settings.js';
export {
  type EnvSetting,
  type EnvSource,
  envBoolean,
  envEnum,
  envHttpUrl,
  envInt,
  envOptionalString,
  envSetting,
  envString,
  envUrl,
} from './env.js';
export { ConfigError, type ConfigIssue, type ConfigWarning, maskValue } from './errors.js';
export { INSTRUMENTATION_NAMES, type InstrumentationName } from './instrumentation-names.js';
export { type MilvusClientConfig, milvusClientConfig } from './milvus-client.js';
export type { OtlpProtocol, OtlpSettings, OtlpSignal } from './otlp.js';
