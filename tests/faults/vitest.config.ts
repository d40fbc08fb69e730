import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The real stack (Milvus, Jaeger, Redis): reused when it is up, started otherwise.
    globalSetup: ['@milvus-otel/stack/vitest-setup'],
    testTimeout: 90_000,
    hookTimeout: 300_000,
    // One Milvus and two cores: the fault scenarios run one after another so their latency figures mean something.
    fileParallelism: false,
  },
});
