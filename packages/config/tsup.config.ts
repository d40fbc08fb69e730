import { defineConfig } from 'tsup';

/**
 * The runtime entry (what apps and the --import preset load), the host:port parser on its own, the deploy-time
 * schemas of the Milvus server and Jaeger, and what @milvus-otel/node needs beyond the public API.
 */
const ENTRIES = {
  index: 'src/index.ts',
  address: 'src/address.ts',
  server: 'src/server/index.ts',
  internal: 'src/internal.ts',
};

// The build script empties dist/ first; the builds run side by side.
export default defineConfig([
  // The code in one build, so the entries share their modules: one ConfigError class for `instanceof` across them.
  {
    entry: ENTRIES,
    format: ['esm', 'cjs'],
    dts: false,
    // CommonJS too (tsup splits only ES modules unless asked).
    splitting: true,
    sourcemap: true,
    target: 'node22',
  },
  // The types one file per entry: shared declarations in a hashed chunk would be names a consumer's declaration
  // output cannot import (TS2742).
  ...Object.entries(ENTRIES).map(([name, file]) => ({
    entry: { [name]: file },
    format: ['esm' as const, 'cjs' as const],
    dts: { only: true },
    target: 'node22',
  })),
]);
