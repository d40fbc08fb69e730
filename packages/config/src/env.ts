import * as z from 'zod';
import { type ConfigIssue, maskValue } from './errors.js';

/**
 * Reads one variable: any Standard Schema (zod 4, valibot, ArkType…) that takes the trimmed value, or undefined when
 * the variable is unset or empty, and returns the typed value (its default when unset). Validation must be synchronous.
 */
export interface EnvSchema<T> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => EnvSchemaResult<T> | Promise<EnvSchemaResult<T>>;
  };
}

type EnvSchemaResult<T> =
  | { readonly value: T; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<{ readonly message: string }> };

/** One environment variable: how to read it, and what to tell the user when it is wrong. */
export interface EnvSetting<T> {
  readonly schema: EnvSchema<T>;
  readonly expected: string;
  readonly fix: string;
}

export function envSetting<T>(schema: EnvSchema<T>, expected: string, fix: string): EnvSetting<T> {
  return { schema, expected, fix };
}

export type EnvSettings = Record<string, EnvSetting<unknown>>;
export type EnvValues<S extends EnvSettings> = {
  [K in keyof S]: S[K] extends EnvSetting<infer T> ? T : never;
};

export type EnvSource = Readonly<Record<string, string | undefined>>;

function validate<T>(schema: EnvSchema<T>, input: string | undefined): EnvSchemaResult<T> {
  const result = schema['~standard'].validate(input);
  if (result instanceof Promise) throw new TypeError('an environment setting needs a synchronous schema');
  return result;
}

/**
 * Parses every setting from `env` (empty strings count as unset, as the OpenTelemetry spec asks). Returns the
 * values — a bad variable gets its default, so later checks can still run — and one issue per bad variable with its
 * (masked) value, what was expected and the fix.
 */
export function collectEnvSettings<S extends EnvSettings>(
  settings: S,
  env: EnvSource,
): { values: EnvValues<S>; issues: ConfigIssue[] } {
  const out: Record<string, unknown> = {};
  const issues: ConfigIssue[] = [];
  for (const [key, setting] of Object.entries(settings)) {
    const raw = env[key];
    const input = raw === undefined || raw.trim() === '' ? undefined : raw.trim();
    const result = validate(setting.schema, input);
    if (result.issues === undefined) {
      out[key] = result.value;
    } else {
      const fallback = validate(setting.schema, undefined);
      out[key] = fallback.issues === undefined ? fallback.value : undefined;
      issues.push({ key, value: maskValue(key, input), expected: setting.expected, fix: setting.fix });
    }
  }
  return { values: out as EnvValues<S>, issues };
}

// Building blocks for environment values (all arrive as strings).

export const envBoolean = (fallback: boolean): EnvSchema<boolean> =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined) return fallback;
      const lower = v.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      ctx.addIssue({ code: 'custom', message: 'not a boolean' });
      return z.NEVER;
    });

/** A whole number in [min, max]; `fallback` when unset (undefined for per-signal variables that defer to another). */
export const envInt = <F extends number | undefined>(
  fallback: F,
  { min = 0, max = Number.MAX_SAFE_INTEGER } = {},
): EnvSchema<number | F> =>
  z
    .string()
    .optional()
    .transform((v, ctx): number | F => {
      if (v === undefined) return fallback;
      const n = Number(v);
      if (!Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: 'out of range' });
        return z.NEVER;
      }
      return n;
    });

/** One of `values`, case-insensitive; `fallback` when unset (undefined for per-signal variables that defer to another). */
export const envEnum = <const T extends readonly [string, ...string[]], F extends T[number] | undefined>(
  values: T,
  fallback: F,
): EnvSchema<T[number] | F> =>
  z
    .string()
    .optional()
    .transform((v, ctx): T[number] | F => {
      if (v === undefined) return fallback;
      const lower = v.toLowerCase();
      if ((values as readonly string[]).includes(lower)) return lower as T[number];
      ctx.addIssue({ code: 'custom', message: 'not allowed' });
      return z.NEVER;
    });

export const envOptionalString = (): EnvSchema<string | undefined> => z.string().optional();

/** `key1=value1,key2=value2` (W3C baggage-like list, values percent-decoded), as the spec uses for headers and resources. */
export const envKeyValueList = (): EnvSchema<Record<string, string>> =>
  z
    .string()
    .optional()
    .transform((v, ctx) => {
      const out: Record<string, string> = {};
      if (v === undefined) return out;
      for (const pair of v.split(',')) {
        if (pair.trim() === '') continue;
        const eq = pair.indexOf('=');
        const key = eq > 0 ? pair.slice(0, eq).trim() : '';
        if (!key) {
          ctx.addIssue({ code: 'custom', message: 'bad pair' });
          return z.NEVER;
        }
        try {
          out[key] = decodeURIComponent(pair.slice(eq + 1).trim());
        } catch {
          ctx.addIssue({ code: 'custom', message: 'bad encoding' });
          return z.NEVER;
        }
      }
      return out;
    });

/** An http(s) URL; scheme required, port (when given) 1-65535. */
export const envHttpUrl = (): EnvSchema<string | undefined> =>
  z
    .string()
    .optional()
    .refine((v) => v === undefined || isHttpUrl(v), 'not an http(s) URL');

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    // Port 0 parses, but nothing can be reached there.
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && url.port !== '0';
  } catch {
    return false;
  }
}

/** A string, `fallback` when unset; when `pattern` is given the value must match it. */
export const envString = (fallback: string, pattern?: RegExp): EnvSchema<string> =>
  z
    .string()
    .optional()
    .refine((v) => v === undefined || pattern === undefined || pattern.test(v), 'does not match')
    .transform((v) => v ?? fallback);

/** A URL with one of `protocols` (e.g. `['redis:', 'rediss:']`); `fallback` when unset. */
export const envUrl = <F extends string | undefined>(
  protocols: readonly string[],
  fallback: F,
): EnvSchema<string | F> =>
  z
    .string()
    .optional()
    .refine((v) => {
      if (v === undefined) return true;
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    }, 'not an accepted URL')
    .transform((v): string | F => v ?? fallback);
