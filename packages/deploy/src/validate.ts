import {
  ConfigError,
  type ConfigIssue,
  type ConfigWarning,
  LATEST_MILVUS_VERSION,
  normalizeMilvusVersion,
  parseMilvusTrace,
} from '@milvus-otel/config';
import { parseAllDocuments } from 'yaml';

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
    return {
      kind: 'Milvus CR',
      trace: spec.config?.trace,
      where: 'spec.config.trace',
      version: spec.components?.image?.split(':')[1],
    };
  }
  const extra = (doc.extraConfigFiles ?? undefined) as Record<string, unknown> | undefined;
  if (extra && typeof extra === 'object') {
    const userYaml = extra['user.yaml'];
    const parsed =
      typeof userYaml === 'string'
        ? (parseAllDocuments(userYaml)[0]?.toJS() as { trace?: unknown } | null)
        : undefined;
    const image = (doc.image as { all?: { tag?: string } } | undefined)?.all?.tag;
    return {
      kind: 'helm values',
      trace: parsed?.trace,
      where: 'extraConfigFiles.user.yaml › trace',
      version: image,
    };
  }
  if ('trace' in doc) return { kind: 'milvus.yaml', trace: doc.trace, where: 'trace' };
  return undefined;
}

/**
 * Checks the Milvus trace settings in a user's existing file and reports every problem with its fix.
 * `milvusVersion` wins over a version found in the file (image tag); the newest known release is the fallback.
 */
export function validateText(file: string, text: string, milvusVersion?: string): ValidationReport {
  const docs = parseAllDocuments(text);
  const yamlErrors = docs.flatMap((d) => d.errors);
  if (yamlErrors.length > 0) {
    return report(file, undefined, milvusVersion ?? LATEST_MILVUS_VERSION, [
      { key: file, expected: 'valid YAML', fix: yamlErrors.map((e) => e.message).join('; ') },
    ]);
  }
  for (const doc of docs) {
    const value = doc.toJS() as unknown;
    if (!value || typeof value !== 'object') continue;
    const found = findTrace(value as Record<string, unknown>);
    if (!found) continue;
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
  return report(file, undefined, milvusVersion ?? LATEST_MILVUS_VERSION, [
    {
      key: file,
      expected:
        'a milvus.yaml/user.yaml with trace:, Helm values with extraConfigFiles.user.yaml, or a Milvus CR',
      fix: 'point validate at the file that configures the Milvus server',
    },
  ]);
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
