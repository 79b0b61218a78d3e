// Binning of quantiles for the histograms. Quantiles against n reference rewards take only the values 0, 1/n, …, 1:
// with 20 equal bins and small n most bins would be empty and a uniform law would draw as a comb. When n is known
// and small, each of the n + 1 values gets its own bin of width 1/(n + 1), so Uniform draws flat at density 1.
import { densities, histogram, type Histogram } from '../histogram';

const MAX_BINS = 20;

export interface QuantileBins {
  readonly histogram: Histogram;
  readonly density: number[];
  /** The quantile each bin stands for: the value it holds (discrete levels) or its centre. */
  readonly representative: number[];
  readonly labels: string[];
}

export function quantileBins(values: ArrayLike<number>, levels?: number): QuantileBins {
  const discrete = levels !== undefined && Number.isInteger(levels) && levels >= 1 && levels + 1 <= MAX_BINS;
  const bins = discrete ? levels + 1 : MAX_BINS;
  const h = histogram(values, bins, 0, 1);
  const representative = Array.from({ length: bins }, (_, i) => (discrete ? i / levels : (i + 0.5) / bins));
  const digits = discrete && levels <= 10 ? 2 : 3;
  return { histogram: h, density: densities(h, values.length), representative, labels: representative.map((q) => q.toFixed(digits)) };
}

/** The target curve's value at q, from its grid (q evenly spaced on [0, 1]). */
export function curveAt(grid: Float64Array, values: Float64Array, q: number): number {
  if (grid.length === 0) return NaN;
  const index = Math.round(Math.min(1, Math.max(0, q)) * (grid.length - 1));
  return values[index];
}

export function meanOf(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return values.length ? sum / values.length : NaN;
}
