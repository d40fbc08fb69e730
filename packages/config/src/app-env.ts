import { collectEnvSettings, type EnvSettings, type EnvSource, type EnvValues } from './env.js';
import { ConfigError } from './errors.js';

/**
 * Your app's own settings, read the same way as the tracing ones: declare each variable with `envSetting(schema,
 * expected, fix)`, get typed values back, or one ConfigError that names every bad variable and its fix.
 *
 * @example
 * const env = parseEnv('order service settings', {
 *   PORT: envSetting(envInt(3000, { min: 1, max: 65535 }), 'a port number', 'set PORT=3000'),
 * });
 */
export function parseEnv<S extends EnvSettings>(
  subject: string,
  settings: S,
  env: EnvSource = process.env,
): EnvValues<S> {
  const { values, issues } = collectEnvSettings(settings, env);
  if (issues.length > 0) throw new ConfigError(subject, issues);
  return values;
}

/** Parsers whose settings join yours: each gets the same env; a ConfigError it throws joins your problems. */
export type EnvExtensions<X> = { readonly [K in keyof X]: (env: EnvSource) => X[K] };

/** Your values, and each extension's under its key. */
export type CreatedEnv<S extends EnvSettings, X> = EnvValues<S> & { readonly [K in keyof X]: X[K] };

export interface CreateEnvOptions<S extends EnvSettings, X> {
  /** What the settings are, for the error's first line ("worker settings"). */
  subject: string;
  settings: S;
  /** Settings read by other parsers (`{ tracing: (env) => parseClientEnv(env).data }`), returned under their key. */
  extends?: EnvExtensions<X>;
  env?: EnvSource;
  /**
   * Gets the one ConfigError that lists every bad variable (yours and the extensions'); the default throws it.
   * `exitOnConfigError` prints it and exits with code 1, for an app's entry point.
   */
  onValidationError?: (error: ConfigError) => never;
}

/**
 * Your settings and other parsers' (the tracing ones, say) in one pass: typed values back, or one ConfigError that
 * names every bad variable of all of them, so a user fixes everything at once.
 *
 * @example
 * const env = createEnv({
 *   subject: 'order service settings',
 *   settings: { PORT: envSetting(envInt(3000, { min: 1, max: 65535 }), 'a port number', 'set PORT=3000') },
 *   extends: { tracing: (env) => parseClientEnv(env).data },
 *   onValidationError: exitOnConfigError,
 * });
 * env.PORT; env.tracing.milvus.address;
 */
export function createEnv<S extends EnvSettings, X = Record<never, never>>(
  options: CreateEnvOptions<S, X>,
): CreatedEnv<S, X> {
  const env = options.env ?? process.env;
  const { values, issues } = collectEnvSettings(options.settings, env);
  const problems = [...issues];
  const extended: Record<string, unknown> = {};
  for (const [key, parse] of Object.entries<(env: EnvSource) => unknown>(options.extends ?? {})) {
    try {
      extended[key] = parse(env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.issues);
    }
  }
  if (problems.length > 0) {
    const error = new ConfigError(options.subject, problems);
    if (options.onValidationError) options.onValidationError(error);
    throw error;
  }
  return { ...values, ...extended } as CreatedEnv<S, X>;
}

/** For `onValidationError` at an app's entry point: the error on stderr, exit code 1, before anything started. */
export function exitOnConfigError(error: ConfigError): never {
  console.error(error.message);
  process.exit(1);
}
