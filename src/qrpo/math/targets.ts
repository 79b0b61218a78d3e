// The QRPO regression target of one completion (qrpo.md §4): its reward's quantile among the prompt's reference
// rewards, transformed, minus β·log Z. This is what `qrpo prepare` writes and what qrpoLoss consumes.
import { quantileReward } from './quantile';
import { LogPartitionMode, logPartition } from './partition';
import { QuantileTransform, transformQuantile } from './transforms';

export interface QrpoTargetOptions {
  transform: QuantileTransform;
  beta: number;
  /** log Z mode; `simplified` matches the reference code for the identity transform (see logPartition). */
  mode?: LogPartitionMode;
  /** μ and σ of scaled-normal-icdf. */
  mu?: number;
  sigma?: number;
}

export interface QrpoTarget {
  /** q, before clamping. */
  quantile: number;
  /** f(clamp(q)). */
  transformed: number;
  logPartition: number;
  /** f(clamp(q)) − β·log Z_f(β). */
  target: number;
}

/**
 * target = f(clamp(q)) − β·log Z_f(β) (paper Eq. 6 with the known Z of §3.2). n is refRewards.length: pass the
 * first n stored reference rewards, as the reference code does.
 */
export function qrpoTarget(refRewards: readonly number[], reward: number, options: QrpoTargetOptions): QrpoTarget {
  const { transform, beta, mode, mu, sigma } = options;
  const quantile = quantileReward(refRewards, reward);
  const transformed = transformQuantile(quantile, transform, { numRef: refRewards.length, mu, sigma });
  const logZ = logPartition(transform, beta, { mode, mu, sigma });
  return { quantile, transformed, logPartition: logZ, target: transformed - beta * logZ };
}
