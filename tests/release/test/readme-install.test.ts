/**
 * A new user's install, as packages/node/README.md gives it (`npm install @milvus-otel/node @opentelemetry/api`), in
 * an empty project, with the published tarballs of our packages in place of their names: npm resolves it without a
 * peer conflict, `npm ls` finds nothing invalid, extraneous or missing, and the app gets one copy of
 * @opentelemetry/api, @opentelemetry/core and @opentelemetry/instrumentation (a second copy of core would keep its
 * own suppress-tracing and RPC-metadata context keys, so an exporter's requests could be traced and an HTTP server
 * span would miss the framework's route; a second instrumentation copy installs a second require hook). The Jaeger
 * remote sampler, an optional peer, is not installed; asking for it then stops start-up with one line naming the fix.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { consumerEnv, release } from '../src/consumer.ts';
import { PACKAGE_NAMES, type PackageName, repoRoot } from '../src/paths.ts';
import { describeRun, type RunResult, run } from '../src/run.ts';
import { openTarball } from '../src/tarball.ts';

/** Packages the app must have exactly once: one API instance, one SDK core, one instrumentation base. */
const SINGLE_COPY = ['@opentelemetry/api', '@opentelemetry/core', '@opentelemetry/instrumentation'] as const;

const SAMPLER = '@opentelemetry/sampler-jaeger-remote';

/** The arguments of the README's `npm install …` line (the one that installs @milvus-otel/node). */
function readmeInstallArgs(): string[] {
  const readme = readFileSync(join(repoRoot, 'packages/node/README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```(?:sh|bash|shell)\n([\s\S]*?)```/g)].map((m) => m[1] as string);
  const line = blocks
    .flatMap((block) => block.split('\n'))
    .find((l) => /^npm install\s.*@milvus-otel\/node(\s|$)/.test(l.trim()));
  if (!line) throw new Error('packages/node/README.md has no `npm install @milvus-otel/node …` line');
  return line.trim().split(/\s+/).slice(2);
}

/** A package of ours and the packages of ours it depends on, directly or not (from the published manifests). */
function withOurDependencies(name: PackageName): PackageName[] {
  const found = new Set<PackageName>();
  const queue: PackageName[] = [name];
  while (queue.length) {
    const next = queue.pop() as PackageName;
    if (found.has(next)) continue;
    found.add(next);
    const { dependencies = {} } = openTarball(release().tarballs[next]).manifest;
    for (const dep of Object.keys(dependencies))
      if ((PACKAGE_NAMES as string[]).includes(dep)) queue.push(dep as PackageName);
  }
  return [...found];
}

interface LsNode {
  version?: string;
  path?: string;
  invalid?: string | boolean;
  missing?: boolean;
  extraneous?: boolean;
  problems?: string[];
  dependencies?: Record<string, LsNode>;
}

let dir: string;
let install: RunResult & { describe: string };
let ls: RunResult & { describe: string };
let tree: LsNode;

const inApp = async (command: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000) => {
  const result = await run(command, args, { cwd: dir, env: consumerEnv(env), timeoutMs });
  return { ...result, describe: describeRun(command, args, dir, result) };
};

beforeAll(async () => {
  dir = join(dirname(release().consumerDir), 'readme-install');
  await mkdir(dir);
  await writeFile(
    join(dir, 'package.json'),
    '{ "name": "readme-app", "version": "0.0.0", "private": true }\n',
  );
  const args = readmeInstallArgs().flatMap((arg) =>
    (PACKAGE_NAMES as string[]).includes(arg)
      ? withOurDependencies(arg as PackageName).map((name) => release().tarballs[name])
      : [arg],
  );
  install = await inApp('npm', ['install', ...args], {}, 240_000);
  ls = await inApp('npm', ['ls', '--all', '--json', '--long']);
  tree = JSON.parse(ls.stdout || '{}') as LsNode;
}, 300_000);

/** Every entry of the `npm ls` tree (deduped ones too), with the chain of names that leads to it. */
function entries(): { name: string; via: string; node: LsNode }[] {
  const out: { name: string; via: string; node: LsNode }[] = [];
  const walk = (node: LsNode, via: string[]) => {
    for (const [name, child] of Object.entries(node.dependencies ?? {})) {
      out.push({ name, via: [...via, name].join(' > '), node: child });
      walk(child, [...via, name]);
    }
  };
  walk(tree, []);
  return out;
}

describe('npm install as packages/node/README.md says', () => {
  it('installs the README command without a peer dependency conflict', () => {
    expect(readmeInstallArgs()).toContain('@milvus-otel/node');
    expect(readmeInstallArgs()).toContain('@opentelemetry/api');
    expect(install.code, install.describe).toBe(0);
    const output = install.stdout + install.stderr;
    expect(output, install.describe).not.toMatch(
      /ERESOLVE|Conflicting peer dependency|Could not resolve dependency/,
    );
    expect(existsSync(join(dir, 'node_modules/@milvus-otel/node/package.json'))).toBe(true);
  });

  it('leaves a tree `npm ls --all` accepts: nothing invalid, extraneous or missing', () => {
    expect(ls.code, ls.describe).toBe(0);
    expect(tree.problems ?? [], ls.describe).toEqual([]);
    const bad = entries()
      .filter(({ node }) => node.invalid || node.missing || node.extraneous || node.problems?.length)
      .map(
        ({ via, node }) =>
          `${via}@${node.version}: ${JSON.stringify(node.problems ?? node.invalid ?? 'missing')}`,
      );
    expect(bad).toEqual([]);
  });

  it.each(SINGLE_COPY)(
    'has one copy of %s (one version at one path; every other entry deduped to it)',
    (name) => {
      const found = entries().filter((e) => e.name === name);
      expect(found.length, `${name} is installed`).toBeGreaterThan(0);
      const copies = [...new Set(found.map(({ node }) => `${node.path} @ ${node.version}`))];
      expect(copies, found.map((e) => `${e.via}@${e.node.version} (${e.node.path})`).join('\n')).toEqual([
        `${join(dir, 'node_modules', name)} @ ${found[0]?.node.version}`,
      ]);
      // The lockfile agrees: one folder for the package in the whole project.
      const lock = JSON.parse(readFileSync(join(dir, 'node_modules/.package-lock.json'), 'utf8')) as {
        packages: Record<string, unknown>;
      };
      expect(Object.keys(lock.packages).filter((p) => p.endsWith(`node_modules/${name}`))).toEqual([
        `node_modules/${name}`,
      ]);
    },
  );

  it('does not install the Jaeger remote sampler (an optional peer) nor SDK 2.x packages it would bring', () => {
    const lock = JSON.parse(readFileSync(join(dir, 'node_modules/.package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string }>;
    };
    expect(Object.keys(lock.packages).filter((p) => p.endsWith(`node_modules/${SAMPLER}`))).toEqual([]);
    const sdk2 = Object.entries(lock.packages)
      .filter(([p, e]) => p.includes('node_modules/@opentelemetry/') && /^2\./.test(e.version ?? ''))
      .map(([p, e]) => `${p}@${e.version}`);
    expect(sdk2.filter((p) => /\/(core|resources|sdk-trace(-base)?)@/.test(p))).toEqual([]);
    const peer = openTarball(release().tarballs['@milvus-otel/node']).manifest;
    expect(peer.peerDependencies?.[SAMPLER]).toBeDefined();
    expect(peer.peerDependenciesMeta?.[SAMPLER]?.optional).toBe(true);
    expect(peer.dependencies?.[SAMPLER]).toBeUndefined();
  });
});

describe.each(['jaeger_remote', 'parentbased_jaeger_remote'])(
  'OTEL_TRACES_SAMPLER=%s without the sampler installed',
  (sampler) => {
    const fix = `npm install ${SAMPLER}`;

    it('--import @milvus-otel/node/register: stops start-up with one line naming the setting and the fix', async () => {
      await writeFile(join(dir, 'app.mjs'), "console.log('app ran');\n");
      const ran = await inApp(process.execPath, ['--import', '@milvus-otel/node/register', 'app.mjs'], {
        OTEL_SERVICE_NAME: 'readme-app',
        OTEL_TRACES_SAMPLER: sampler,
        OTEL_TRACES_EXPORTER: 'none',
      });
      expect(ran.code, ran.describe).toBe(1);
      expect(ran.stdout, ran.describe).toBe('');
      const lines = ran.stderr.trimEnd().split('\n');
      expect(lines, ran.describe).toHaveLength(2);
      expect(lines[0]).toBe('@milvus-otel/node: tracing not started.');
      expect(lines[1]).toContain(`OTEL_TRACES_SAMPLER=${sampler}`);
      expect(lines[1]).toContain(fix);
    });

    it('register(): throws that line and has started nothing (no provider, no polling)', async () => {
      await writeFile(
        join(dir, 'register.mjs'),
        `import { trace } from '@opentelemetry/api';
import { register } from '@milvus-otel/node';
let message;
try {
  register({ handleSignals: false });
} catch (error) {
  message = error.message;
}
const span = trace.getTracer('check').startSpan('check');
console.log(JSON.stringify({ message, recording: span.isRecording() }));
span.end();
`,
      );
      const began = Date.now();
      const ran = await inApp(process.execPath, ['register.mjs'], {
        OTEL_SERVICE_NAME: 'readme-app',
        OTEL_TRACES_SAMPLER: sampler,
        OTEL_TRACES_EXPORTER: 'none',
      });
      expect(ran.code, ran.describe).toBe(0);
      expect(ran.stderr, ran.describe).toBe('');
      const { message, recording } = JSON.parse(ran.stdout) as { message?: string; recording: boolean };
      expect(message).toContain(`OTEL_TRACES_SAMPLER=${sampler}`);
      expect(message).toContain(fix);
      expect(message).not.toContain('\n');
      expect(recording, 'no tracer provider was registered').toBe(false);
      expect(Date.now() - began, 'exits at once (no timer left running)').toBeLessThan(15_000);
    });
  },
);
