/**
 * `node --import @milvus-otel/node/register app.js` — sets up tracing before the app loads, for ESM and CJS apps:
 * register(), then the ESM loader hook, limited to the modules the enabled instrumentations patch. Settings come from
 * the environment (OTEL_*, MILVUS_*); a bad setting stops start-up with one clear error.
 */
import { register as registerAsyncHooks } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { register as registerSyncHooks, supportsSyncHooks } from 'import-in-the-middle/register-hooks.mjs';
import { ConfigError, instrumentedModules, register } from './sdk.ts';

function start(): void {
  try {
    register();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`@milvus-otel/node: tracing not started.\n${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

if (supportsSyncHooks()) {
  // In-thread hooks (Node ≥ 24.11.1 / 22.22.3): no loader thread, no round trip per module — and only the modules
  // an instrumentation asked for are intercepted.
  start();
  registerSyncHooks({ include: instrumentedModules() });
} else {
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  registerAsyncHooks('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  start();
  await waitForAllMessagesAcknowledged();
}
