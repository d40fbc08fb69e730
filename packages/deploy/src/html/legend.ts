import { escapeHtml } from './escape.js';

export interface LegendEntry {
  readonly label: string;
  /** CSS background of the swatch. */
  readonly swatch: string;
  readonly className?: string;
}

export function legend(entries: readonly LegendEntry[], label = 'Legend'): string {
  const items = entries.map(
    (e) =>
      `<li${e.className ? ` class="${escapeHtml(e.className)}"` : ''}><span class="swatch" style="background:${escapeHtml(e.swatch)}"></span>${escapeHtml(e.label)}</li>`,
  );
  return `<ul class="legend" aria-label="${escapeHtml(label)}">${items.join('')}</ul>`;
}
