/** Ticks at 1, 2 or 5 × 10ⁿ µs, about `target` of them over [0, total]. */
export function timeTicks(total: number, target = 8): number[] {
  if (!(total > 0)) return [0];
  const raw = total / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let t = 0; t <= total + step * 1e-9; t += step) ticks.push(Math.round(t * 1000) / 1000);
  return ticks;
}
