import type { PackageName } from './paths.ts';

/** What src/global-setup.ts hands the test files (vitest's provide/inject: plain JSON). */
export interface ReleaseState {
  /** The temporary copy of the repository, after `changeset version`. */
  copyDir: string;
  /** The empty project the packages were installed into from the registry. */
  consumerDir: string;
  registryUrl: string;
  /** The npmrc that routes @milvus-otel to the registry (npm_config_userconfig for child processes). */
  npmrc: string;
  /** Versions in the workspace before `changeset version`. */
  versionsBefore: Record<PackageName, string>;
  /** Versions after `changeset version`: the ones published. */
  versions: Record<PackageName, string>;
  /** The pending changesets before `changeset version`: file name → package → bump. */
  changesets: Record<string, { releases: Record<string, string>; summary: string }>;
  /** The published tarball of each package, downloaded back from the registry. */
  tarballs: Record<PackageName, string>;
  /** `npm pack --dry-run --json` in each package's folder of the copy: the files npm would pack. */
  npmPackFiles: Record<PackageName, string[]>;
  /** Output of `changeset version` and `changeset publish`. */
  logs: { version: string; publish: string };
}

declare module 'vitest' {
  export interface ProvidedContext {
    release: ReleaseState;
  }
}
