import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { defineConfig, type Options } from 'tsup';

type Plugin = NonNullable<Options['esbuildPlugins']>[number];

/**
 * The `--import` entry is one bundled file: Node reads and compiles it once instead of resolving and loading hundreds
 * of small files (most of the preset's start-up time). Left outside the bundle: the OpenTelemetry API (the app must
 * share it), import-in-the-middle (its loader hook and the modules it generates import its `lib/register.js` by
 * path: one copy must serve both sides) and everything loaded only when used (exporters, gRPC, the Jaeger sampler,
 * auto-instrumentations — these are loaded with createRequire, which the bundler does not follow). The same goes for
 * `forwarded-parse`, which @opentelemetry/instrumentation-http's ES module build loads with createRequire: it is a
 * dependency of this package so that the bundle finds it under pnpm's strict layout too.
 */
const KEEP_EXTERNAL = [/^import-in-the-middle(\/.*)?$/];

/**
 * One copy of each shared OpenTelemetry package in the bundle, ours. The instrumentations ask for other (patch or
 * 0.x minor) versions whose code is identical (0.300.0/0.301.0/0.301.1 of @opentelemetry/instrumentation differ only
 * in package.json): two copies would each install their own require hook and double the work on every require.
 */
const DEDUPE = ['@opentelemetry/instrumentation', '@opentelemetry/core', '@opentelemetry/resources'];
const here = createRequire(import.meta.url);
const dedupe: Plugin = {
  name: 'dedupe-opentelemetry',
  setup(build) {
    const filter = new RegExp(`^(${DEDUPE.map((d) => d.replace('/', '\\/')).join('|')})$`);
    build.onResolve({ filter }, async (args) => {
      if (args.pluginData === 'deduped') return undefined;
      return build.resolve(args.path, {
        kind: args.kind,
        resolveDir: dirname(here.resolve('./package.json')),
        pluginData: 'deduped',
      });
    });
  },
};

/**
 * The bundle takes the API through require(), as CommonJS code does: the app's instrumented libraries (the Milvus SDK
 * among them) require() it too, so Node loads its CommonJS build once and everyone shares that one instance — an
 * `import` would load its ES module build as well (~50 more files).
 */
const apiThroughRequire: Plugin = {
  name: 'opentelemetry-api-through-require',
  setup(build) {
    build.onResolve({ filter: /^@opentelemetry\/api$/ }, (args) =>
      args.namespace === 'api-through-require'
        ? { path: args.path, external: true }
        : { path: args.path, namespace: 'api-through-require' },
    );
    // An ES module with one constant per export: the bundle's `api.context.active()` then reads a local binding. As
    // CommonJS (`module.exports = require(…)`) every such access would go through esbuild's interop getter and the
    // API's own re-export getter, twice per property on every span and context switch.
    const names = Object.keys(here('@opentelemetry/api') as object).filter(
      (n) => n !== '__esModule' && n !== 'default',
    );
    build.onLoad({ filter: /.*/, namespace: 'api-through-require' }, () => ({
      contents: [
        "const api = require('@opentelemetry/api');",
        `export const { ${names.join(', ')} } = api;`,
        'export default api;',
      ].join('\n'),
      loader: 'js',
    }));
  },
};

/** In the bundle, the lean set's instrumentations are imported statically (the bundle carries them). */
const staticLeanClasses: Plugin = {
  name: 'static-lean-classes',
  setup(build) {
    build.onResolve({ filter: /^\.\/lean-classes\.ts$/ }, (args) => ({
      path: join(args.resolveDir, 'lean-classes.static.ts'),
    }));
  },
};

// The build script empties dist/ first; the two builds run side by side.
export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    target: 'node22',
    shims: true,
  },
  // `node --import @milvus-otel/node/register app.js`: ESM only (top-level await, module.register).
  {
    entry: ['src/register.ts'],
    format: ['esm'],
    // dist/register.d.ts, empty (the entry exports nothing): without it, `await import('@milvus-otel/node/register')`
    // in a strict TypeScript project fails (TS7016, implicitly any) and arethetypeswrong reports the entry untyped.
    dts: true,
    sourcemap: true,
    target: 'node22',
    platform: 'node',
    // @opentelemetry/api too: apiThroughRequire keeps it outside, as a require().
    noExternal: [/^(?!import-in-the-middle(\/|$))/],
    external: KEEP_EXTERNAL,
    esbuildPlugins: [apiThroughRequire, dedupe, staticLeanClasses],
    metafile: true,
    // CommonJS dependencies in the bundle call require(): give them the real one.
    banner: {
      js: "import { createRequire as __milvusOtelCreateRequire } from 'node:module';\nconst require = __milvusOtelCreateRequire(import.meta.url);",
    },
    esbuildOptions(options) {
      options.mainFields = ['module', 'main'];
      options.legalComments = 'linked';
    },
  },
]);
