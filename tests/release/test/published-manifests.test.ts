/** The manifests as published: what pnpm publish rewrote (workspace: ranges) and nothing else. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { release } from '../src/consumer.ts';
import { PACKAGE_NAMES, PUBLISHED, repoRoot } from '../src/paths.ts';
import { type Manifest, openTarball } from '../src/tarball.ts';

const DEP_FIELDS = ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies'] as const;
const workspaceManifest = (name: (typeof PACKAGE_NAMES)[number]) =>
  JSON.parse(readFileSync(join(repoRoot, PUBLISHED[name], 'package.json'), 'utf8')) as Manifest;

describe.each(PACKAGE_NAMES)('published manifest of %s', (name) => {
  const published = () => openTarball(release().tarballs[name]).manifest;

  it('has no workspace: range left', () => {
    for (const field of DEP_FIELDS) {
      for (const [dep, range] of Object.entries(published()[field] ?? {})) {
        expect(range, `${field}.${dep}`).not.toMatch(/^workspace:/);
      }
    }
  });

  it('depends on the versions of our packages released with it (workspace:^ → ^version)', () => {
    const { versions } = release();
    const source = workspaceManifest(name);
    for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies'] as const) {
      for (const [dep, range] of Object.entries(published()[field] ?? {})) {
        if (!dep.startsWith('@milvus-otel/')) continue;
        const ours = versions[dep as keyof typeof versions];
        expect(ours, `${field}.${dep}: not one of the published packages`).toBeDefined();
        expect(source[field]?.[dep], `${field}.${dep} in the workspace`).toBe('workspace:^');
        expect(range, `${field}.${dep}`).toBe(`^${ours}`);
        expect(semver.satisfies(ours, range)).toBe(true);
      }
    }
  });

  it('keeps every other field of the workspace manifest', () => {
    const source = workspaceManifest(name);
    const { version: _v, ...rest } = published();
    const { version: _s, ...expected } = source;
    for (const field of DEP_FIELDS) {
      const original = expected[field];
      if (!original) continue;
      expected[field] = Object.fromEntries(
        Object.entries(original).map(([dep, range]) => [dep, rest[field]?.[dep] ?? range]),
      );
      for (const [dep, range] of Object.entries(original)) {
        if (!range.startsWith('workspace:')) expect(rest[field]?.[dep], `${field}.${dep}`).toBe(range);
      }
    }
    expect(rest).toEqual(expected);
  });

  it('is public, licensed, described and typed', () => {
    const manifest = published();
    expect(manifest.publishConfig?.access).toBe('public');
    expect(manifest.license).toBe('Apache-2.0');
    expect(String(manifest.description).length).toBeGreaterThan(40);
    expect(manifest.type).toBe('module');
    expect(manifest.types).toMatch(/\.d\.ts$/);
    expect(manifest.engines?.node).toMatch(/^>=\d+\.\d+$/);
  });
});
