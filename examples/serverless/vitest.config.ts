import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        // Pure logic (error classification, back-off, settings): runs without the stack or a build,
        // `pnpm test --project unit`.
        test: { name: 'unit', include: ['test/**/*.unit.test.ts'] },
      },
      {
        test: {
          name: 'stack',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.unit.test.ts'],
          globalSetup: ['@milvus-otel/stack/vitest-setup', './test/build-setup.ts'],
          testTimeout: 90_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
