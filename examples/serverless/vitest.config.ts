import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['@milvus-otel/stack/vitest-setup', './test/build-setup.ts'],
    testTimeout: 90_000,
    hookTimeout: 300_000,
  },
});
