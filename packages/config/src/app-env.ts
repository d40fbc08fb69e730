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
