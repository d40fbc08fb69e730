/**
 * What @milvus-otel/node needs beyond the public API: the value lists its register() options are checked against,
 * and the defaults its tests pin. Not covered by semver: may change in any release.
 */
export {
  DB_STATEMENT_MODES,
  DEFAULT_ATTRIBUTE_VALUE_LENGTH_LIMIT,
  type EsmHookMode,
  EXPRESS_LAYERS,
  isQueryParamName,
  isUrlPath,
  REQUIRE_HOOK_MODES,
} from './client-env.js';
export {
  INSTRUMENTATION_NAMES,
  type InstrumentationName,
  isInstrumentationName,
} from './instrumentation-names.js';
