import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** The modules a source file imports: relative ones as absolute paths, packages by name. */
function importsOf(file: string): { files: string[]; packages: string[] } {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)].map(
    (m) => m[1] ?? '',
  );
  return {
    files: specifiers
      .filter((s) => s.startsWith('.'))
      .map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts'))),
    packages: specifiers.filter((s) => !s.startsWith('.')),
  };
}

function reachable(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const found = importsOf(file);
    for (const p of found.packages) packages.add(p);
    for (const f of found.files) visit(f);
  };
  visit(join(SRC, entry));
  return { files, packages };
}

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );

describe('entries', () => {
  it.each(['index.ts', 'internal.ts'])('%s reaches neither semver nor the server schemas', (entry) => {
    const { files, packages } = reachable(entry);
    expect([...packages].sort()).toEqual(['zod']);
    expect([...files].map((f) => relative(SRC, f)).filter((f) => f.startsWith('server'))).toEqual([]);
  });

  it('address.ts stands alone', () => {
    const { files, packages } = reachable('address.ts');
    expect([...files].map((f) => relative(SRC, f))).toEqual(['address.ts']);
    expect([...packages]).toEqual([]);
  });

  it('no source file imports one that imports it back, directly or not', () => {
    for (const file of sourceFiles(SRC)) {
      const others = importsOf(file).files.flatMap((f) => [...reachable(relative(SRC, f)).files]);
      expect(others.includes(file), relative(SRC, file)).toBe(false);
    }
  });
});
