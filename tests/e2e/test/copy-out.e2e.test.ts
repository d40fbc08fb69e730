/**
 * Each example, copied out of the monorepo into an empty folder and installed with npm from the packed tarballs of
 * the packages (`pnpm pack`), runs and emits the same linked traces.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { verifyTraces } from '@milvus-otel/deploy';
import { clientEnv, loadSettings } from '@milvus-otel/stack';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exampleTargets, type RunningExamples, runExamples } from '../src/examples.ts';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const PACKAGES = ['config', 'instrumentation-milvus', 'node'];
const EXAMPLES = { express: 'express-service', worker: 'worker', serverless: 'serverless' } as const;
// Copied as a user would: sources and docs, not installed or built output.
const SKIP = new Set(['node_modules', 'dist', '.env', '.turbo', 'test']);

/** Runs a command in `cwd` with this Node.js first on PATH (npm then builds native addons for it). */
function run(cwd: string, file: string, args: string[]): string {
  const bin = dirname(process.execPath);
  return execFileSync(file, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PATH: `${bin}:${process.env.PATH}`,
      npm_config_cache: join(loadSettings().cacheDir, 'npm'),
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      npm_config_update_notifier: 'false',
    },
    maxBuffer: 64 * 1024 * 1024,
  });
}

/** `workspace:` dependencies point at the packed tarballs (overrides too: the packages depend on each other). */
function useTarballs(pkgFile: string, tarballs: Record<string, string>): void {
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as Record<string, Record<string, string> | undefined>;
  for (const field of ['dependencies', 'devDependencies'] as const) {
    const deps = pkg[field];
    if (!deps) continue;
    for (const [name, spec] of Object.entries(deps)) {
      if (!spec.startsWith('workspace:')) continue;
      if (tarballs[name]) deps[name] = `file:${tarballs[name]}`;
      else delete deps[name]; // the repository's own test tooling
    }
  }
  pkg.overrides = Object.fromEntries(Object.entries(tarballs).map(([name, file]) => [name, `file:${file}`]));
  writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
}

describe('examples copied out of the repository', () => {
  let root: string;
  let examples: RunningExamples | undefined;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'milvus-otel-copy-out-'));
    const packs = join(root, 'tarballs');
    mkdirSync(packs);
    const tarballs: Record<string, string> = {};
    for (const dir of PACKAGES) {
      const pkgDir = join(REPO, 'packages', dir);
      const { name } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { name: string };
      const before = new Set(readdirSync(packs));
      run(pkgDir, 'pnpm', ['pack', '--pack-destination', packs]);
      const file = readdirSync(packs).find((f) => !before.has(f));
      if (!file) throw new Error(`pnpm pack wrote no tarball for ${name}`);
      tarballs[name] = join(packs, file);
    }
    for (const example of Object.values(EXAMPLES)) {
      const dest = join(root, example);
      cpSync(join(REPO, 'examples', example), dest, {
        recursive: true,
        filter: (src) => !SKIP.has(src.split('/').pop() ?? ''),
      });
      useTarballs(join(dest, 'package.json'), tarballs);
      run(dest, 'npm', ['install', '--no-package-lock']);
    }
  }, 900_000);

  afterAll(async () => {
    await examples?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  }, 60_000);

  it('install from the tarballs, run, and emit complete linked traces', { timeout: 600_000 }, async () => {
    examples = await runExamples({
      dirs: Object.fromEntries(Object.entries(EXAMPLES).map(([name, dir]) => [name, join(root, dir)])),
      command: ['npm', 'run', '--silent', 'start'],
      // As a user runs them: pnpm's NODE_PATH (the workspace's hoisted packages) would find what npm did not install.
      env: { NODE_PATH: '' },
    });
    const report = await verifyTraces({
      targets: await exampleTargets(examples),
      count: 5,
      jaegerUrl: clientEnv(loadSettings()).JAEGER_QUERY_URL,
      timeoutMs: 60_000,
    });
    const failures = report.targets.flatMap((r) =>
      [r.error, ...r.failures.map((f) => `${f.traceId ?? '-'} ${f.check}: ${f.message}`)]
        .filter(Boolean)
        .map((line) => `${r.name}: ${line}`),
    );
    expect(failures).toEqual([]);
    expect(report.targets.map((r) => [r.name, r.complete])).toEqual([
      ['express', 5],
      ['worker', 5],
      ['serverless', 5],
    ]);
  });
});
