/**
 * The release dry run, once for all test files:
 *  1. a temporary copy of the repository (src/workspace-copy.ts) gets `changeset version`, then a commit, as the
 *     release flow makes one;
 *  2. verdaccio starts on a free loopback port (src/registry.ts) and `changeset publish` publishes the packages
 *     to it (pnpm publish underneath, which turns `workspace:` ranges into versions);
 *  3. the published tarballs are downloaded back, and the packages installed with npm into an empty project, the
 *     @milvus-otel scope from the local registry, everything else from the public one (npm cache under
 *     ~/.cache/milvus-otel/npm).
 * Any step that fails fails the run with the command's output. The registry is stopped and the temporary folder
 * removed afterwards (kept with MILVUS_OTEL_RELEASE_KEEP=1, for a look).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { readChangesets } from './changesets.ts';
import {
  childEnv,
  npmCacheDir,
  PACKAGE_NAMES,
  type PackageName,
  PUBLISHED,
  pnpmBinDir,
  repoRoot,
} from './paths.ts';
import { installVerdaccio, type Registry, startRegistry } from './registry.ts';
import { runOk } from './run.ts';
import type { ReleaseState } from './state.ts';
import { git, linkWorkspaceDependencies, makeCopy } from './workspace-copy.ts';

const require = createRequire(import.meta.url);
const changesetBin = join(dirname(require.resolve('@changesets/cli/package.json')), 'bin.js');

/** @types/node for the type checks in the installed project: the workspace's version. */
const TYPES_NODE = '24.19.2';

const readJson = async <T>(path: string) => JSON.parse(await readFile(path, 'utf8')) as T;

function step<T>(name: string, work: () => Promise<T>): Promise<T> {
  const began = Date.now();
  return work().then(
    (value) => {
      console.log(`[release] ${name}: ${((Date.now() - began) / 1000).toFixed(1)} s`);
      return value;
    },
    (error: Error) => {
      error.message = `release dry run, ${name}: ${error.message}`;
      throw error;
    },
  );
}

async function versionsIn(root: string): Promise<Record<PackageName, string>> {
  const versions = {} as Record<PackageName, string>;
  for (const name of PACKAGE_NAMES) {
    versions[name] = (
      await readJson<{ version: string }>(join(root, PUBLISHED[name], 'package.json'))
    ).version;
  }
  return versions;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'milvus-otel-release-'));
  let registry: Registry | undefined;
  const teardown = async () => {
    await registry?.stop();
    if (process.env.MILVUS_OTEL_RELEASE_KEEP === '1') console.log(`[release] kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  };
  try {
    await mkdir(npmCacheDir, { recursive: true });
    const npmrc = join(dir, 'npmrc');
    await writeFile(npmrc, 'registry=https://registry.npmjs.org/\n');
    const env = childEnv(npmrc, pnpmBinDir());
    const copyDir = join(dir, 'repo');

    const changesets = await readChangesets(join(repoRoot, '.changeset'));
    const versionsBefore = await versionsIn(repoRoot);

    // The copy and `changeset version` run while verdaccio installs (first run only) and starts.
    const [versionLog, started] = await Promise.all([
      step('copy + changeset version', async () => {
        await makeCopy(copyDir, env);
        const { stdout, stderr } = await runOk(process.execPath, [changesetBin, 'version'], {
          cwd: copyDir,
          env,
        });
        await git(copyDir, ['add', '--all'], env);
        await git(copyDir, ['commit', '--quiet', '--no-verify', '-m', 'Version Packages'], env);
        return stdout + stderr;
      }),
      step('verdaccio', async () => {
        const bin = await installVerdaccio(join(npmCacheDir, '..'), env);
        return startRegistry(bin, join(dir, 'registry'), env);
      }),
    ]);
    registry = started;
    const host = registry.url.replace(/^http:/, '');
    await writeFile(
      npmrc,
      [
        'registry=https://registry.npmjs.org/',
        `@milvus-otel:registry=${registry.url}/`,
        `${host}/:_authToken=${registry.token}`,
        'fund=false',
        'audit=false',
        'update-notifier=false',
        '',
      ].join('\n'),
    );
    const publishEnv = {
      ...env,
      'npm_config_@milvus-otel:registry': `${registry.url}/`,
      npm_config_git_checks: 'false',
    };

    const versions = await versionsIn(copyDir);
    const publishLog = await step('changeset publish', async () => {
      await linkWorkspaceDependencies(copyDir);
      const { stdout, stderr } = await runOk(process.execPath, [changesetBin, 'publish'], {
        cwd: copyDir,
        env: publishEnv,
        timeoutMs: 240_000,
      });
      return stdout + stderr;
    });

    const tarballs = {} as Record<PackageName, string>;
    const npmPackFiles = {} as Record<PackageName, string[]>;
    await step('download tarballs + npm pack --dry-run', async () => {
      await mkdir(join(dir, 'tarballs'));
      await Promise.all(
        PACKAGE_NAMES.map(async (name) => {
          const response = await fetch(`${registry?.url}/${name.replace('/', '%2f')}`);
          if (!response.ok) throw new Error(`${name} is not on the registry: HTTP ${response.status}`);
          const packument = (await response.json()) as {
            versions: Record<string, { dist: { tarball: string } }>;
          };
          const published = packument.versions[versions[name]];
          if (!published) {
            throw new Error(
              `${name}@${versions[name]} is not on the registry (has ${Object.keys(packument.versions)})`,
            );
          }
          const tarball = await fetch(published.dist.tarball);
          if (!tarball.ok) throw new Error(`${published.dist.tarball}: HTTP ${tarball.status}`);
          const file = join(dir, 'tarballs', `${name.slice(1).replace('/', '-')}-${versions[name]}.tgz`);
          await writeFile(file, Buffer.from(await tarball.arrayBuffer()));
          tarballs[name] = file;
          const pack = await runOk('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
            cwd: join(copyDir, PUBLISHED[name]),
            env,
          });
          const [report] = JSON.parse(pack.stdout) as [{ files: { path: string }[] }];
          npmPackFiles[name] = report.files.map((f) => f.path).sort();
        }),
      );
    });

    const consumerDir = join(dir, 'consumer');
    await step('npm install from the registry', async () => {
      await mkdir(consumerDir);
      await writeFile(
        join(consumerDir, 'package.json'),
        `${JSON.stringify({ name: 'release-consumer', version: '0.0.0', private: true }, null, 2)}\n`,
      );
      const specs = PACKAGE_NAMES.map((name) => `${name}@${versions[name]}`);
      await runOk('npm', ['install', '--no-audit', '--no-fund', ...specs, `@types/node@${TYPES_NODE}`], {
        cwd: consumerDir,
        env,
        timeoutMs: 240_000,
      });
      if (!existsSync(join(consumerDir, 'node_modules/@milvus-otel/node/package.json'))) {
        throw new Error('npm install left no node_modules/@milvus-otel/node');
      }
    });

    const state: ReleaseState = {
      copyDir,
      consumerDir,
      registryUrl: registry.url,
      npmrc,
      versionsBefore,
      versions,
      changesets,
      tarballs,
      npmPackFiles,
      logs: { version: versionLog, publish: publishLog },
    };
    project.provide('release', state);
    return teardown;
  } catch (error) {
    await teardown();
    throw error;
  }
}
