import { defineConfig } from 'vitest/config';

// Tests that talk to the running stack (doctor and verify against it, the examples' traces).
const STACK = [
  'test/cli.test.ts',
  'test/verify-trace-live.test.ts',
  'test/trace-commands-empty-jaeger.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    projects: [
      {
        // Rendering, validation, input handling, the CLI offline: no stack, `vitest run --project unit`.
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: STACK },
      },
      {
        extends: true,
        test: {
          name: 'stack',
          include: STACK,
          globalSetup: ['@milvus-otel/stack/vitest-setup'],
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
