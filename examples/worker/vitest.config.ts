import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['@milvus-otel/stack/vitest-setup'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
