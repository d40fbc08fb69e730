/** Categorical colours for services; red is left out, it means an error. */
const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#9467bd',
  '#17becf',
  '#8c564b',
  '#e377c2',
  '#bcbd22',
  '#7f7f7f',
  '#aec7e8',
];

export const ERROR_COLOR = '#d62728';

/** One colour per service, in the order given, repeating after ten. */
export function serviceColors(services: readonly string[]): (service: string) => string {
  const colors = new Map(services.map((s, i) => [s, PALETTE[i % PALETTE.length] ?? '#7f7f7f']));
  return (service) => colors.get(service) ?? '#7f7f7f';
}
