import { describe, expect, it } from 'vitest';
import {
  detectEntryFormat,
  type EntryIo,
  entryPoint,
  hookReport,
  needsEsmHook,
} from '../src/entry-format.ts';

/** A fake file system: resolvable files, package.json "type" by directory prefix, files that compile as CJS. */
function io(files: Record<string, { type?: string; cjsSyntax?: boolean }>): EntryIo {
  return {
    resolve: (entry) => [entry, `${entry}.js`, `${entry}/index.js`].find((f) => Object.hasOwn(files, f)),
    packageType: (file) => files[file]?.type,
    compilesAsCommonJs: (file) => files[file]?.cjsSyntax ?? true,
  };
}

describe('detectEntryFormat', () => {
  it.each([
    ['/app/main.cjs', {}, 'commonjs'],
    ['/app/main.cts', { type: 'module' }, 'commonjs'],
    ['/app/main.mjs', { type: 'commonjs' }, 'module'],
    ['/app/main.mts', {}, 'module'],
    ['/app/main.js', { type: 'module' }, 'module'],
    ['/app/main.js', { type: 'commonjs', cjsSyntax: false }, 'commonjs'], // Node runs it as CJS (and it fails)
    ['/app/main.js', { cjsSyntax: true }, 'commonjs'], // no "type", CommonJS syntax
    ['/app/main.js', { cjsSyntax: false }, 'module'], // no "type", import/export: Node detects an ES module
    ['/app/main', { cjsSyntax: true }, 'commonjs'], // extension-less file
    ['/app/main.ts', { type: 'module' }, 'module'],
    ['/app/main.ts', { type: 'commonjs' }, 'commonjs'],
    ['/app/main.ts', {}, 'unknown'], // TypeScript without "type": not guessed
    ['/app/main.json', {}, 'unknown'],
  ] as const)('%s %j → %s', (entry, file, expected) => {
    expect(detectEntryFormat(entry, io({ [entry]: file }))).toBe(expected);
  });

  it('resolves the entry as Node does (extension, index file)', () => {
    expect(detectEntryFormat('/app/server', io({ '/app/server.js': { type: 'module' } }))).toBe('module');
    expect(detectEntryFormat('/app/dir', io({ '/app/dir/index.js': { cjsSyntax: true } }))).toBe('commonjs');
  });

  it('is unknown without an entry file, or when it cannot be found', () => {
    expect(detectEntryFormat(undefined, io({}))).toBe('unknown');
    expect(detectEntryFormat('/nowhere.cjs', io({}))).toBe('unknown');
  });

  it('reads this machine’s files: a .cjs, an ESM-syntax .js and a CJS-syntax .js without "type"', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'entry-format-'));
    writeFileSync(join(dir, 'package.json'), '{"name":"x"}');
    writeFileSync(join(dir, 'a.cjs'), 'module.exports = 1;');
    writeFileSync(join(dir, 'esm.js'), '#!/usr/bin/env node\nimport fs from "node:fs";\nexport default fs;');
    writeFileSync(join(dir, 'cjs.js'), '#!/usr/bin/env node\nconst fs = require("node:fs");\nreturn;');
    expect(detectEntryFormat(join(dir, 'a.cjs'))).toBe('commonjs');
    expect(detectEntryFormat(join(dir, 'esm.js'))).toBe('module');
    expect(detectEntryFormat(join(dir, 'cjs'))).toBe('commonjs');
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    expect(detectEntryFormat(join(dir, 'cjs.js'))).toBe('module');
  });
});

describe('entryPoint', () => {
  it('is argv[1], except for -e/-p/--eval=/the REPL/stdin', () => {
    expect(entryPoint(['node', '/app/main.cjs'], [])).toBe('/app/main.cjs');
    expect(entryPoint(['node', '/app/main.cjs'], ['--import', 'x'])).toBe('/app/main.cjs');
    expect(entryPoint(['node', 'arg'], ['-e', 'code'])).toBeUndefined();
    expect(entryPoint(['node'], ['--print=1'])).toBeUndefined();
    expect(entryPoint(['node'], [])).toBeUndefined();
    expect(entryPoint(['node', '-'], [])).toBeUndefined();
  });
});

describe('needsEsmHook', () => {
  it('auto: only a surely-CommonJS entry goes without the hook; on/off override', () => {
    expect(needsEsmHook('auto', 'commonjs')).toBe(false);
    expect(needsEsmHook('auto', 'module')).toBe(true);
    expect(needsEsmHook('auto', 'unknown')).toBe(true);
    expect(needsEsmHook('on', 'commonjs')).toBe(true);
    expect(needsEsmHook('off', 'module')).toBe(false);
  });
});

describe('TypeScript entry points (Node type stripping) on this machine’s files', () => {
  it('.ts follows the package.json "type" as .js does; .cts is CommonJS, .mts an ES module', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'entry-format-ts-'));
    writeFileSync(join(dir, 'app.ts'), 'const n: number = 1;\nexport default n;');
    writeFileSync(join(dir, 'app.cts'), 'const n: number = 1;\nmodule.exports = n;');
    writeFileSync(join(dir, 'app.mts'), 'export const n: number = 1;');
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    expect(detectEntryFormat(join(dir, 'app.ts'))).toBe('module');
    expect(detectEntryFormat(join(dir, 'app.cts'))).toBe('commonjs');
    expect(detectEntryFormat(join(dir, 'app.mts'))).toBe('module');
    writeFileSync(join(dir, 'package.json'), '{"type":"commonjs"}');
    expect(detectEntryFormat(join(dir, 'app.ts'))).toBe('commonjs');
    expect(detectEntryFormat(join(dir, 'app.mts'))).toBe('module');
    writeFileSync(join(dir, 'package.json'), '{"name":"no-type"}');
    expect(detectEntryFormat(join(dir, 'app.ts'))).toBe('unknown'); // the hook is installed, to be safe
  });
});

describe('hookReport', () => {
  it('says which hook the entry point got, and why', () => {
    expect(hookReport('/app/main.ts', 'module', 'auto', 'the in-thread ES module loader hook')).toBe(
      '@milvus-otel/node: entry /app/main.ts runs as an ES module (MILVUS_OTEL_ESM_HOOK=auto): installed the in-thread ES module loader hook.',
    );
    expect(hookReport('/app/main.cts', 'commonjs', 'auto', undefined)).toBe(
      '@milvus-otel/node: entry /app/main.cts runs as CommonJS (MILVUS_OTEL_ESM_HOOK=auto): no ES module loader hook (require() is patched without it).',
    );
    expect(hookReport(undefined, 'unknown', 'on', 'the ES module loader hook (loader thread)')).toContain(
      'no entry file (-e, -p, stdin or the REPL) may run as either (MILVUS_OTEL_ESM_HOOK=on): installed',
    );
  });
});
