/**
 * After the build: writes dist/THIRD-PARTY-LICENSES.txt — name, version, licence and licence text of every package
 * bundled into dist/register.js (from esbuild's metafile, which is then removed: it is not part of the package).
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

const dist = resolve(import.meta.dirname, '../dist');
const metafile = join(dist, 'metafile-esm.json');
const meta = JSON.parse(readFileSync(metafile, 'utf8')) as {
  outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
};

/** The directory of the package that owns `file` (the nearest package.json with a name). */
function packageDir(file: string): string | undefined {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name) return dir;
  }
  return undefined;
}

// Only what ended up in the output: tree-shaken inputs are not distributed.
const inputs = Object.values(meta.outputs).flatMap((o) =>
  Object.entries(o.inputs)
    .filter(([, i]) => i.bytesInOutput > 0)
    .map(([path]) => path),
);
const dirs = new Set<string>();
for (const input of inputs) {
  if (!input.includes('node_modules')) continue; // our own sources and namespaced virtual modules
  const dir = packageDir(resolve(import.meta.dirname, '..', input));
  if (dir) dirs.add(dir);
}

const sections = [...dirs]
  .map((dir) => {
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      name?: string;
      version?: string;
      license?: string;
    };
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = file ? readFileSync(join(dir, file), 'utf8').trim() : '(no licence file in the package)';
    return { id: `${pkg.name}@${pkg.version}`, license: pkg.license ?? 'UNKNOWN', text };
  })
  .filter((s) => !s.id.startsWith('@milvus-otel/'))
  .sort((a, b) => a.id.localeCompare(b.id));

const unique = [...new Map(sections.map((s) => [s.id, s])).values()];
// Packages with the very same licence text share one copy of it.
const byText = new Map<string, string[]>();
for (const s of unique) byText.set(s.text, [...(byText.get(s.text) ?? []), `${s.id} (${s.license})`]);
writeFileSync(
  join(dist, 'THIRD-PARTY-LICENSES.txt'),
  `dist/register.js bundles the following packages.\n\n${[...byText]
    .map(([text, ids]) => `${'='.repeat(78)}\n${ids.join('\n')}\n${'='.repeat(78)}\n${text}\n`)
    .join('\n')}`,
);
rmSync(metafile);
console.log(`THIRD-PARTY-LICENSES.txt: ${unique.map((s) => `${s.id} (${s.license})`).join(', ')}`);
