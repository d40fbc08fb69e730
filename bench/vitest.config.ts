import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['@milvus-otel/stack/vitest-setup'],
    // all.ts --short takes 1.5–2 minutes on 2 cores; more when other suites share them.
    testTimeout: 600_000,
    hookTimeout: 300_000,
  },
});
