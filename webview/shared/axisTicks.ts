// "Nice" axis ticks (1, 2, 5 × 10^k steps) and their labels, for the SVG export, which draws its own axes.

export function niceTicks(min: number, max: number, count = 6): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  const raw = (max - min) / Math.max(1, count - 1);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const ticks: number[] = [];
  // Multiples of the step, rounded to 12 digits so 3 × 0.2 reads 0.6, not 0.6000000000000001.
  for (let k = Math.ceil(min / step); k * step <= max + step * 1e-9; k++) ticks.push(Number((k * step).toPrecision(12)));
  return ticks;
}

/** Short labels: 0.001, 2.5e-7, 1.2k, 3M; integers as they are below 10 000. */
export function formatTick(value: number): string {
  const abs = Math.abs(value);
  if (abs === 0) return '0';
  if (abs >= 1e4) {
    for (const [unit, size] of [['G', 1e9], ['M', 1e6], ['k', 1e3]] as const) if (abs >= size) return `${trim((value / size).toPrecision(3))}${unit}`;
  }
  if (abs < 1e-3) return value.toExponential(1).replace('.0e', 'e');
  return trim(value.toPrecision(4));
}

/** Seconds as 45 s, 12 min, 3.5 h. */
export function formatDuration(seconds: number): string {
  if (Math.abs(seconds) < 120) return `${trim(seconds.toFixed(0))} s`;
  if (Math.abs(seconds) < 7200) return `${trim((seconds / 60).toFixed(1))} min`;
  return `${trim((seconds / 3600).toFixed(1))} h`;
}

function trim(text: string): string {
  return text.includes('e') || !text.includes('.') ? text : text.replace(/\.?0+$/, '');
}
