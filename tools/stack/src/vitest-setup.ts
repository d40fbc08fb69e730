/**
 * Vitest globalSetup for suites that need the real stack: starts it when it is not up (and stops it afterwards),
 * reuses it when it is (`pnpm test` starts it once for the whole workspace). A stack that was partly running (a service
 * died under someone else's run) is completed but left running afterwards: it is not this run's to stop. A stack that
 * cannot start fails the run with the reason; nothing is skipped.
 */
import type { TestProject } from 'vitest/node';
import { loadSettings } from './settings.ts';
import { start, status, stop } from './stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** When this test run began (ms since the epoch): what Jaeger holds from before belongs to other runs. */
    runStartedAt: number;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  project.provide('runStartedAt', Date.now());
  const settings = loadSettings();
  const before = await status(settings);
  const { started } = await start(settings);
  return async () => {
    if (started && !before.running) await stop(settings);
  };
}
