/**
 * Bundles the function into dist/handler.mjs (Lambda handler `handler.handler`).
 *
 * Everything is bundled except the packages in RUNTIME_EXTERNALS, which stay in node_modules and are loaded with
 * `require()` at run time:
 * - the Milvus SDK reads its .proto files from its own package folder, so it cannot be inlined;
 * - the preset's instrumentation patches the SDK through a require hook when the SDK's files are loaded; inlined
 *   code is never "loaded", and a static `import` of an external would be evaluated before the preset is set up
 *   (ESM hoists imports). So each external is reached through a tiny CommonJS shim: its `require()` runs where the
 *   import stands in the code, after src/tracing.ts has registered the preset.
 */
import { mkdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

import { RUNTIME_EXTERNALS } from './externals.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'dist', 'handler.mjs');

const SHIM = 'require-external';
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const requireExternals: Plugin = {
  name: 'require-externals',
  setup(b) {
    const filter = new RegExp(`^(${RUNTIME_EXTERNALS.map(escapeRegExp).join('|')})(/.*)?$`);
    b.onResolve({ filter }, (args) =>
      args.namespace === SHIM
        ? { path: args.path, external: true }
        : { path: args.path, namespace: SHIM, sideEffects: true },
    );
    b.onLoad({ filter: /.*/, namespace: SHIM }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/**
 * The preset loads its instrumentations, its OTLP exporters (and the Jaeger remote sampler) on demand, through
 * `createRequire()`, so an app pays only for what it uses. A bundler cannot follow those calls; this turns them into `require()`s of
 * literal names for the modules below, which the bundle then contains (still loaded on first use). Any other name
 * (e.g. `@opentelemetry/auto-instrumentations-node` for `instrumentations: 'all'`) is required from node_modules.
 */
const ON_DEMAND = [
  '@opentelemetry/instrumentation-http',
  '@opentelemetry/instrumentation-express',
  '@opentelemetry/instrumentation-undici',
  '@opentelemetry/instrumentation-ioredis',
  '@opentelemetry/exporter-trace-otlp-grpc',
  '@opentelemetry/exporter-trace-otlp-proto',
  '@opentelemetry/exporter-trace-otlp-http',
  '@grpc/grpc-js',
  '@opentelemetry/sampler-jaeger-remote',
];
const presetDir = dirname(
  realpathSync(createRequire(join(root, 'package.json')).resolve('@milvus-otel/node/package.json')),
);
const bundleOnDemandLoads: Plugin = {
  name: 'bundle-on-demand-loads',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith(presetDir + sep)) return undefined;
      const source = readFileSync(args.path, 'utf8');
      const rewritten = source.replace(/\bcreateRequire\d*\(import\.meta\.url\)/g, '__bundledLoad');
      if (rewritten === source) return undefined;
      const cases = ON_DEMAND.map(
        (id) => `case ${JSON.stringify(id)}: return require(${JSON.stringify(id)});`,
      );
      const loader = `function __bundledLoad(id) { switch (id) { ${cases.join(' ')} default: return require(id); } }`;
      return { contents: `${rewritten}\n${loader}\n`, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

rmSync(join(root, 'dist'), { recursive: true, force: true });
mkdirSync(join(root, 'dist'), { recursive: true });
const result = await build({
  entryPoints: [join(root, 'src', 'index.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning',
  // Bundled CommonJS code (and the shims above) call require(): give the ES module one.
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  plugins: [requireExternals, bundleOnDemandLoads],
});
const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
console.log(`built ${outfile} (${(bytes / 1024).toFixed(0)} KiB); external: ${RUNTIME_EXTERNALS.join(', ')}`);
