/**
 * What the published code loads is what the manifests declare: every bare import/require in dist/ is a dependency,
 * a peer dependency or a Node.js built-in; the OpenTelemetry API is a peer (one instance per app), and the Milvus SDK
 * is never a dependency (the instrumentation patches the app's copy when the app loads it).
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { release } from '../src/consumer.ts';
import { PACKAGE_NAMES, type PackageName, repoRoot } from '../src/paths.ts';
import { openTarball } from '../src/tarball.ts';

// import … from 'x', import('x'), import 'x', require('x') (also esbuild's __require), require.resolve('x').
const SPECIFIER =
  /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|(?:\b|__)require\s*\(\s*|\b(?:require|import\.meta)\.resolve\s*\(\s*)["']([^"'./][^"']*)["']/g;

const PACKAGE_NAME = /^(@[a-z0-9][\w.~-]*\/)?[a-z0-9][\w.~-]*(\/[\w.~/-]*)?$/;

/** The package part of a bare specifier: "@scope/name/sub" → "@scope/name", "name/sub" → "name". */
const packageOf = (specifier: string) =>
  specifier.startsWith('@')
    ? specifier.split('/').slice(0, 2).join('/')
    : (specifier.split('/')[0] as string);

function specifiersIn(name: PackageName): Map<string, string[]> {
  const tarball = openTarball(release().tarballs[name]);
  const found = new Map<string, string[]>();
  for (const file of tarball.files.filter((f) => /\.(c|m)?js$/.test(f))) {
    for (const match of tarball.read(file).matchAll(SPECIFIER)) {
      const specifier = match[1] as string;
      if (!PACKAGE_NAME.test(specifier)) continue; // a format string or the like, not a module
      if (specifier.startsWith('node:') || builtinModules.includes(packageOf(specifier))) continue;
      const pkg = packageOf(specifier);
      found.set(pkg, [...(found.get(pkg) ?? []), file]);
    }
  }
  return found;
}

/**
 * Specifiers in dist/ that need not be dependencies, each with why (none today: the Milvus SDK is named only as the
 * module to hook, and @opentelemetry/auto-instrumentations-node, for `instrumentations: 'all'`, is loaded by a name
 * held in a variable, with an error that says to install it).
 */
const NOT_DEPENDENCIES: Partial<Record<PackageName, Record<string, string>>> = {};

describe.each(PACKAGE_NAMES)('%s', (name) => {
  const manifest = () => openTarball(release().tarballs[name]).manifest;

  it('declares every package its dist/ imports or requires', () => {
    const declared = new Set([
      ...Object.keys(manifest().dependencies ?? {}),
      ...Object.keys(manifest().peerDependencies ?? {}),
      ...Object.keys(manifest().optionalDependencies ?? {}),
      name,
    ]);
    const allowed = NOT_DEPENDENCIES[name] ?? {};
    const found = specifiersIn(name);
    for (const pkg of Object.keys(allowed))
      expect(found.has(pkg), `stale NOT_DEPENDENCIES entry ${pkg}`).toBe(true);
    const undeclared = [...found]
      .filter(([pkg]) => !declared.has(pkg) && !(pkg in allowed))
      .map(([pkg, files]) => `${pkg} (${[...new Set(files)].join(', ')})`);
    expect(undeclared, 'imported/required by dist/ but not a (peer) dependency').toEqual([]);
  });

  it('never depends on the Milvus SDK (the app brings it; at most an optional peer)', () => {
    const m = manifest();
    expect(m.dependencies?.['@zilliz/milvus2-sdk-node']).toBeUndefined();
    if (m.peerDependencies?.['@zilliz/milvus2-sdk-node']) {
      expect(m.peerDependenciesMeta?.['@zilliz/milvus2-sdk-node']?.optional).toBe(true);
    }
  });
});

describe('the OpenTelemetry API', () => {
  const workspaceApi = () =>
    (
      JSON.parse(readFileSync(join(repoRoot, 'packages/node/package.json'), 'utf8')) as {
        devDependencies: Record<string, string>;
      }
    ).devDependencies['@opentelemetry/api'] as string;

  it.each(['@milvus-otel/node', '@milvus-otel/instrumentation-milvus'] as const)(
    'is a required peer of %s, satisfied by the version the workspace tests with',
    (name) => {
      const m = openTarball(release().tarballs[name]).manifest;
      const range = m.peerDependencies?.['@opentelemetry/api'];
      expect(range).toBe('^1.10.0');
      expect(m.peerDependenciesMeta?.['@opentelemetry/api']?.optional).not.toBe(true);
      expect(m.dependencies?.['@opentelemetry/api']).toBeUndefined();
      expect(semver.satisfies(workspaceApi(), range as string)).toBe(true);
    },
  );

  it.each(['@milvus-otel/config', '@milvus-otel/jaeger-query', '@milvus-otel/deploy'] as const)(
    'is not needed by %s',
    (name) => {
      const m = openTarball(release().tarballs[name]).manifest;
      expect(m.peerDependencies?.['@opentelemetry/api']).toBeUndefined();
      expect(specifiersIn(name).has('@opentelemetry/api')).toBe(false);
    },
  );

  it('is installed once in the project (npm installed the peer; one instance for the app and the preset)', () => {
    const lock = JSON.parse(
      readFileSync(join(release().consumerDir, 'node_modules/.package-lock.json'), 'utf8'),
    ) as { packages: Record<string, { version?: string }> };
    const copies = Object.keys(lock.packages).filter((path) =>
      path.endsWith('node_modules/@opentelemetry/api'),
    );
    expect(copies).toEqual(['node_modules/@opentelemetry/api']);
    expect(semver.satisfies(lock.packages[copies[0] as string]?.version as string, '^1.10.0')).toBe(true);
  });

  it('left the Milvus SDK out of the project (no package pulled it in)', () => {
    const lock = JSON.parse(
      readFileSync(join(release().consumerDir, 'node_modules/.package-lock.json'), 'utf8'),
    ) as { packages: Record<string, unknown> };
    expect(Object.keys(lock.packages).filter((p) => p.endsWith('@zilliz/milvus2-sdk-node'))).toEqual([]);
  });
});
