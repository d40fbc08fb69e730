import type { ClientSettings } from '@milvus-otel/config';
import type { InstrumentationName } from '@milvus-otel/config/internal';

/**
 * Whether the instrumentation `name` is registered, per OTEL_NODE_ENABLED_INSTRUMENTATIONS and
 * OTEL_NODE_DISABLED_INSTRUMENTATIONS (as @opentelemetry/auto-instrumentations-node reads them): a disabled name never
 * is; with an enabled list, only its names are; otherwise the set's default (`onByDefault`).
 */
export function isSelected(
  name: InstrumentationName,
  selection: ClientSettings['instrumentations'],
  onByDefault = true,
): boolean {
  if (selection.disabled.includes(name)) return false;
  if (selection.enabled !== undefined) return selection.enabled.includes(name);
  return onByDefault;
}

/** The names of the enabled list that a set does not carry (`carried`), for a warning. */
export function notCarried(
  selection: ClientSettings['instrumentations'],
  carried: readonly InstrumentationName[],
): InstrumentationName[] {
  return (selection.enabled ?? []).filter((n) => !carried.includes(n) && !selection.disabled.includes(n));
}
