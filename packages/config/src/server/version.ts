import semver from 'semver';

/** The newest Milvus release line these schemas know; validation without a version assumes it. */
export const LATEST_MILVUS_VERSION = '2.6.16';

/** A Milvus version as users write it (`2.4`, `v2.4.7`, `2.5.11-gpu`), normalised to x.y.z; undefined if unreadable. */
export function normalizeMilvusVersion(version: string): string | undefined {
  return semver.coerce(version)?.version;
}

export function atLeast(version: string, minimum: string): boolean {
  return semver.gte(version, minimum);
}
