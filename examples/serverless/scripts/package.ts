/**
 * dist/function.zip, ready for Lambda (runtime nodejs22.x or later, handler `handler.handler`): the bundle and,
 * under node_modules/, the packages the bundle requires at run time (scripts/externals.ts) with all their own
 * dependencies, copied from this install. Run `pnpm build` first (`pnpm package` does).
 *
 * Usage: node scripts/package.ts [out.zip]   (--dir-only: stop at dist/function/, the unzipped contents)
 */
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { RUNTIME_EXTERNALS } from './externals.ts';
import { DIST, ROOT } from './rie.ts';

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;

/** Where `name` resolves from `fromDir`, as Node looks it up: node_modules/<name> in each folder upwards. */
function findPackage(fromDir: string, name: string): string | undefined {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * Copies each package into `root/node_modules` (flat, as npm would hoist it); a second version of a name goes under
 * the node_modules of the package that needs it. Returns how many packages were copied.
 */
export function copyRuntimeDependencies(names: readonly string[], root: string): number {
  const placed = new Map<string, string>(); // name → version at the top level
  const done = new Set<string>(); // real source folders already copied (name@version@dest)
  let count = 0;
  const queue: { name: string; from: string; parentDest: string; optional: boolean }[] = names.map(
    (name) => ({
      name,
      from: ROOT,
      parentDest: root,
      optional: false,
    }),
  );
  while (queue.length > 0) {
    const item = queue.shift() as (typeof queue)[number];
    const source = findPackage(item.from, item.name);
    if (!source) {
      if (item.optional) continue;
      throw new Error(`${item.name} (needed at run time) is not installed: run pnpm install`);
    }
    const { version, dependencies = {}, optionalDependencies = {}, peerDependencies = {} } = manifest(source);
    let dest: string;
    const top = placed.get(item.name);
    if (top === undefined || top === version) {
      placed.set(item.name, version);
      dest = join(root, 'node_modules', item.name);
    } else {
      dest = join(item.parentDest, 'node_modules', item.name);
    }
    const key = `${source}→${dest}`;
    if (done.has(key) || (top === version && existsSync(dest))) continue;
    done.add(key);
    cpSync(source, dest, { recursive: true, dereference: true });
    count++;
    for (const name of Object.keys(dependencies))
      queue.push({ name, from: source, parentDest: dest, optional: false });
    for (const name of [...Object.keys(optionalDependencies), ...Object.keys(peerDependencies)])
      queue.push({ name, from: source, parentDest: dest, optional: true });
  }
  return count;
}

export function packageFunction(outZip = join(DIST, 'function.zip'), { zip: makeZip = true } = {}): string {
  const bundle = join(DIST, 'handler.mjs');
  if (!existsSync(bundle)) throw new Error('dist/handler.mjs is missing: run `pnpm build` first');
  const stage = join(DIST, 'function');
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  copyFileSync(bundle, join(stage, 'handler.mjs'));
  if (existsSync(`${bundle}.map`)) copyFileSync(`${bundle}.map`, join(stage, 'handler.mjs.map'));
  const count = copyRuntimeDependencies(RUNTIME_EXTERNALS, stage);
  if (!makeZip) {
    console.log(`staged ${stage}: handler.mjs + ${count} package(s) under node_modules/`);
    return stage;
  }

  const zip = resolve(outZip);
  rmSync(zip, { force: true });
  try {
    // -X: no extra file attributes, -y: keep symlinks as links (there should be none after the copy).
    execFileSync('zip', ['-q', '-r', '-X', '-y', zip, '.'], { cwd: stage, stdio: 'inherit' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('the zip command is needed to package the function (Debian: apt-get install zip)');
    }
    throw error;
  }
  const mib = (statSync(zip).size / 1024 / 1024).toFixed(1);
  console.log(`packaged ${zip} (${mib} MiB): handler.mjs + ${count} package(s) under node_modules/`);
  return zip;
}

if (import.meta.main) {
  const dirOnly = process.argv.includes('--dir-only');
  const out = process.argv.slice(2).find((a) => !a.startsWith('--'));
  packageFunction(out, { zip: !dirOnly });
}
