import { readFileSync } from 'node:fs';
import { createRequire, findPackageJSON } from 'node:module';
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { compileFunction } from 'node:vm';
import type { EsmHookMode } from '@milvus-otel/config/internal';

/**
 * How Node will run the app's entry point: `commonjs`, `module`, or `unknown` (no entry file — `-e`, `-p`, stdin,
 * the REPL — or one we cannot read). Follows Node's rules: `.cjs`/`.cts` and `.mjs`/`.mts` by extension; `.js`,
 * `.ts` and extension-less files by the nearest package.json's `"type"`; without a `"type"`, Node's syntax detection
 * (a file that does not compile as CommonJS runs as an ES module), which we mirror by compiling it as CommonJS.
 */
export type EntryFormat = 'commonjs' | 'module' | 'unknown';

/** What the detection reads; replaceable in tests. */
export interface EntryIo {
  /** The file Node would run for `entry` (extensions and index files tried), or undefined. */
  resolve(entry: string): string | undefined;
  /** The `"type"` of the nearest package.json above `file` (undefined when there is none or it has no type). */
  packageType(file: string): string | undefined;
  /** True when the file's source compiles as a CommonJS module body. */
  compilesAsCommonJs(file: string): boolean;
}

const EVAL_FLAGS = new Set(['-e', '--eval', '-p', '--print', '-i', '--interactive']);

/** The entry file of this process as Node sees it (`process.argv[1]`), or undefined for -e/-p/the REPL/stdin. */
export function entryPoint(
  argv: readonly string[] = process.argv,
  execArgv: readonly string[] = process.execArgv,
): string | undefined {
  if (execArgv.some((a) => EVAL_FLAGS.has(a) || /^--(eval|print)=/.test(a))) return undefined;
  const entry = argv[1];
  return entry === undefined || entry === '-' ? undefined : entry;
}

export function detectEntryFormat(entry: string | undefined, io: EntryIo = nodeIo): EntryFormat {
  if (entry === undefined) return 'unknown';
  const file = io.resolve(entry);
  if (file === undefined) return 'unknown';
  const ext = extname(file);
  if (ext === '.cjs' || ext === '.cts') return 'commonjs';
  if (ext === '.mjs' || ext === '.mts') return 'module';
  if (ext !== '.js' && ext !== '.ts' && ext !== '') return 'unknown';
  const type = io.packageType(file);
  if (type === 'module') return 'module';
  if (type === 'commonjs') return 'commonjs';
  // No "type": Node detects the syntax. TypeScript is not plain JavaScript: we cannot tell cheaply, so don't guess.
  if (ext === '.ts') return 'unknown';
  return io.compilesAsCommonJs(file) ? 'commonjs' : 'module';
}

/**
 * Whether `--import @milvus-otel/node/register` installs the ES module loader hook (import-in-the-middle). It is
 * needed for modules loaded through `import`; a CommonJS app's modules come through require(), which the
 * instrumentations patch without it — and the hook costs start-up time, since on Node 24 it also sees every require.
 * `auto` skips it only when the entry point is surely CommonJS.
 */
export function needsEsmHook(mode: EsmHookMode, format: EntryFormat): boolean {
  if (mode === 'on') return true;
  if (mode === 'off') return false;
  return format !== 'commonjs';
}

const resolver = createRequire(import.meta.url);

export const nodeIo: EntryIo = {
  resolve(entry) {
    try {
      return resolver.resolve(entry);
    } catch {
      return undefined;
    }
  },
  packageType(file) {
    try {
      const pkg = findPackageJSON(pathToFileURL(file));
      if (pkg === undefined) return undefined;
      const type = (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: unknown }).type;
      return typeof type === 'string' ? type : undefined;
    } catch {
      return undefined;
    }
  },
  compilesAsCommonJs(file) {
    try {
      // A hashbang is fine in a file but not inside a function body: blank it out, keeping the line count.
      const source = readFileSync(file, 'utf8').replace(/^#!.*/, '');
      compileFunction(source, ['exports', 'require', 'module', '__filename', '__dirname'], {
        filename: file,
      });
      return true;
    } catch {
      return false;
    }
  },
};

/**
 * The debug line of `--import @milvus-otel/node/register` saying which hook the entry point got (`installed`, or
 * undefined for none) and why: `entry /app/main.ts runs as an ES module (.ts, package.json "type") …`.
 */
export function hookReport(
  entry: string | undefined,
  format: EntryFormat,
  mode: EsmHookMode,
  installed: string | undefined,
): string {
  const what = entry === undefined ? 'no entry file (-e, -p, stdin or the REPL)' : `entry ${entry}`;
  const as = { commonjs: 'runs as CommonJS', module: 'runs as an ES module', unknown: 'may run as either' }[
    format
  ];
  const hook = installed
    ? `installed ${installed}`
    : 'no ES module loader hook (require() is patched without it)';
  return `@milvus-otel/node: ${what} ${as} (MILVUS_OTEL_ESM_HOOK=${mode}): ${hook}.`;
}
