import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        // The span tree and trace ids: no Jaeger needed, `vitest run --project unit`.
        test: { name: 'unit', include: ['test/**/*.unit.test.ts'] },
      },
      {
        // The client against the real Jaeger of the local stack.
        test: {
          name: 'jaeger',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.unit.test.ts'],
          globalSetup: ['@milvus-otel/stack/vitest-setup'],
          testTimeout: 60_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
