/**
 * The published artifacts: builds the package with its own tsup config into a scratch folder and loads the
 * CommonJS and the ES module build the way an application would, each patching a real SDK.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  type: string;
  exports: Record<string, unknown>;
  files: string[];
  sideEffects: boolean;
  license: string;
  engines: Record<string, string>;
  publishConfig: Record<string, string>;
  peerDependencies: Record<string, string>;
  dependencies: Record<string, string>;
};
// Inside the package so the build resolves its dependencies like dist/ does; ignored by git.
const outDir = join(root, 'node_modules', '.cache', `build-test-${process.pid}`);

beforeAll(async () => {
  await mkdir(outDir, { recursive: true });
  const tsup = createRequire(import.meta.url).resolve('tsup/dist/cli-default.js');
  await run(process.execPath, [tsup, '--out-dir', outDir], { cwd: root, timeout: 120_000 });
}, 180_000);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

/** Runs a snippet with Node.js from the package folder (so it resolves the SDK and OpenTelemetry as an app does). */
async function node(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, args, { cwd: root, timeout: 60_000 });
  return stdout.trim();
}

const PROBE = `
  const instrumentation = new MilvusInstrumentation({ captureFilter: true });
  const sdk = REQUIRE('milvus-sdk-2.5');
  const proto = sdk.MilvusClient.prototype;
  console.log(JSON.stringify({
    name: instrumentation.instrumentationName,
    version: instrumentation.instrumentationVersion,
    captureFilter: instrumentation.getConfig().captureFilter,
    requireParentSpan: instrumentation.getConfig().requireParentSpan,
    patched: isWrapped(proto.search) && isWrapped(proto.createIndex) && isWrapped(proto.connect),
    attribute: ATTR_DB_MILVUS_LIMIT,
  }));
  instrumentation.disable();
`;

const EXPECTED = {
  name: pkg.name,
  version: pkg.version,
  captureFilter: true,
  requireParentSpan: false,
  patched: true,
  attribute: 'db.milvus.limit',
};

describe('the built package', () => {
  it('has an exports map with types first, for import and require', () => {
    expect(pkg.type).toBe('module');
    expect(pkg.exports['.']).toEqual({
      import: { types: './dist/index.d.ts', default: './dist/index.js' },
      require: { types: './dist/index.d.cts', default: './dist/index.cjs' },
    });
    for (const condition of Object.values(pkg.exports['.'] as Record<string, Record<string, string>>)) {
      expect(Object.keys(condition)[0]).toBe('types');
      for (const target of Object.values(condition)) {
        expect(existsSync(join(outDir, target.replace('./dist/', ''))), target).toBe(true);
      }
    }
  });

  it('is published as a public, side-effect free, Apache-2.0 package of dist/ only', () => {
    expect(pkg.files).toEqual(['dist']);
    expect(pkg.sideEffects).toBe(false);
    expect(pkg.license).toBe('Apache-2.0');
    expect(pkg.publishConfig.access).toBe('public');
    expect(pkg.engines.node).toBe('>=22.15');
    expect(Object.keys(pkg.peerDependencies)).toEqual(['@opentelemetry/api']);
    expect(pkg.dependencies).not.toHaveProperty('@opentelemetry/api');
  });

  it('ships declarations for both builds', () => {
    for (const file of ['index.d.ts', 'index.d.cts']) {
      const text = readFileSync(join(outDir, file), 'utf8');
      expect(text).toContain('declare class MilvusInstrumentation');
      expect(text).toContain('interface MilvusInstrumentationConfig');
      expect(text).toContain('captureFilter?: boolean');
    }
  });

  it('exports the instrumentation and its own db.milvus.* attribute names, nothing copied from upstream', async () => {
    const names = (await import(join(outDir, 'index.js'))) as Record<string, unknown>;
    const attributes = Object.keys(names).filter((name) => name !== 'MilvusInstrumentation');
    expect(names.MilvusInstrumentation).toBeTypeOf('function');
    expect(attributes.length).toBeGreaterThan(0);
    for (const name of attributes) {
      expect(name).toMatch(/^ATTR_DB_MILVUS_[A-Z_]+$/);
      expect(names[name]).toMatch(/^db\.milvus\.[a-z_.]+$/);
    }
  });

  it('bundles only the name and version of package.json', () => {
    const text = readFileSync(join(outDir, 'index.js'), 'utf8');
    expect(text).toContain(`version: "${pkg.version}"`);
    expect(text).not.toContain('devDependencies');
  });

  it('takes only the zod-free address module of @milvus-otel/config: no schema library is bundled or loaded', async () => {
    for (const file of ['index.js', 'index.cjs']) {
      const text = readFileSync(join(outDir, file), 'utf8');
      expect(text).toContain('@milvus-otel/config/address');
      expect(text).not.toContain('zod');
    }
    const script = `
      import { registerHooks } from 'node:module';
      const resolved = [];
      registerHooks({
        resolve(specifier, context, next) {
          const result = next(specifier, context);
          resolved.push(result.url);
          return result;
        },
      });
      await import(${JSON.stringify(join(outDir, 'index.js'))});
      console.log(JSON.stringify(resolved));
    `;
    const resolved = JSON.parse(await node(['--input-type=module', '-e', script])) as string[];
    expect(resolved.some((url) => url.endsWith('/dist/address.js'))).toBe(true);
    expect(resolved.filter((url) => /[\\/]zod[\\/]/.test(url))).toEqual([]);
  });

  it('works from CommonJS: require() of the .cjs build patches the SDK', async () => {
    const script = `
      const { MilvusInstrumentation, ATTR_DB_MILVUS_LIMIT } = require(${JSON.stringify(join(outDir, 'index.cjs'))});
      const { isWrapped } = require('@opentelemetry/instrumentation');
      ${PROBE.replace('REQUIRE', 'require')}
    `;
    expect(JSON.parse(await node(['-e', script]))).toEqual(EXPECTED);
  });

  it('works from an ES module: import of the .js build patches the SDK', async () => {
    const script = `
      import { createRequire } from 'node:module';
      import { isWrapped } from '@opentelemetry/instrumentation';
      import { MilvusInstrumentation, ATTR_DB_MILVUS_LIMIT } from ${JSON.stringify(join(outDir, 'index.js'))};
      const require = createRequire(${JSON.stringify(join(root, 'package.json'))});
      ${PROBE.replace('REQUIRE', 'require')}
    `;
    expect(JSON.parse(await node(['--input-type=module', '-e', script]))).toEqual(EXPECTED);
  });
});
