import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The real stack (Milvus, Jaeger, Redis): reused when it is up, started otherwise.
    globalSetup: ['@milvus-otel/stack/vitest-setup'],
    testTimeout: 60_000,
    hookTimeout: 300_000,
  },
});
