/**
 * `engines.node` as declared holds: the lowest Node.js each package accepts is accepted by every package it installs
 * (from the installed project's lockfile), and by the packages of ours it depends on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import { release } from '../src/consumer.ts';
import { PACKAGE_NAMES, PUBLISHED, repoRoot } from '../src/paths.ts';

interface LockEntry {
  version?: string;
  engines?: Record<string, string> | string[];
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const lockfile = () =>
  JSON.parse(readFileSync(join(release().consumerDir, 'node_modules/.package-lock.json'), 'utf8')) as {
    packages: Record<string, LockEntry>;
  };

/** Node's lookup: the dependency `name` as seen from the package at `from` (a lockfile path). */
function resolveFrom(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

/** Every installed package the given one loads, directly or not (dependencies, installed peers and optionals). */
function closure(root: string): string[] {
  const { packages } = lockfile();
  const seen = new Set<string>();
  const queue = [root];
  while (queue.length) {
    const path = queue.pop() as string;
    if (seen.has(path)) continue;
    seen.add(path);
    const entry = packages[path] ?? {};
    for (const name of Object.keys({
      ...entry.dependencies,
      ...entry.optionalDependencies,
      ...entry.peerDependencies,
    })) {
      const found = resolveFrom(packages, path, name);
      if (found) queue.push(found);
      else if (entry.dependencies?.[name]) throw new Error(`${path}: dependency ${name} is not installed`);
    }
  }
  seen.delete(root);
  return [...seen].sort();
}

describe.each(PACKAGE_NAMES)('engines of %s', (name) => {
  const declared = () =>
    (
      JSON.parse(readFileSync(join(repoRoot, PUBLISHED[name], 'package.json'), 'utf8')) as {
        engines: { node: string };
      }
    ).engines.node;

  it('accept the Node.js running the tests and the project pins', () => {
    expect(semver.satisfies(process.version, declared())).toBe(true);
    const pinned = readFileSync(join(repoRoot, '.nvmrc'), 'utf8').trim();
    expect(semver.satisfies(semver.coerce(pinned) as semver.SemVer, declared())).toBe(true);
  });

  it('are no lower than what any installed dependency requires', () => {
    const { packages } = lockfile();
    const lowest = semver.minVersion(declared()) as semver.SemVer;
    const conflicts: string[] = [];
    for (const path of closure(`node_modules/${name}`)) {
      const engines = packages[path]?.engines;
      const node = Array.isArray(engines) ? undefined : engines?.node;
      if (node && !semver.satisfies(lowest, node))
        conflicts.push(`${path}@${packages[path]?.version}: node ${node}`);
    }
    expect(conflicts, `${name} says node ${declared()}, so Node.js ${lowest} must do`).toEqual([]);
  });
});
