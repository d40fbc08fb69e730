export { checkEndToEnd } from './checks.js';
export {
  type JaegerSettings,
  type JaegerSettingsInput,
  jaegerSettingsSchema,
  jaegerSettingsWarnings,
  parseJaegerSettings,
  type SamplingStrategy,
  samplingStrategiesFile,
} from './jaeger.js';
export { jsonSchemas } from './json-schema.js';
export { parseMilvusTrace, type ServerParseOptions } from './milvus-trace.js';
export {
  INTRODUCED_IN,
  MILVUS_EXPORTERS,
  MILVUS_TRACE_KEYS,
  MILVUS_TRACE_VALUES,
  type MilvusExporter,
  type MilvusTraceConfig,
  type MilvusTraceKey,
  milvusReadsKey,
  milvusTraceSchema,
} from './trace-schema.js';
export { LATEST_MILVUS_VERSION, normalizeMilvusVersion } from './version.js';
