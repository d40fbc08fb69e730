import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['@milvus-otel/stack/vitest-setup'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // One Milvus server for every file, and each file patches the SDK in its own process.
    fileParallelism: false,
    pool: 'forks',
  },
});
