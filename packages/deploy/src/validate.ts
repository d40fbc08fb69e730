import { ConfigError, type ConfigIssue, type ConfigWarning } from '@milvus-otel/config';
import { LATEST_MILVUS_VERSION, normalizeMilvusVersion, parseMilvusTrace } from '@milvus-otel/config/server';
import { parseYamlDocuments, YamlError } from './input.js';

export type FileKind = 'milvus.yaml' | 'helm values' | 'Milvus CR';

export interface ValidationReport {
  readonly file: string;
  readonly kind: FileKind | undefined;
  readonly milvusVersion: string;
  readonly ok: boolean;
  readonly issues: readonly ConfigIssue[];
  readonly warnings: readonly ConfigWarning[];
}

interface Found {
  kind: FileKind;
  trace: unknown;
  /** How the keys are spelled in this file, for messages (`extraConfigFiles.user.yaml › trace`). */
  where: string;
  version?: string | undefined;
}

/** Finds the trace section in a milvus.yaml/user.yaml, a Helm values file, or a Milvus Operator CR. */
function findTrace(doc: Record<string, unknown>): Found | undefined {
  if (doc.kind === 'Milvus' && String(doc.apiVersion ?? '').startsWith('milvus.io/')) {
    const spec = (doc.spec ?? {}) as { config?: { trace?: unknown }; components?: { image?: string } };
    const image = spec.components?.image;
    return {
      kind: 'Milvus CR',
      trace: spec.config?.trace,
      where: 'spec.config.trace',
      version: typeof image === 'string' ? image.split(':')[1] : undefined,
    };
  }
  const extra = (doc.extraConfigFiles ?? undefined) as Record<string, unknown> | undefined;
  if (extra && typeof extra === 'object') {
    const userYaml = extra['user.yaml'];
    // The embedded file gets the same limits as the outer one (an alias bomb may hide in it too).
    const parsed =
      typeof userYaml === 'string'
        ? (parseYamlDocuments(userYaml, 'extraConfigFiles.user.yaml')[0] as { trace?: unknown } | null)
        : undefined;
    const image = (doc.image as { all?: { tag?: string } } | undefined)?.all?.tag;
    return {
      kind: 'helm values',
      trace: parsed && typeof parsed === 'object' ? parsed.trace : undefined,
      where: 'extraConfigFiles.user.yaml › trace',
      version: typeof image === 'string' ? image : undefined,
    };
  }
  if ('trace' in doc) return { kind: 'milvus.yaml', trace: doc.trace, where: 'trace' };
  return undefined;
}

/**
 * Checks the Milvus trace settings in a user's existing file and reports every problem with its fix.
 * `milvusVersion` wins over a version found in the file (image tag); the newest known release is the fallback.
 * Text that is no valid YAML, or whose aliases expand too far, is a problem of the report, as is a
 * `milvusVersion` that is no version.
 */
export function validateText(file: string, text: string, milvusVersion?: string): ValidationReport {
  if (milvusVersion !== undefined && normalizeMilvusVersion(milvusVersion) === undefined) {
    return report(file, undefined, milvusVersion, [
      {
        key: 'milvusVersion',
        value: milvusVersion,
        expected: 'a Milvus version such as 2.5.11',
        fix: 'pass the release of the Milvus server the file is for',
      },
    ]);
  }
  const fallback = normalizeMilvusVersion(milvusVersion ?? LATEST_MILVUS_VERSION) ?? LATEST_MILVUS_VERSION;
  let docs: unknown[];
  try {
    docs = parseYamlDocuments(text, file);
  } catch (error) {
    if (!(error instanceof YamlError)) throw error;
    return report(file, undefined, fallback, [
      { key: file, expected: 'valid YAML', fix: `${error.problem}; ${error.fix}` },
    ]);
  }
  for (const value of docs) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) continue;
    let found: Found | undefined;
    try {
      found = findTrace(value as Record<string, unknown>);
    } catch (error) {
      if (!(error instanceof YamlError)) throw error;
      return report(file, 'helm values', fallback, [
        { key: 'extraConfigFiles.user.yaml', expected: 'valid YAML', fix: `${error.problem}; ${error.fix}` },
      ]);
    }
    if (!found) continue;
    // A version in the file that is no version (an image tag such as `latest`) falls back to the newest release.
    const version =
      normalizeMilvusVersion(milvusVersion ?? found.version ?? LATEST_MILVUS_VERSION) ??
      LATEST_MILVUS_VERSION;
    if (found.trace === undefined) {
      return report(file, found.kind, version, [
        {
          key: found.where,
          expected: 'a trace section (tracing is off without one)',
          fix: `add one: milvus-otel render ${found.kind === 'helm values' ? 'helm' : found.kind === 'Milvus CR' ? 'milvus-operator' : 'milvus-config'} --milvus-version ${version}`,
        },
      ]);
    }
    try {
      const { warnings } = parseMilvusTrace(found.trace, { milvusVersion: version });
      return report(file, found.kind, version, [], warnings);
    } catch (error) {
      if (error instanceof ConfigError) return report(file, found.kind, version, error.issues);
      throw error;
    }
  }
  return report(file, undefined, fallback, [
    {
      key: file,
      expected:
        'a milvus.yaml/user.yaml with trace:, Helm values with extraConfigFiles.user.yaml, or a Milvus CR',
      fix: 'point validate at the file that configures the Milvus server',
    },
  ]);
}

/**
 * One problem as the CLI prints it. A setting the Milvus release does not read yet is one line: the key, the release
 * it needs, and the fix; any other problem also shows the value and what was expected.
 */
export function issueLine(issue: ConfigIssue, milvusVersion: string): string {
  if (issue.needsMilvus !== undefined)
    return `  - ${issue.key} needs Milvus ${issue.needsMilvus}+ (this file is for ${milvusVersion}); fix: ${issue.fix}`;
  const value = issue.value === undefined ? '' : ` = ${JSON.stringify(issue.value)}`;
  return `  - ${issue.key}${value}: expected ${issue.expected}\n    fix: ${issue.fix}`;
}

function report(
  file: string,
  kind: FileKind | undefined,
  milvusVersion: string,
  issues: readonly ConfigIssue[],
  warnings: readonly ConfigWarning[] = [],
): ValidationReport {
  return { file, kind, milvusVersion, ok: issues.length === 0, issues, warnings };
}
