import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Versions the packages in a temporary copy, publishes them to a local registry and installs them into an empty
    // project, once for every test file (src/global-setup.ts); a step that fails stops the run with its output.
    globalSetup: ['./src/global-setup.ts'],
    hookTimeout: 300_000,
    testTimeout: 120_000,
  },
});
