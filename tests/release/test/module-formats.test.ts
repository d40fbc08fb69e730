/**
 * The installed packages load as declared: `import` (ESM build) and `require` (CommonJS build) of every dual entry
 * give the same exports, with no output and without the Milvus SDK installed; `./register` is ESM only.
 */
import { describe, expect, it } from 'vitest';
import { nodeInConsumer, release } from '../src/consumer.ts';
import { PACKAGE_NAMES, type PackageName } from '../src/paths.ts';

/** A few exports each package must have (the README's API). */
const EXPECTED: Record<PackageName, string[]> = {
  '@milvus-otel/config': ['parseClientEnv', 'ConfigError', 'CLIENT_ENV', 'createEnv'],
  '@milvus-otel/instrumentation-milvus': ['MilvusInstrumentation', 'ATTR_DB_MILVUS_LIMIT'],
  '@milvus-otel/node': [
    'register',
    'shutdown',
    'forceFlush',
    'withLambdaTracing',
    'withTracing',
    'ConfigError',
  ],
  '@milvus-otel/jaeger-query': ['fetchTrace', 'waitForTrace', 'buildTrace', 'isDescendant', 'JaegerError'],
  '@milvus-otel/deploy': ['render', 'TARGET_NAMES', 'renderWaterfall', 'verifyTraces', 'doctor'],
};

const names = (keys: string[]) =>
  keys.filter((k) => k !== 'default' && k !== '__esModule' && k !== 'module.exports');

async function exportsOf(name: string, format: 'esm' | 'cjs'): Promise<string[]> {
  const script =
    format === 'esm'
      ? `const m = await import(${JSON.stringify(name)}); process.stdout.write(JSON.stringify(Object.keys(m)));`
      : `const m = require(${JSON.stringify(name)}); process.stdout.write(JSON.stringify(Object.keys(m)));`;
  const args =
    format === 'esm' ? ['--input-type=module', '-e', script] : ['--input-type=commonjs', '-e', script];
  const ran = await nodeInConsumer(args);
  expect(ran.code, ran.describe).toBe(0);
  expect(ran.stderr, ran.describe).toBe('');
  return names(JSON.parse(ran.stdout) as string[]).sort();
}

describe.each(PACKAGE_NAMES)('%s', (name) => {
  it('imports (ESM) and requires (CommonJS) to the same exports', async () => {
    const [esm, cjs] = await Promise.all([exportsOf(name, 'esm'), exportsOf(name, 'cjs')]);
    expect(esm).toEqual(cjs);
    for (const expected of EXPECTED[name]) expect(esm).toContain(expected);
  });

  it('resolves the ESM build for import and the CommonJS build for require', async () => {
    const cjs = await nodeInConsumer([
      '--input-type=commonjs',
      '-e',
      `process.stdout.write(require.resolve(${JSON.stringify(name)}))`,
    ]);
    const esm = await nodeInConsumer([
      '--input-type=module',
      '-e',
      `process.stdout.write(import.meta.resolve(${JSON.stringify(name)}))`,
    ]);
    expect(cjs.stdout, cjs.describe).toMatch(/\/dist\/index\.cjs$/);
    expect(esm.stdout, esm.describe).toMatch(/\/dist\/index\.js$/);
  });

  it('exposes its package.json with the published version', async () => {
    const ran = await nodeInConsumer(['-e', `process.stdout.write(require('${name}/package.json').version)`]);
    expect(ran.stdout, ran.describe).toBe(release().versions[name]);
  });
});

describe('subpath entries', () => {
  it.each([
    [
      '@milvus-otel/config/server',
      ['parseMilvusTrace', 'parseJaegerSettings', 'jsonSchemas', 'checkEndToEnd'],
    ],
    ['@milvus-otel/config/address', ['parseHostPort']],
  ])('%s: imports (ESM) and requires (CommonJS) to the same exports', async (name, expected) => {
    const [esm, cjs] = await Promise.all([exportsOf(name, 'esm'), exportsOf(name, 'cjs')]);
    expect(esm).toEqual(cjs);
    for (const e of expected) expect(esm).toContain(e);
  });

  it('@milvus-otel/config/schemas/*.json: the JSON Schemas, for import and require', async () => {
    const file = '@milvus-otel/config/schemas/client-env.schema.json';
    const esm = await nodeInConsumer([
      '--input-type=module',
      '-e',
      `const { default: s } = await import('${file}', { with: { type: 'json' } }); process.stdout.write(typeof s.$schema);`,
    ]);
    const cjs = await nodeInConsumer(['-e', `process.stdout.write(typeof require('${file}').$schema)`]);
    expect(esm.stdout, esm.describe).toBe('string');
    expect(cjs.stdout, cjs.describe).toBe('string');
  });

  it('@milvus-otel/node/register is ESM only: require() says to use import()', async () => {
    const ran = await nodeInConsumer(['-e', "require('@milvus-otel/node/register')"], {
      OTEL_SDK_DISABLED: 'true',
    });
    expect(ran.code, ran.describe).not.toBe(0);
    expect(ran.stderr).toContain('ERR_REQUIRE_ASYNC_MODULE');
  });
});
