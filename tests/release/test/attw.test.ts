/**
 * arethetypeswrong on each published tarball: every entry point resolves to types of the right module format under
 * node10, node16 (CommonJS and ESM) and bundler resolution. Allowed, with the reason:
 *  - node16-cjs CJSResolvesToESM, for the ESM-only `@milvus-otel/node/register` (for `node --import`, never for
 *    require()): it is an ES module with top-level await; require() of it fails with
 *    ERR_REQUIRE_ASYNC_MODULE ("use import() instead"), which test/module-formats.test.ts checks;
 *  - node10 NoResolution, for `./register` and the subpath entries of `@milvus-otel/config` (`./server`, `./address`,
 *    `./internal`): node10 resolution (TypeScript's deprecated `moduleResolution: node`) reads no `exports`, so it
 *    finds no subpath entry at all; the main entry resolves there (main/types).
 */
import { checkPackage, type Problem } from '@arethetypeswrong/core';
import { describe, expect, it } from 'vitest';
import { release } from '../src/consumer.ts';
import { PACKAGE_NAMES, type PackageName } from '../src/paths.ts';
import { openTarball } from '../src/tarball.ts';

const ALLOWED: Partial<Record<PackageName, string[]>> = {
  '@milvus-otel/config': [
    './address node10 NoResolution',
    './internal node10 NoResolution',
    './server node10 NoResolution',
  ],
  '@milvus-otel/node': ['./register node16-cjs CJSResolvesToESM', './register node10 NoResolution'],
};

const describeProblem = (p: Problem) =>
  'entrypoint' in p
    ? `${p.entrypoint} ${'resolutionKind' in p ? p.resolutionKind : '-'} ${p.kind}`
    : `${p.kind} ${JSON.stringify(p)}`;

describe.each(PACKAGE_NAMES)('attw %s', (name) => {
  it('has types for every entry point, in the right module format', async () => {
    const { pkg } = openTarball(release().tarballs[name]);
    const result = await checkPackage(pkg);
    if (!result.types) throw new Error(`${name} ships no types`);
    const problems = result.problems.map(describeProblem).sort();
    expect(problems.filter((p) => !(ALLOWED[name] ?? []).includes(p))).toEqual([]);
  });

  it('checks every entry point in package.json', async () => {
    const { pkg, manifest } = openTarball(release().tarballs[name]);
    const result = await checkPackage(pkg);
    if (!result.types) throw new Error('untyped');
    const exported = Object.keys(manifest.exports as Record<string, unknown>);
    expect(Object.keys(result.entrypoints).sort()).toEqual(exported.sort());
  });
});
