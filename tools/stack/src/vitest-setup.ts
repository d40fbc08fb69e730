/**
 * Vitest globalSetup for suites that need the real stack: starts it when it is not up (and stops it afterwards),
 * reuses it when it is (`pnpm test` starts it once for the whole workspace). A stack that cannot start fails the
 * run with the reason; nothing is skipped.
 */
import { loadSettings } from './settings.ts';
import { start, stop } from './stack.ts';

export default async function setup(): Promise<() => Promise<void>> {
  const settings = loadSettings();
  const { started } = await start(settings);
  return async () => {
    if (started) await stop(settings);
  };
}
