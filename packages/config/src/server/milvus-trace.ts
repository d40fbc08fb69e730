import type * as z from 'zod';
import { ConfigError, type ConfigIssue, type ConfigWarning, maskWarning } from '../errors.js';
import { checkServer } from './checks.js';
import {
  INTRODUCED_IN,
  MILVUS_EXPORTERS,
  type MilvusTraceConfig,
  milvusTraceSchema,
} from './trace-schema.js';
import { atLeast, LATEST_MILVUS_VERSION, normalizeMilvusVersion } from './version.js';

/** Keys whose values are never shown: OTLP headers carry tokens. */
const SECRET_KEYS = new Set(['trace.otlp.headers']);

export interface ServerParseOptions {
  /** The Milvus release the config is for (e.g. `2.4.7`); defaults to LATEST_MILVUS_VERSION. */
  readonly milvusVersion?: string;
}

function describeExpected(path: readonly PropertyKey[], issue: z.core.$ZodIssue): string {
  const key = path.join('.');
  if (issue.code === 'unrecognized_keys') {
    // Some of them, should a file hold thousands.
    const keys =
      issue.keys.length > 20 ? [...issue.keys.slice(0, 20), `${issue.keys.length - 20} more`] : issue.keys;
    return `only known keys (${keys.join(', ')} is not a trace setting)`;
  }
  if (key === 'exporter') return `one of ${MILVUS_EXPORTERS.join(', ')}`;
  if (key === 'sampleFraction') return 'a number from 0 to 1';
  if (key === 'otlp.method') return 'grpc or http';
  if (key === 'otlp.secure') return 'true or false';
  if (key === 'initTimeoutSeconds') return 'a whole number of seconds > 0';
  if (key === 'otlp.headers') return 'a string: base64 of a JSON object of header names to string values';
  return issue.message;
}

/** The value at `path`, as text for a message; a secret's as `****`. */
function shownValueAt(input: unknown, path: readonly PropertyKey[]): string | undefined {
  const value = valueAt(input, path);
  return value !== undefined && SECRET_KEYS.has(['trace', ...path].join('.')) ? '****' : value;
}

/** Drops the keys left empty (YAML null): Milvus then uses its default. */
function dropUnset(value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, dropUnset(v)]),
  );
}

function valueAt(input: unknown, path: readonly PropertyKey[]): string | undefined {
  let at: unknown = input;
  for (const p of path)
    at = at && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[p] : undefined;
  if (at === undefined || typeof at === 'string') return at;
  try {
    return JSON.stringify(at);
  } catch {
    return String(at); // a value that contains itself (a YAML alias inside its own anchor)
  }
}

/** How to fix a key (or value) that `version` does not read yet. */
function versionFix(key: string, value: string, version: string, since: string): string {
  if (key === 'trace.exporter')
    // Older releases log "Empty Trace" for noop and run with no tracer.
    return `upgrade to Milvus ${since}+, or use stdout with sampleFraction: 0 on Milvus ${version} (it does not know noop)`;
  if (key === 'trace.otlp.secure')
    // Older releases ignore the key: OTLP always uses TLS there, so a plain-text collector receives nothing.
    return value === 'false'
      ? `use Milvus ${since}+, or a collector with TLS (Milvus ${version} ignores secure: false and always uses TLS)`
      : `remove trace.otlp.secure for Milvus ${version} (it always uses TLS), or upgrade the server to ${since}+`;
  return `remove ${key} for Milvus ${version}, or upgrade the server to ${since}+`;
}

/**
 * Validates a Milvus `trace:` section for one Milvus version: schema errors, keys that version does not read (with
 * the version that introduced them), and the cross-checks (endpoint forms, ports vs method, TLS to a local
 * collector, deprecated exporter). Throws one ConfigError listing every problem.
 */
export function parseMilvusTrace(
  input: unknown,
  options: ServerParseOptions = {},
): {
  data: MilvusTraceConfig;
  warnings: readonly ConfigWarning[];
} {
  const version = normalizeMilvusVersion(options.milvusVersion ?? LATEST_MILVUS_VERSION);
  if (version === undefined) {
    throw new ConfigError('Milvus trace settings', [
      {
        key: 'milvusVersion',
        value: options.milvusVersion,
        expected: 'a Milvus version such as 2.4.7',
        fix: 'pass the version of the Milvus server the file is for',
      },
    ]);
  }
  const result = milvusTraceSchema.safeParse(input ?? {});
  if (!result.success) {
    const issues: ConfigIssue[] = result.error.issues.map((issue) => {
      const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0] ?? ''] : issue.path;
      return {
        key: ['trace', ...path].join('.'),
        value: issue.code === 'unrecognized_keys' ? undefined : shownValueAt(input, issue.path),
        expected: describeExpected(issue.path, issue),
        fix:
          issue.code === 'unrecognized_keys'
            ? 'remove it; Milvus reads trace.exporter, sampleFraction, jaeger.url, otlp.endpoint/method/secure/headers, initTimeoutSeconds'
            : 'correct the value as shown in the expected form',
      };
    });
    throw new ConfigError('Milvus trace settings', issues);
  }
  const data = dropUnset(result.data) as MilvusTraceConfig;
  const issues: ConfigIssue[] = [];
  for (const rule of INTRODUCED_IN) {
    const value = valueAt({ trace: data }, rule.key.split('.'));
    if (
      value === undefined ||
      (rule.value !== undefined && value !== rule.value) ||
      atLeast(version, rule.since)
    )
      continue;
    issues.push({
      key: rule.key,
      value: SECRET_KEYS.has(rule.key) ? '****' : value,
      expected: `a setting Milvus ${version} reads (${rule.value ? `${rule.key}: ${rule.value}` : rule.key} came in Milvus ${rule.since})`,
      fix: versionFix(rule.key, value, version, rule.since),
      needsMilvus: rule.since,
    });
  }
  const findings = checkServer(data, version);
  issues.push(...findings.errors);
  if (issues.length > 0) throw new ConfigError(`Milvus ${version} trace settings`, issues);
  return { data, warnings: findings.warnings.map(maskWarning) };
}
