import { type ClientSettings, ConfigError } from '@milvus-otel/config';
import {
  DB_STATEMENT_MODES,
  EXPRESS_LAYERS,
  isQueryParamName,
  isUrlPath,
  REQUIRE_HOOK_MODES,
} from '@milvus-otel/config/internal';
import type { RegisterOptions } from './types.ts';

/**
 * The settings with the options of register() that override a variable in force: `ignoreIncomingPaths` wins over
 * MILVUS_OTEL_IGNORE_PATHS (`[]` ignores nothing), `keepQueryParams` over MILVUS_OTEL_KEEP_QUERY_PARAMS (`[]` redacts
 * every value), `expressLayers` over MILVUS_OTEL_EXPRESS_LAYERS, `requireHook` over MILVUS_OTEL_REQUIRE_HOOK,
 * `dbStatements` over MILVUS_OTEL_DB_STATEMENTS. A bad entry throws a ConfigError naming the option, before anything
 * is started.
 */
export function withRegisterOptions(settings: ClientSettings, options: RegisterOptions): ClientSettings {
  let result = withList(
    settings,
    'ignoreIncomingPaths',
    options.ignoreIncomingPaths,
    isUrlPath,
    'URL paths, each starting with / and without query string (exact match)',
    "pass paths like ignoreIncomingPaths: ['/healthz', '/readyz'], or [] to trace every request",
  );
  result = withList(
    result,
    'keepQueryParams',
    options.keepQueryParams,
    isQueryParamName,
    'query parameter names (no =, &, #, ? or spaces)',
    "pass names like keepQueryParams: ['limit', 'page'], or [] to redact every query value",
  );
  result = withChoice(
    result,
    'expressLayers',
    options.expressLayers,
    EXPRESS_LAYERS,
    "pass expressLayers: 'handlers' (or 'all') to see Express layers as spans, or leave it out",
  );
  result = withChoice(
    result,
    'dbStatements',
    options.dbStatements,
    DB_STATEMENT_MODES,
    "pass dbStatements: 'full' to record statement arguments in database spans, or leave it out",
  );
  return withChoice(
    result,
    'requireHook',
    options.requireHook,
    REQUIRE_HOOK_MODES,
    "pass requireHook: 'all' if you create instrumentations after register() without passing them to it, or leave it out",
  );
}

/** The settings with a list option in force, duplicates removed; every entry must pass `isValid`. */
function withList(
  settings: ClientSettings,
  key: 'ignoreIncomingPaths' | 'keepQueryParams',
  values: readonly string[] | undefined,
  isValid: (value: string) => boolean,
  expected: string,
  fix: string,
): ClientSettings {
  if (values === undefined) return settings;
  const bad = values.filter((v) => typeof v !== 'string' || !isValid(v));
  if (bad.length > 0)
    throw new ConfigError('register() options', [{ key, value: bad.map(String).join(', '), expected, fix }]);
  return { ...settings, [key]: [...new Set(values)] };
}

/** The settings with an option that picks one of `allowed` in force. */
function withChoice<K extends 'expressLayers' | 'requireHook' | 'dbStatements'>(
  settings: ClientSettings,
  key: K,
  value: ClientSettings[K] | undefined,
  allowed: readonly ClientSettings[K][],
  fix: string,
): ClientSettings {
  if (value === undefined) return settings;
  if (!allowed.includes(value))
    throw new ConfigError('register() options', [
      { key, value: String(value), expected: `one of ${allowed.join(', ')}`, fix },
    ]);
  return { ...settings, [key]: value };
}
