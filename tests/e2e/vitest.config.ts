import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['@milvus-otel/stack/vitest-setup'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // One Milvus server: the SDK lines run one after another.
    fileParallelism: false,
  },
});
