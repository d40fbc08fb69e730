import { spawnSync } from 'node:child_process';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const releaseTestsDir = join(repoRoot, 'tests/release');

/** The published packages: name → folder in the repository. */
export const PUBLISHED = {
  '@milvus-otel/config': 'packages/config',
  '@milvus-otel/instrumentation-milvus': 'packages/instrumentation-milvus',
  '@milvus-otel/node': 'packages/node',
  '@milvus-otel/jaeger-query': 'packages/jaeger-query',
  '@milvus-otel/deploy': 'packages/deploy',
} as const;
export type PackageName = keyof typeof PUBLISHED;
export const PACKAGE_NAMES = Object.keys(PUBLISHED) as PackageName[];

/** Shared with ./pnpm and the stack (~/.cache/milvus-otel): npm's cache and the registry's install live there. */
export const cacheDir =
  process.env.MILVUS_OTEL_CACHE ??
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'milvus-otel');
export const npmCacheDir = join(cacheDir, 'npm');

/**
 * The folder of the pinned pnpm (`changeset publish` runs `pnpm publish`): scripts/toolchain.sh, as ./pnpm uses it,
 * installs it on first use and puts it on PATH.
 */
export function pnpmBinDir(): string {
  const result = spawnSync('bash', ['-c', '. scripts/toolchain.sh >&2 && dirname "$(command -v pnpm)"'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  const dir = result.stdout.trim();
  if (result.status !== 0 || !dir) throw new Error(`scripts/toolchain.sh found no pnpm:\n${result.stderr}`);
  return dir;
}

/**
 * The environment for every npm/pnpm/changeset command: the caller's, minus the npm_* variables a `pnpm test` run
 * sets (they would override the temporary npmrc), the tracing settings (OTEL_*, MILVUS_OTEL_*) and NODE_PATH, with the given
 * npmrc as the user config, the current Node.js and the pinned pnpm first on PATH, and the system's CA store trusted.
 */
export function childEnv(
  userconfig: string,
  pnpmDir: string,
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_config_)/i.test(key)) continue;
    if (/^OTEL_|^MILVUS_OTEL_(?!CACHE)/.test(key)) continue;
    // NODE_PATH would let the installed project load packages from outside its node_modules, hiding a missing one.
    if (key === 'NODE_PATH') continue;
    env[key] = value;
  }
  return {
    ...env,
    PATH: [dirname(process.execPath), pnpmDir, process.env.PATH ?? ''].join(delimiter),
    npm_config_userconfig: userconfig,
    npm_config_cache: npmCacheDir,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_loglevel: 'warn',
    // Fail in about a minute, not after npm's five-minute fetch timeout and retries.
    npm_config_fetch_timeout: '60000',
    npm_config_fetch_retries: '1',
    npm_config_fetch_retry_maxtimeout: '10000',
    // turbo's strict env mode drops NODE_EXTRA_CA_CERTS: where the registry is reached through a TLS proxy whose CA is
    // in the system store (as on the project's machines), npm would retry for minutes. Trust the system store too.
    NODE_OPTIONS: [env.NODE_OPTIONS, '--use-system-ca'].filter(Boolean).join(' '),
    CI: 'true',
    NO_COLOR: '1',
    ...extra,
  };
}
