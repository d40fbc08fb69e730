export { checkEndToEnd } from './checks.js';
export {
  type JaegerSettings,
  type JaegerSettingsInput,
  jaegerSettingsSchema,
  parseJaegerSettings,
  type SamplingStrategy,
  samplingStrategiesFile,
} from './jaeger.js';
export { jsonSchemas } from './json-schema.js';
export { parseMilvusTrace, type ServerParseOptions } from './milvus-trace.js';
export {
  INTRODUCED_IN,
  MILVUS_EXPORTERS,
  type MilvusExporter,
  type MilvusTraceConfig,
  milvusTraceSchema,
} from './trace-schema.js';
export { LATEST_MILVUS_VERSION, normalizeMilvusVersion } from './version.js';
