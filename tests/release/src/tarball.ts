import { readFileSync } from 'node:fs';
import { createPackageFromTarballData, type Package } from '@arethetypeswrong/core';

export interface Manifest {
  name: string;
  version: string;
  type?: string;
  main?: string;
  module?: string;
  types?: string;
  bin?: string | Record<string, string>;
  exports?: unknown;
  files?: string[];
  engines?: Record<string, string>;
  sideEffects?: boolean | string[];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  optionalDependencies?: Record<string, string>;
  publishConfig?: Record<string, unknown>;
  [field: string]: unknown;
}

export interface Tarball {
  pkg: Package;
  /** Paths inside the package, as in package.json ("dist/index.js"), sorted. */
  files: string[];
  read(path: string): string;
  manifest: Manifest;
  bytes: Uint8Array;
}

export function openTarball(file: string): Tarball {
  const bytes = new Uint8Array(readFileSync(file));
  const pkg = createPackageFromTarballData(bytes);
  const root = `/node_modules/${pkg.packageName}/`;
  const files = pkg
    .listFiles()
    .map((path) => path.slice(root.length))
    .sort();
  const read = (path: string) => pkg.readFile(root + path.replace(/^\.\//, ''));
  return { pkg, files, read, manifest: JSON.parse(read('package.json')) as Manifest, bytes };
}

/** Every file path a manifest points at: main, module, types, bin and all exports targets (patterns left out). */
export function referencedPaths(manifest: Manifest): string[] {
  const paths = new Set<string>();
  for (const field of ['main', 'module', 'types'] as const) {
    if (typeof manifest[field] === 'string') paths.add(manifest[field]);
  }
  if (typeof manifest.bin === 'string') paths.add(manifest.bin);
  else for (const path of Object.values(manifest.bin ?? {})) paths.add(path);
  const walk = (value: unknown) => {
    if (typeof value === 'string') {
      if (!value.includes('*')) paths.add(value);
    } else if (value && typeof value === 'object') {
      for (const inner of Object.values(value)) walk(inner);
    }
  };
  walk(manifest.exports);
  return [...paths].map((path) => path.replace(/^\.\//, '')).sort();
}
