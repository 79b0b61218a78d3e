// Length-controlled reward (qrpo.md §8, the paper's appendix on length bias): the part of a reward not explained by
// the completion being longer or shorter than the prompt's reference completions.
import { ArgumentError } from '../errors';
import { requireFinite, requireFiniteArray, requireSameLength } from './arguments';
import { mean, std } from './statistics';

export interface LengthControlSample {
  reward: number;
  /** Completion length in tokens. */
  length: number;
  /** Rewards and lengths of the prompt's reference completions (one entry per reference completion). */
  refRewards: readonly number[];
  refLengths: readonly number[];
}

export interface LengthControlResult {
  /** k, the pooled OLS slope of standardised reward on standardised length; 0 when nothing can be fitted. */
  slope: number;
  lcRewards: number[];
}

/**
 * Per prompt, μr, σr, μl, σl are the reference rewards' and lengths' mean and std (ddof = 1). One OLS with intercept
 * across all samples of (r − μr)/σr on (l − μl)/σl gives the slope k; LC = r − k·(l − μl)·σr/σl, i.e. k standard
 * deviations of reward per standard deviation of length are removed. Samples whose prompt has σr = 0 or σl = 0
 * cannot be standardised and stay out of the fit; where σl = 0 the correction is 0. With fewer than two usable
 * samples, or all usable lengths standardised to one value, the slope is 0 and LC equals the reward.
 */
export function lengthControlledReward(samples: readonly LengthControlSample[]): LengthControlResult {
  const moments = samples.map((sample, i) => {
    requireFinite(`samples[${i}].reward`, sample.reward);
    requireFinite(`samples[${i}].length`, sample.length);
    requireFiniteArray(`samples[${i}].refRewards`, sample.refRewards);
    requireFiniteArray(`samples[${i}].refLengths`, sample.refLengths);
    requireSameLength(`samples[${i}].refRewards`, sample.refRewards, `samples[${i}].refLengths`, sample.refLengths);
    if (sample.refRewards.length < 2) {
      throw new ArgumentError(
        `samples[${i}] needs at least 2 reference completions (a std with ddof = 1), got ${sample.refRewards.length}`,
      );
    }
    return {
      meanReward: mean(sample.refRewards),
      stdReward: std(sample.refRewards, 1),
      meanLength: mean(sample.refLengths),
      stdLength: std(sample.refLengths, 1),
    };
  });

  const xs: number[] = [];
  const ys: number[] = [];
  samples.forEach((sample, i) => {
    const m = moments[i];
    if (m.stdReward > 0 && m.stdLength > 0) {
      xs.push((sample.length - m.meanLength) / m.stdLength);
      ys.push((sample.reward - m.meanReward) / m.stdReward);
    }
  });
  const slope = pooledSlope(xs, ys);

  const lcRewards = samples.map((sample, i) => {
    const m = moments[i];
    if (m.stdLength === 0) return sample.reward;
    return sample.reward - (slope * (sample.length - m.meanLength) * m.stdReward) / m.stdLength;
  });
  return { slope, lcRewards };
}

function pooledSlope(xs: readonly number[], ys: readonly number[]): number {
  if (xs.length < 2) return 0;
  const meanX = mean(xs);
  const meanY = mean(ys);
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < xs.length; i++) {
    sxx += (xs[i] - meanX) * (xs[i] - meanX);
    sxy += (xs[i] - meanX) * (ys[i] - meanY);
  }
  return sxx === 0 ? 0 : sxy / sxx;
}
