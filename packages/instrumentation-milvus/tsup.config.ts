import { readFile } from 'node:fs/promises';
import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  platform: 'node',
  target: 'node22',
  dts: true,
  sourcemap: true,
  clean: true,
  // The SDK is patched at run time, never imported; the OpenTelemetry packages stay shared with the app.
  // @milvus-otel/config is imported only through its zod-free `/address` subpath, which stays a dependency.
  external: [/^@opentelemetry\//, '@zilliz/milvus2-sdk-node', /^@milvus-otel\/config(\/|$)/],
  esbuildPlugins: [
    {
      // src/version.ts reads name and version from package.json: bundle those two fields, not the whole file.
      name: 'package-json-name-version',
      setup(build) {
        build.onLoad({ filter: /[\\/]package\.json$/ }, async (args) => {
          const { name, version } = JSON.parse(await readFile(args.path, 'utf8')) as Record<string, unknown>;
          return { contents: JSON.stringify({ name, version }), loader: 'json' };
        });
      },
    },
  ],
});
