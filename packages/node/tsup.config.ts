import { defineConfig } from 'tsup';

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
  { entry: ['src/register.ts'], format: ['esm'], sourcemap: true, target: 'node22' },
]);
