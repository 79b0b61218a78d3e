// Descriptive statistics for the evaluation panels (qrpo.md §8): moments with explicit ddof, average ranks,
// Spearman's ρ and a least-squares line, all in float64 and two-pass to avoid the E[x²] − E[x]² cancellation.
import { ArgumentError } from '../errors';
import { requireFiniteArray, requireNonEmpty, requireSameLength } from './arguments';

export function mean(values: readonly number[]): number {
  requireFiniteArray('values', values);
  requireNonEmpty('values', values, 'a mean needs at least one value');
  let total = 0;
  for (const value of values) total += value;
  return total / values.length;
}

/** Σ(x − x̄)²/(n − ddof); ddof = 1 is the sample variance numpy, pandas and the reference code use for σ. */
export function variance(values: readonly number[], ddof = 0): number {
  const center = mean(values);
  if (values.length <= ddof) {
    throw new ArgumentError(`variance with ddof = ${ddof} needs at least ${ddof + 1} values, got ${values.length}`);
  }
  let total = 0;
  for (const value of values) total += (value - center) * (value - center);
  return total / (values.length - ddof);
}

export function standardDeviation(values: readonly number[], ddof = 0): number {
  return Math.sqrt(variance(values, ddof));
}

/** numpy's name for standardDeviation. */
export const std = standardDeviation;

/** Ranks 1..n, ties sharing the mean of the ranks they span (scipy.stats.rankdata's `average`). */
export function averageRanks(values: readonly number[]): number[] {
  requireFiniteArray('values', values);
  const order = values.map((_, i) => i).sort((i, j) => values[i] - values[j]);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start + 1;
    while (end < order.length && values[order[end]] === values[order[start]]) end++;
    const rank = (start + 1 + end) / 2;
    for (let k = start; k < end; k++) ranks[order[k]] = rank;
    start = end;
  }
  return ranks;
}

function requirePairs(x: readonly number[], y: readonly number[], what: string): void {
  requireFiniteArray('x', x);
  requireFiniteArray('y', y);
  requireSameLength('x', x, 'y', y);
  if (x.length < 2) throw new ArgumentError(`${what} needs at least 2 (x, y) pairs, got ${x.length}`);
}

interface CenteredMoments {
  sxx: number;
  syy: number;
  sxy: number;
  meanX: number;
  meanY: number;
}

function centeredMoments(x: readonly number[], y: readonly number[]): CenteredMoments {
  const meanX = mean(x);
  const meanY = mean(y);
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    const dx = x[i] - meanX;
    const dy = y[i] - meanY;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  return { sxx, syy, sxy, meanX, meanY };
}

/** Pearson's r; 0 when either side is constant (no linear association to measure), never NaN. */
export function pearson(x: readonly number[], y: readonly number[]): number {
  requirePairs(x, y, 'pearson');
  const { sxx, syy, sxy } = centeredMoments(x, y);
  if (sxx === 0 || syy === 0) return 0;
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/**
 * Spearman's ρ: Pearson's r on average ranks, as scipy.stats.spearmanr (the paper's length-bias ρ, qrpo.md §8).
 * Returns 0 when either side is constant, where scipy would return NaN: a panel shows "no monotone relation".
 */
export function spearman(x: readonly number[], y: readonly number[]): number {
  requirePairs(x, y, 'spearman');
  return pearson(averageRanks(x), averageRanks(y));
}

export interface LinearFit {
  slope: number;
  intercept: number;
  /** Coefficient of determination; 0 when y is constant (scipy.stats.linregress's convention for r). */
  r2: number;
}

/** Ordinary least squares y ≈ slope·x + intercept (the length-bias panel's fit line, qrpo.md §8). */
export function linearFit(x: readonly number[], y: readonly number[]): LinearFit {
  requirePairs(x, y, 'linearFit');
  const { sxx, syy, sxy, meanX, meanY } = centeredMoments(x, y);
  if (sxx === 0) throw new ArgumentError('linearFit needs at least two distinct x values, got a constant x');
  const slope = sxy / sxx;
  const r2 = syy === 0 ? 0 : Math.min(1, (sxy * sxy) / (sxx * syy));
  return { slope, intercept: meanY - slope * meanX, r2 };
}
