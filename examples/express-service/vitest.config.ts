import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        // Pure logic (error classification, back-off, settings): runs without the stack, `pnpm test --project unit`.
        test: { name: 'unit', include: ['test/**/*.unit.test.ts'] },
      },
      {
        test: {
          name: 'stack',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.unit.test.ts'],
          // The real stack (Milvus, Jaeger, Redis): reused when it is up, started otherwise.
          globalSetup: ['@milvus-otel/stack/vitest-setup'],
          testTimeout: 60_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
