import type { DiffRow } from '@milvus-otel/jaeger-query';

export type DiffChange = 'removed' | 'added' | 'slower' | 'faster' | 'unchanged';

/** Within 5% either way a span counts as unchanged: run-to-run noise. */
const UNCHANGED_WITHIN = 0.05;
/** At 4× (or ¼) slower/faster the shading is at its strongest. */
const FULL_SHADE_LOG2 = 2;

/** What happened from A to B to something that takes `a` µs in A and `b` µs in B (undefined: absent there). */
export function durationChange(a: number | undefined, b: number | undefined): DiffChange {
  if (a === undefined) return 'added';
  if (b === undefined) return 'removed';
  if (a <= 0) return b > 0 ? 'slower' : 'unchanged';
  const ratio = b / a;
  if (Math.abs(ratio - 1) < UNCHANGED_WITHIN) return 'unchanged';
  return ratio > 1 ? 'slower' : 'faster';
}

/** What happened to a span from trace A to trace B. */
export const diffChange = (row: Pick<DiffRow, 'a' | 'b'>): DiffChange =>
  durationChange(row.a?.duration, row.b?.duration);

const RED = '214,39,40';
const GREEN = '44,160,44';

export const CHANGE_COLORS: Readonly<Record<DiffChange, string>> = {
  removed: `rgb(${RED})`,
  added: `rgb(${GREEN})`,
  slower: `rgba(${RED},.45)`,
  faster: `rgba(${GREEN},.45)`,
  unchanged: '#d4d4d4',
};

/** The row's background: solid-ish for spans in one trace only, shaded by how much the ratio departs from 1. */
export function changeBackground(change: DiffChange, ratio: number | undefined): string {
  switch (change) {
    case 'removed':
      return `rgba(${RED},.55)`;
    case 'added':
      return `rgba(${GREEN},.55)`;
    case 'unchanged':
      return '#f0f0f0';
    default: {
      const strength =
        ratio === undefined || ratio <= 0 ? 1 : Math.min(1, Math.abs(Math.log2(ratio)) / FULL_SHADE_LOG2);
      const alpha = (0.1 + 0.4 * strength).toFixed(2);
      return `rgba(${change === 'slower' ? RED : GREEN},${alpha})`;
    }
  }
}
