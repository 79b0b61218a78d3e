// Exact log-partition functions log Z_f(β) = log ∫₀¹ exp(f(t)/β) dt (qrpo.md §3, paper §3.2): under π_ref the
// quantile reward is Uniform(0, 1), so Z is the same closed form for every prompt. Everything is evaluated with
// a = 1/β in log space: e^{1/β} overflows for β < ~0.0014 and the training β is often 1e-3 or smaller.
import { ArgumentError } from '../errors';
import { requireBeta, show } from './arguments';
import { QuantileTransform, requireTransform, scaledNormalParameters } from './transforms';

export type LogPartitionMode = 'exact' | 'simplified';

export interface LogPartitionOptions {
  /**
   * `simplified` reproduces the reference code's identity shortcut log Z ≈ log β + 1/β, exact to float64 for
   * β ≤ 0.03 but 1.0 instead of 0.5413 at β = 1. Other transforms have no shortcut and ignore the mode.
   */
  mode?: LogPartitionMode;
  /** μ of scaled-normal-icdf (default 0). */
  mu?: number;
  /** σ of scaled-normal-icdf (required for it). */
  sigma?: number;
}

/** log(1 − e^{−a}) for a > 0, accurate at both ends (Mächler 2012, "Accurately computing log(1 − exp(−|a|))"). */
function log1mexp(a: number): number {
  return a <= Math.LN2 ? Math.log(-Math.expm1(-a)) : Math.log1p(-Math.exp(-a));
}

/** Σ_{k≥1} c_k a^k for a ≤ 1 with c_k from a term ratio, summed until the terms stop mattering. */
function positiveSeries(a: number, firstTerm: number, ratio: (k: number) => number): number {
  let term = firstTerm;
  let sum = 0;
  for (let k = 1; k < 200 && term > 1e-18 * sum; k++) {
    sum += term;
    term *= a * ratio(k);
  }
  return sum;
}

/**
 * Identity: Z = β(e^{1/β} − 1), log Z = log β + 1/β + log(1 − e^{−1/β}). For large β that sum cancels down to
 * ~1/(2β), so there log Z = log1p(expm1(a)/a − 1) with the bracket from its series Σ_{k≥1} a^k/(k+1)!.
 */
function logPartitionIdentity(a: number): number {
  if (a >= 1) return a - Math.log(a) + log1mexp(a);
  return Math.log1p(positiveSeries(a, a / 2, (k) => 1 / (k + 2)));
}

/**
 * sqrt: Z = ∫₀¹ e^{√t/β} dt = 2β[β + (1 − β)e^{1/β}] = 2β²e^{a}(a − 1 + e^{−a}). Near β = 1 the bracket
 * (1 − β) + βe^{−1/β} cancels badly, a − 1 + e^{−a} does not for a ≥ 1; for a < 1 (β > 1) Z itself is the series
 * Z = Σ_{j≥0} 2(j+1)a^j/(j+2)!, so log Z = log1p(Σ_{j≥1}…) keeps its digits as β → ∞.
 */
function logPartitionSqrt(a: number): number {
  if (a >= 1) return Math.LN2 - 2 * Math.log(a) + a + Math.log(a - 1 + Math.exp(-a));
  return Math.log1p(positiveSeries(a, (2 * a) / 3, (k) => (k + 2) / ((k + 1) * (k + 3))));
}

/**
 * square: Z = ∫₀¹ e^{t²/β} dt = (√(πβ)/2)·erfi(1/√β) = e^{a}·D(√a)/√a with D Dawson's integral. For a ≤ 40 the
 * power series Z = Σ_k a^k/(k!(2k+1)) has positive terms only (relative error ~1e-16, ≤ ~150 terms). For a > 40
 * the asymptotic series D(x) ~ (1/2x)Σ_k (2k−1)!!/(2x²)^k gives log Z = a − log(2a) + log Σ_k (2k−1)!!/(2a)^k,
 * truncated at its smallest term, which is ~√2·e^{−a} < 1e-17 (Abramowitz & Stegun 7.1.23).
 */
function logPartitionSquare(a: number): number {
  if (a <= 40) {
    // term_k = a^k/(k!(2k+1)); ratio term_{k+1}/term_k = a(2k+1)/((k+1)(2k+3)).
    let term = a / 3;
    let sum = 0;
    for (let k = 1; k < 400 && term > 1e-18 * sum; k++) {
      sum += term;
      term *= (a * (2 * k + 1)) / ((k + 1) * (2 * k + 3));
    }
    return Math.log1p(sum);
  }
  let term = 1;
  let sum = 0;
  for (let k = 0; k < 1000; k++) {
    sum += term;
    const next = (term * (2 * k + 1)) / (2 * a);
    if (next >= term || next < 1e-18 * sum) break;
    term = next;
  }
  return a - Math.log(2 * a) + Math.log(sum);
}

/**
 * log Z_f(β) = log ∫₀¹ exp(f(t)/β) dt for each transform of qrpo.md §3 (paper §3.2, Table 1): identity, log
 * (Z = β/(1+β)), sqrt, square, normal-icdf (Z = e^{1/(2β²)}, the normal's moment generating function at 1/β) and
 * scaled-normal-icdf (log Z = μ/β + σ²/(2β²)). Default mode is `exact`; see LogPartitionOptions.mode.
 */
export function logPartition(transform: QuantileTransform, beta: number, options: LogPartitionOptions = {}): number {
  requireTransform(transform);
  requireBeta(beta);
  const mode = options.mode ?? 'exact';
  if (mode !== 'exact' && mode !== 'simplified') {
    throw new ArgumentError(`log-partition mode must be "exact" or "simplified", got ${show(mode)}`);
  }
  const logZ = logPartitionOf(transform, beta, mode, options);
  if (!Number.isFinite(logZ)) {
    throw new ArgumentError(`log Z of the ${transform} transform overflows float64 at beta = ${beta}; use a larger beta`);
  }
  return logZ;
}

function logPartitionOf(
  transform: QuantileTransform,
  beta: number,
  mode: LogPartitionMode,
  options: LogPartitionOptions,
): number {
  const a = 1 / beta;
  switch (transform) {
    case 'identity':
      return mode === 'simplified' ? Math.log(beta) + a : logPartitionIdentity(a);
    case 'log':
      // log(β/(1+β)): −log1p(1/β) keeps digits for large β, log β − log1p(β) for small.
      return beta >= 1 ? -Math.log1p(a) : Math.log(beta) - Math.log1p(beta);
    case 'sqrt':
      return logPartitionSqrt(a);
    case 'square':
      return logPartitionSquare(a);
    case 'normal-icdf':
      return (a * a) / 2;
    case 'scaled-normal-icdf': {
      const { mu, sigma } = scaledNormalParameters(options);
      const s = sigma * a;
      return mu * a + (s * s) / 2;
    }
  }
}
