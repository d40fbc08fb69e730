import { defineConfig } from 'tsup';

// The build script empties dist/ first; the two builds run side by side.
export default defineConfig([
  { entry: ['src/index.ts'], format: ['esm', 'cjs'], dts: true, sourcemap: true, target: 'node22' },
  // The CLI is ESM only (top-level await).
  { entry: ['src/cli.ts'], format: ['esm'], sourcemap: true, target: 'node22' },
]);
