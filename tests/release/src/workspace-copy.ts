/**
 * A temporary copy of the repository with just what versioning and publishing read: the root manifest, the workspace
 * file, .changeset/, every workspace package's package.json (changesets looks at all of them for dependents) and, for
 * the published packages, what they ship — README, CHANGELOG, and dist/ as the workspace built it. It is made a
 * git repository (changesets' default changelog asks git which commit added each changeset).
 */
import { cp, mkdir, readdir, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { PUBLISHED, repoRoot } from './paths.ts';
import { runOk } from './run.ts';

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );

/** The folders pnpm-workspace.yaml lists (`dir` or `dir/*` patterns, the only kinds the repository uses). */
export async function workspaceFolders(root: string): Promise<string[]> {
  const text = await readFile(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const block = text.split(/^packages:\s*$/m)[1]?.split(/^\S/m)[0] ?? '';
  const patterns = [...block.matchAll(/^\s+-\s+['"]?([^'"\s#]+)['"]?/gm)].map((m) => m[1] as string);
  const folders: string[] = [];
  for (const pattern of patterns) {
    if (pattern.endsWith('/*')) {
      const parent = pattern.slice(0, -2);
      for (const entry of await readdir(join(root, parent), { withFileTypes: true })) {
        if (entry.isDirectory() && (await exists(join(root, parent, entry.name, 'package.json')))) {
          folders.push(`${parent}/${entry.name}`);
        }
      }
    } else if (!pattern.includes('*') && (await exists(join(root, pattern, 'package.json')))) {
      folders.push(pattern);
    } else if (pattern.includes('*')) {
      throw new Error(`tests/release: unsupported workspace pattern ${pattern} in pnpm-workspace.yaml`);
    }
  }
  return folders;
}

const GIT_ENV = {
  GIT_AUTHOR_NAME: 'release dry run',
  GIT_AUTHOR_EMAIL: 'release@example.invalid',
  GIT_COMMITTER_NAME: 'release dry run',
  GIT_COMMITTER_EMAIL: 'release@example.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

export async function git(cwd: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return (await runOk('git', args, { cwd, env: { ...env, ...GIT_ENV } })).stdout;
}

export async function makeCopy(target: string, env: NodeJS.ProcessEnv): Promise<void> {
  await mkdir(target, { recursive: true });
  for (const file of ['package.json', 'pnpm-workspace.yaml', 'pnpm-lock.yaml']) {
    await cp(join(repoRoot, file), join(target, file));
  }
  await cp(join(repoRoot, '.changeset'), join(target, '.changeset'), { recursive: true });
  for (const folder of await workspaceFolders(repoRoot)) {
    await mkdir(join(target, folder), { recursive: true });
    await cp(join(repoRoot, folder, 'package.json'), join(target, folder, 'package.json'));
  }
  for (const folder of Object.values(PUBLISHED)) {
    const from = join(repoRoot, folder);
    const manifest = JSON.parse(await readFile(join(from, 'package.json'), 'utf8')) as { files?: string[] };
    if (!(await exists(join(from, 'dist')))) {
      throw new Error(`${folder}/dist is missing: build the workspace first (turbo run test does: ^build)`);
    }
    const shipped = new Set(['README.md', 'CHANGELOG.md', 'LICENSE', ...(manifest.files ?? [])]);
    for (const entry of shipped) {
      if (await exists(join(from, entry)))
        await cp(join(from, entry), join(target, folder, entry), { recursive: true });
    }
  }
  await writeFile(join(target, '.gitignore'), 'node_modules/\n');
  await git(target, ['init', '--quiet', '--initial-branch=main'], env);
  await git(target, ['add', '--all'], env);
  await git(
    target,
    ['commit', '--quiet', '--no-verify', '-m', 'release dry run: the workspace as it is'],
    env,
  );
}

/**
 * What `pnpm install` would leave for publishing: pnpm replaces a `workspace:` range with the version of the package
 * it finds in the publishing package's node_modules, so link each workspace dependency there.
 */
export async function linkWorkspaceDependencies(root: string): Promise<void> {
  const byName = new Map<string, string>();
  for (const folder of await workspaceFolders(root)) {
    const { name } = JSON.parse(await readFile(join(root, folder, 'package.json'), 'utf8')) as {
      name: string;
    };
    byName.set(name, join(root, folder));
  }
  for (const folder of Object.values(PUBLISHED)) {
    const manifest = JSON.parse(await readFile(join(root, folder, 'package.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    for (const field of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
      for (const [name, range] of Object.entries((manifest[field] ?? {}) as Record<string, string>)) {
        if (!range.startsWith('workspace:')) continue;
        const target = byName.get(name);
        if (!target) throw new Error(`${folder}: ${name} is ${range} but no workspace package has that name`);
        const link = join(root, folder, 'node_modules', name);
        if (await exists(link)) continue;
        await mkdir(dirname(link), { recursive: true });
        await symlink(relative(dirname(link), target), link, 'dir');
      }
    }
  }
}
