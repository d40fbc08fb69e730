import { describe, expect, it } from 'vitest';
import { mayLoadWanted, packageOfName, packageOfPath } from '../src/require-filter.ts';
import { execNode, fixture } from './helpers.ts';

const wanted = new Set(['http', 'express', '@zilliz/milvus2-sdk-node']);
const pnpm = '/app/node_modules/.pnpm';
const expressFile = `${pnpm}/express@5.3.0/node_modules/express/lib/application.js`;
const milvusFile = `${pnpm}/@zilliz+milvus2-sdk-node@3.0.6/node_modules/@zilliz/milvus2-sdk-node/dist/index.js`;
const otherFile = `${pnpm}/body-parser@2.2.0/node_modules/body-parser/index.js`;

describe('package names', () => {
  it('from paths (the last node_modules wins, scopes kept) and from module names', () => {
    expect(packageOfPath(expressFile)).toBe('express');
    expect(packageOfPath(milvusFile)).toBe('@zilliz/milvus2-sdk-node');
    expect(packageOfPath('/app/src/server.js')).toBeUndefined();
    expect(packageOfName('express')).toBe('express');
    expect(packageOfName('express/lib/router/index.js')).toBe('express');
    expect(packageOfName('@zilliz/milvus2-sdk-node/dist/milvus')).toBe('@zilliz/milvus2-sdk-node');
  });
});

describe('mayLoadWanted', () => {
  it.each([
    ['http', '/app/src/a.js', true],
    ['node:http', '/app/src/a.js', true],
    ['fs', '/app/src/a.js', false],
    ['node:fs', expressFile, false],
    ['express', '/app/src/a.js', true],
    ['express/lib/router', '/app/src/a.js', true],
    ['@zilliz/milvus2-sdk-node', '/app/src/a.js', true],
    ['body-parser', expressFile, false],
    ['./router', expressFile, true], // a file of express
    ['./read', otherFile, false],
    ['../express/index.js', otherFile, true], // leaves body-parser for express
    ['./lib', '/app/src/a.js', false], // the app's own files
    [expressFile, '/app/src/a.js', true], // absolute
    ['/app/src/b.js', '/app/src/a.js', false],
    ['#internal', expressFile, true], // package imports resolve inside the requiring package
    ['#internal', otherFile, false],
    ['./x', undefined, true], // no parent file (REPL): don't guess
    ['', '/app/src/a.js', true], // let require() report it
    [42, '/app/src/a.js', true],
  ] as const)('require(%j) from %s → %s', (id, parent, expected) => {
    expect(mayLoadWanted(id, parent, wanted)).toBe(expected);
  });
});

describe('MILVUS_OTEL_REQUIRE_HOOK', () => {
  it('all: an instrumentation created after register() without being passed to it still patches its package', async () => {
    const { stdout } = await execNode(process.execPath, [fixture('late-instrumentation.cjs')], {
      env: { ...process.env, MILVUS_OTEL_REQUIRE_HOOK: 'all', OTEL_SERVICE_NAME: 'late_instrumentation' },
    });
    expect(JSON.parse(stdout)).toEqual({ patched: true, hook: 'all' });
  });

  it('narrow (the default): register() lets only requires of the packages its instrumentations patch through the hook', async () => {
    // The trade-off MILVUS_OTEL_REQUIRE_HOOK=all exists for: a package only a later instrumentation patches is not seen.
    const { stdout } = await execNode(process.execPath, [fixture('late-instrumentation.cjs')], {
      env: { ...process.env, OTEL_SERVICE_NAME: 'late_instrumentation' },
    });
    expect(JSON.parse(stdout)).toEqual({ patched: false, hook: 'narrow' });
  });
});
