/**
 * `node --import @milvus-otel/node/register app.js` — sets up tracing before the app loads, for ESM and CJS apps:
 * register(), then — for an ES module entry point, or always with MILVUS_OTEL_ESM_HOOK=on — the ESM loader hook,
 * limited to the modules the enabled instrumentations patch. A CommonJS app loads its modules through require(),
 * which the instrumentations patch without the hook. Settings come from the environment (OTEL_*, MILVUS_*); a bad
 * setting stops start-up with one clear error. Requires of packages nothing instruments bypass the require hook.
 *
 * Built as one bundled file (see tsup.config.ts): Node loads one file instead of hundreds.
 */
import { register as registerAsyncHooks } from 'node:module';
import type { ClientSettings, ParseResult } from '@milvus-otel/config';
import { detectEntryFormat, entryPoint, needsEsmHook } from './entry-format.ts';
import { ConfigError, instrumentedModules, registerWith, resolveSettings } from './sdk.ts';

function exitOnConfigError<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`@milvus-otel/node: tracing not started.\n${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

/** register(), with the settings when they were resolved already; a bad setting ends the process with its error. */
function start(resolved?: ParseResult<ClientSettings>) {
  return exitOnConfigError(() => registerWith({}, resolved));
}

const wantsHook = (settings: ClientSettings) =>
  !settings.disabled && needsEsmHook(settings.esmHook, detectEntryFormat(entryPoint()));

// In-thread hooks (Node ≥ 24.11.1 / 22.22.3): no loader thread, no round trip per module — and only the modules an
// instrumentation asked for are intercepted. Loaded only when used.
const { supportsSyncHooks } = await import('import-in-the-middle/supports-sync-hooks.mjs');

if (supportsSyncHooks()) {
  const handle = start();
  if (handle.enabled && wantsHook(handle.settings)) {
    const { register: registerSyncHooks } = await import('import-in-the-middle/register-hooks.mjs');
    registerSyncHooks({ include: instrumentedModules() });
  }
} else {
  // The loader thread must be listening before the instrumentations announce their modules: decide first.
  const resolved = exitOnConfigError(() => resolveSettings());
  if (wantsHook(resolved.data)) {
    const { createAddHookMessageChannel } = await import('import-in-the-middle');
    const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
    registerAsyncHooks('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
    start(resolved);
    await waitForAllMessagesAcknowledged();
  } else {
    start(resolved);
  }
}
