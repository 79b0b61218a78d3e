// Transforms f applied to the quantile reward before it becomes a regression target (qrpo.md §3), with the reference
// code's clamping of q, which keeps log and Φ⁻¹ finite at the discrete quantiles 0 and 1.
import { ArgumentError } from '../errors';
import { requireFinite, requirePositiveFinite, show } from './arguments';
import { normalIcdf } from './normal';

export const QUANTILE_TRANSFORMS = ['identity', 'log', 'sqrt', 'square', 'normal-icdf', 'scaled-normal-icdf'] as const;

/** f in target = f(clamp(q)) − β·log Z_f(β); `identity` is what the paper's experiments use. */
export type QuantileTransform = (typeof QUANTILE_TRANSFORMS)[number];

export interface TransformOptions {
  /** n, the number of reference rewards the quantile was computed from; sets the clamping bounds. */
  numRef: number;
  /** σ of scaled-normal-icdf (the reference code: the prompt's ref-reward std over the mean std across prompts). */
  sigma?: number;
  /** μ of scaled-normal-icdf; the reference code uses 0. */
  mu?: number;
}

export function requireTransform(transform: string): asserts transform is QuantileTransform {
  if (!(QUANTILE_TRANSFORMS as readonly string[]).includes(transform)) {
    throw new ArgumentError(
      `unknown quantile transform ${show(transform)}; valid transforms are ${QUANTILE_TRANSFORMS.join(', ')}`,
    );
  }
}

/**
 * The smallest n for which the clamped transform still separates samples: with n = 1 every clamped log-quantile
 * is log 1 = 0, and Φ⁻¹ clamps q into [1/n, (n−1)/n], a single point at n = 2 and empty at n = 1.
 */
export function minimumNumRef(transform: QuantileTransform): number {
  switch (transform) {
    case 'log':
      return 2;
    case 'normal-icdf':
    case 'scaled-normal-icdf':
      return 3;
    default:
      return 1;
  }
}

function requireNumRef(transform: QuantileTransform, numRef: number): void {
  if (!Number.isInteger(numRef) || numRef < 1) {
    throw new ArgumentError(`numRef must be a positive integer (the number of reference rewards), got ${show(numRef)}`);
  }
  const minimum = minimumNumRef(transform);
  if (numRef < minimum) {
    const why =
      transform === 'log'
        ? 'with one reference reward the clamped quantile is always 1, a constant target with no learning signal'
        : 'q is clamped into [1/n, (n−1)/n], which leaves no spread below n = 3';
    throw new ArgumentError(`the ${transform} transform needs numRef ≥ ${minimum}, got ${numRef}: ${why}`);
  }
}

/** The reference code's clamping: log takes q ≥ 1/n, Φ⁻¹ takes q in [1/n, (n−1)/n], the others take q as is. */
export function clampQuantile(q: number, transform: QuantileTransform, numRef: number): number {
  switch (transform) {
    case 'log':
      return Math.max(q, 1 / numRef);
    case 'normal-icdf':
    case 'scaled-normal-icdf':
      return Math.min(Math.max(q, 1 / numRef), (numRef - 1) / numRef);
    default:
      return q;
  }
}

/**
 * f(clamp(q)) for the transforms of qrpo.md §3 (paper §3.2 and its appendix on transforms). scaled-normal-icdf is
 * μ + σ·Φ⁻¹(q); σ is required there and must be positive.
 */
export function transformQuantile(q: number, transform: QuantileTransform, options: TransformOptions): number {
  requireTransform(transform);
  if (typeof q !== 'number' || !(q >= 0 && q <= 1)) {
    throw new ArgumentError(`quantile must be in [0, 1], got ${show(q)}`);
  }
  requireNumRef(transform, options.numRef);
  const clamped = clampQuantile(q, transform, options.numRef);
  switch (transform) {
    case 'identity':
      return clamped;
    case 'log':
      return Math.log(clamped);
    case 'sqrt':
      return Math.sqrt(clamped);
    case 'square':
      return clamped * clamped;
    case 'normal-icdf':
      return normalIcdf(clamped);
    case 'scaled-normal-icdf': {
      const { mu, sigma } = scaledNormalParameters(options);
      return mu + sigma * normalIcdf(clamped);
    }
  }
}

/** μ (default 0) and σ (required) of the scaled-normal-icdf transform, checked. */
export function scaledNormalParameters(options: { mu?: number; sigma?: number }): { mu: number; sigma: number } {
  const mu = options.mu ?? 0;
  requireFinite('mu', mu);
  if (options.sigma === undefined) {
    throw new ArgumentError('the scaled-normal-icdf transform needs sigma, a positive finite number, got undefined');
  }
  requirePositiveFinite('sigma', options.sigma);
  return { mu, sigma: options.sigma };
}
