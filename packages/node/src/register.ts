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
import { diag } from '@opentelemetry/api';
import { detectEntryFormat, entryPoint, hookReport, needsEsmHook } from './entry-format.ts';
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

const entry = entryPoint();
const format = detectEntryFormat(entry);
const wantsHook = (settings: ClientSettings) => !settings.disabled && needsEsmHook(settings.esmHook, format);

/** With OTEL_LOG_LEVEL=debug: which hook this entry point got, and why. */
const reportHook = (settings: ClientSettings, installed: string | undefined) =>
  diag.debug(hookReport(entry, format, settings.esmHook, installed));

// In-thread hooks (Node ≥ 24.11.1 / 22.22.3): no loader thread, no round trip per module — and only the modules an
// instrumentation asked for are intercepted. Loaded only when used.
const { supportsSyncHooks } = await import('import-in-the-middle/supports-sync-hooks.mjs');

if (supportsSyncHooks()) {
  const handle = start();
  if (handle.enabled && wantsHook(handle.settings)) {
    const { register: registerSyncHooks } = await import('import-in-the-middle/register-hooks.mjs');
    registerSyncHooks({ include: instrumentedModules() });
    reportHook(handle.settings, 'the in-thread ES module loader hook');
  } else if (handle.enabled) {
    reportHook(handle.settings, undefined);
  }
} else {
  // The loader thread must be listening before the instrumentations announce their modules: decide first.
  const resolved = exitOnConfigError(() => resolveSettings());
  if (wantsHook(resolved.data)) {
    const { createAddHookMessageChannel } = await import('import-in-the-middle');
    const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
    registerAsyncHooks('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
    const handle = start(resolved);
    await waitForAllMessagesAcknowledged();
    if (handle.enabled) reportHook(handle.settings, 'the ES module loader hook (loader thread)');
  } else {
    const handle = start(resolved);
    if (handle.enabled) reportHook(handle.settings, undefined);
  }
}
