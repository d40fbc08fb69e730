/**
 * The esbuild plugins of the function's bundle (used by scripts/build.ts, and by the cold-start benchmark):
 * - requireExternals: the packages in RUNTIME_EXTERNALS stay in node_modules and are loaded with `require()` at run
 *   time. The Milvus SDK reads its .proto files from its own package folder, so it cannot be inlined; and the
 *   preset's instrumentation patches the SDK through a require hook when the SDK's files are loaded: inlined code is
 *   never "loaded", and a static `import` of an external would be evaluated before the preset is set up (ESM hoists
 *   imports). So each external is reached through a tiny CommonJS shim whose `require()` runs where the import
 *   stands in the code, after src/tracing.ts has registered the preset.
 * - bundleOnDemandLoads: see below.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { RUNTIME_EXTERNALS } from './externals.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundled CommonJS code (and the shims) call require(): the ES module bundle gets one. */
export const REQUIRE_BANNER =
  "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

const SHIM = 'require-external';
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
export const requireExternals: Plugin = {
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
 * The preset loads its instrumentations, its OTLP exporters, its metrics SDK (and the Jaeger remote sampler) on demand, through
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
  '@opentelemetry/sdk-metrics',
  '@opentelemetry/exporter-metrics-otlp-grpc',
  '@opentelemetry/exporter-metrics-otlp-proto',
  '@opentelemetry/exporter-metrics-otlp-http',
  '@opentelemetry/sampler-jaeger-remote',
];
const presetDir = dirname(
  realpathSync(createRequire(join(root, 'package.json')).resolve('@milvus-otel/node/package.json')),
);
export const bundleOnDemandLoads: Plugin = {
  name: 'bundle-on-demand-loads',
  setup(b) {
    // Only what esbuild finds beside the preset: an optional peer (the Jaeger remote sampler) is there only when the
    // app installed it; otherwise the preset's own message names the package to install.
    let installed: Promise<string[]> | undefined;
    const findInstalled = async () => {
      const found = await Promise.all(
        ON_DEMAND.map(async (id) => {
          const r = await b.resolve(id, { kind: 'require-call', resolveDir: presetDir });
          return r.errors.length === 0 ? id : undefined;
        }),
      );
      return found.filter((id): id is string => id !== undefined);
    };
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!args.path.startsWith(presetDir + sep)) return undefined;
      const source = readFileSync(args.path, 'utf8');
      const rewritten = source.replace(/\bcreateRequire\d*\(import\.meta\.url\)/g, '__bundledLoad');
      if (rewritten === source) return undefined;
      installed ??= findInstalled();
      const cases = (await installed).map(
        (id) => `case ${JSON.stringify(id)}: return require(${JSON.stringify(id)});`,
      );
      const loader = `function __bundledLoad(id) { switch (id) { ${cases.join(' ')} default: return require(id); } }`;
      return { contents: `${rewritten}\n${loader}\n`, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};
