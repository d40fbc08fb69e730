export {
  type CreatedEnv,
  type CreateEnvOptions,
  createEnv,
  type EnvExtensions,
  exitOnConfigError,
  parseEnv,
} from './app-env.js';
export { checkEndToEnd } from './checks.js';
export {
  CLIENT_ENV,
  type ClientSettings,
  DB_STATEMENT_MODES,
  type DbStatementMode,
  DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT,
  DEFAULT_IGNORE_PATHS,
  DEFAULT_OTLP_PORT,
  type EsmHookMode,
  EXPRESS_LAYERS,
  type ExpressLayers,
  isQueryParamName,
  isUrlPath,
  type OtlpEndpointVariable,
  type OtlpProtocol,
  type ParseResult,
  type PropagatorName,
  parseClientEnv,
  REQUIRE_HOOK_MODES,
  type RequireHookMode,
  type SafeParseResult,
  type SamplerConfig,
  type SamplerName,
  safeParseClientEnv,
} from './client.js';
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
export { ConfigError, type ConfigIssue, type ConfigWarning, formatIssues, maskValue } from './errors.js';
export {
  type JaegerSettings,
  type JaegerSettingsInput,
  jaegerSettingsSchema,
  parseJaegerSettings,
  type SamplingStrategy,
  samplingStrategiesFile,
} from './jaeger.js';
export { jsonSchemas } from './json-schema.js';
export { type MilvusClientConfig, milvusClientConfig } from './milvus-client.js';
export {
  INTRODUCED_IN,
  MILVUS_EXPORTERS,
  type MilvusExporter,
  type MilvusTraceConfig,
  milvusTraceSchema,
  parseMilvusTrace,
  type ServerParseOptions,
} from './server.js';
export { LATEST_MILVUS_VERSION, normalizeMilvusVersion } from './version.js';
