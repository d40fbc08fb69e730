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
  return issue.message;
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
        value: issue.code === 'unrecognized_keys' ? undefined : valueAt(input, issue.path),
        expected: describeExpected(issue.path, issue),
        fix:
          issue.code === 'unrecognized_keys'
            ? 'remove it; Milvus reads trace.exporter, sampleFraction, jaeger.url, otlp.endpoint/method/secure, initTimeoutSeconds'
            : 'correct the value as shown in the expected form',
      };
    });
    throw new ConfigError('Milvus trace settings', issues);
  }
  const data = result.data;
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
      value,
      expected: `a setting Milvus ${version} reads (${rule.value ? `${rule.key}: ${rule.value}` : rule.key} came in Milvus ${rule.since})`,
      fix:
        rule.key === 'trace.exporter'
          ? `use stdout with sampleFraction: 0 to turn tracing off on Milvus ${version}, or upgrade to ${rule.since}+`
          : `remove ${rule.key} for Milvus ${version}, or upgrade the server to ${rule.since}+`,
    });
  }
  const findings = checkServer(data, version);
  issues.push(...findings.errors);
  if (issues.length > 0) throw new ConfigError(`Milvus ${version} trace settings`, issues);
  return { data, warnings: findings.warnings.map(maskWarning) };
}
