/**
 * The Jaeger remote sampler is an optional peer: loaded only for OTEL_TRACES_SAMPLER=(parentbased_)jaeger_remote, and
 * when the app has not installed it, a ConfigError of one line naming the setting and the install command. Resolution
 * runs for real, from temporary folders with and without the package (a child process without pnpm's NODE_PATH).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, parseClientEnv } from '@milvus-otel/config';
import * as tracing from '@opentelemetry/sdk-trace';
import { afterAll, describe, expect, it } from 'vitest';
import { createSampler, JAEGER_REMOTE_SAMPLER_PACKAGE, loadJaegerRemoteSampler } from '../src/sampler.ts';

const dir = mkdtempSync(join(tmpdir(), 'milvus-otel-sampler-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** require() as a module in `folder` would have it: what Node finds from there. */
const requireFrom = (folder: string) => createRequire(join(folder, 'app.js'));

describe('loadJaegerRemoteSampler', () => {
  it('loads the installed package', () => {
    const { JaegerRemoteSampler } = loadJaegerRemoteSampler('jaeger_remote');
    expect(typeof JaegerRemoteSampler).toBe('function');
  });

  it.each(['jaeger_remote', 'parentbased_jaeger_remote'])(
    '%s without the package: one ConfigError line naming OTEL_TRACES_SAMPLER and the fix',
    (name) => {
      const empty = join(dir, 'empty');
      mkdirSync(empty, { recursive: true });
      // In a child without NODE_PATH (pnpm sets it to its store, where the package is): a folder that cannot reach it.
      const { NODE_PATH: _, ...env } = process.env;
      const script = `
      import { createRequire } from 'node:module';
      import { ConfigError } from '@milvus-otel/config';
      import { loadJaegerRemoteSampler } from ${JSON.stringify(join(import.meta.dirname, '../src/sampler.ts'))};
      try {
        loadJaegerRemoteSampler(${JSON.stringify(name)}, createRequire(${JSON.stringify(join(empty, 'app.js'))}));
        console.log('{}');
      } catch (error) {
        console.log(JSON.stringify({ configError: error instanceof ConfigError, message: error.message, issues: error.issues }));
      }`;
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: join(import.meta.dirname, '..'),
        env: { ...env, NODE_ENV: 'production' },
        encoding: 'utf8',
      });
      expect(child.status, child.stderr).toBe(0);
      const thrown = JSON.parse(child.stdout) as {
        configError?: boolean;
        message?: string;
        issues?: unknown[];
      };
      expect(thrown.configError, child.stdout).toBe(true);
      expect(thrown.message).toBe(
        `OTEL_TRACES_SAMPLER=${name} needs ${JAEGER_REMOTE_SAMPLER_PACKAGE}, which is not installed. ` +
          `Fix: npm install ${JAEGER_REMOTE_SAMPLER_PACKAGE} (or choose another OTEL_TRACES_SAMPLER).`,
      );
      expect(thrown.issues).toEqual([
        expect.objectContaining({
          key: 'OTEL_TRACES_SAMPLER',
          value: name,
          fix: `npm install ${JAEGER_REMOTE_SAMPLER_PACKAGE}`,
        }),
      ]);
    },
  );

  it('a broken install (the package there, one of its own dependencies missing) keeps its own error', () => {
    const app = join(dir, 'broken');
    const pkg = join(app, 'node_modules', JAEGER_REMOTE_SAMPLER_PACKAGE);
    mkdirSync(pkg, { recursive: true });
    writeFileSync(
      join(pkg, 'package.json'),
      '{ "name": "@opentelemetry/sampler-jaeger-remote", "main": "index.js" }',
    );
    writeFileSync(join(pkg, 'index.js'), "require('not-installed-dependency-of-the-sampler');\n");
    expect(() => loadJaegerRemoteSampler('jaeger_remote', requireFrom(app))).toThrow(
      /Cannot find module 'not-installed-dependency-of-the-sampler'/,
    );
    expect(() => loadJaegerRemoteSampler('jaeger_remote', requireFrom(app))).not.toThrow(ConfigError);
  });
});

describe('createSampler', () => {
  const settings = (env: Record<string, string>) =>
    parseClientEnv({ OTEL_SERVICE_NAME: 'sampler-test', ...env }).data;

  it.each([
    ['parentbased_always_on', tracing.ParentBasedSampler],
    ['always_off', tracing.AlwaysOffSampler],
    ['traceidratio', tracing.TraceIdRatioBasedSampler],
  ] as const)('%s needs no optional package', (name, kind) => {
    expect(createSampler(settings({ OTEL_TRACES_SAMPLER: name }))).toBeInstanceOf(kind);
  });

  it('parentbased_jaeger_remote with the package installed: a parent-based sampler around the remote one', () => {
    const sampler = createSampler(
      settings({
        OTEL_TRACES_SAMPLER: 'parentbased_jaeger_remote',
        // A port nothing listens on: the first poll fails quietly, the initial sampler stays.
        OTEL_TRACES_SAMPLER_ARG: 'endpoint=http://127.0.0.1:9,pollingIntervalMs=60000,initialSamplingRate=1',
      }),
    );
    expect(sampler).toBeInstanceOf(tracing.ParentBasedSampler);
    expect(sampler.toString()).toContain('JaegerRemoteSampler');
  });
});
