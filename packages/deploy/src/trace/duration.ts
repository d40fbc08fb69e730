import parseDuration from 'parse-duration';

/** 850µs, 12.3ms, 1.25s, 15m, 1.5h. */
export function formatDuration(us: number): string {
  const abs = Math.abs(us);
  const sign = us < 0 ? '-' : '';
  if (abs < 1000) return `${sign}${Math.round(abs)}µs`;
  if (abs < 1_000_000) return `${sign}${(abs / 1000).toFixed(abs < 10_000 ? 2 : 1)}ms`;
  if (abs < 60_000_000) return `${sign}${(abs / 1_000_000).toFixed(2)}s`;
  // Minutes and hours: a look-back window (`--since 1h`) more than a span; no trailing zeros.
  if (abs < 3_600_000_000) return `${sign}${Number((abs / 60_000_000).toFixed(1))}m`;
  return `${sign}${Number((abs / 3_600_000_000).toFixed(1))}h`;
}

/**
 * A duration as users write it on the command line (`500us`, `10ms`, `1.5s`, `15m`, `2h`, `1h30m`, `1d`), in
 * milliseconds; undefined when it is not one. A unit is required: a bare `15` would be ambiguous.
 */
export function parseDurationMs(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?\s*(ns|us|µs|ms|s|m|h|d|w)\s*)+$/i.test(trimmed)) return undefined;
  const ms = parseDuration(trimmed, 'ms');
  return ms === null || ms === undefined || !Number.isFinite(ms) ? undefined : ms;
}
