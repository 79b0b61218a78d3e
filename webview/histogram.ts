// Equal-width binning for the panels' histograms. Values on the upper edge fall in the last bin, so q = 1 counts.

export interface Histogram {
  readonly lower: number;
  readonly upper: number;
  readonly counts: number[];
}

export function histogram(values: ArrayLike<number>, bins: number, lower: number, upper: number): Histogram {
  const counts = new Array<number>(bins).fill(0);
  const width = (upper - lower) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!(v >= lower && v <= upper)) continue;
    counts[Math.min(bins - 1, Math.floor((v - lower) / width))]++;
  }
  return { lower, upper, counts };
}

/** Bins spanning the data; a constant column gets a unit-wide range so it still draws one bar. */
export function histogramOfRange(values: ArrayLike<number>, bins: number): Histogram {
  let lower = Infinity;
  let upper = -Infinity;
  for (let i = 0; i < values.length; i++) {
    lower = Math.min(lower, values[i]);
    upper = Math.max(upper, values[i]);
  }
  if (!Number.isFinite(lower)) return histogram(values, bins, 0, 1);
  if (lower === upper) return histogram(values, bins, lower - 0.5, upper + 0.5);
  return histogram(values, bins, lower, upper);
}

/** Density (integrates to 1) so a histogram compares directly with a reference density such as Uniform(0, 1). */
export function densities(h: Histogram, total: number): number[] {
  const width = (h.upper - h.lower) / h.counts.length;
  return h.counts.map((c) => (total > 0 ? c / (total * width) : 0));
}

export function binLabels(h: Histogram, digits: number): string[] {
  const width = (h.upper - h.lower) / h.counts.length;
  return h.counts.map((_, i) => (h.lower + (i + 0.5) * width).toFixed(digits));
}
