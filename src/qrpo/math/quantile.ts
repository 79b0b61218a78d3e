// The quantile reward (qrpo.md §2): where a completion's reward falls among the rewards of n reference completions
// sampled from π_ref for the same prompt. Its law under π_ref is Uniform(0, 1), which makes the partition known.
import { requireFinite, requireFiniteArray, requireNonEmpty } from './arguments';

function requireReferenceRewards(refRewards: readonly number[]): void {
  requireFiniteArray('refRewards', refRewards);
  requireNonEmpty('refRewards', refRewards, 'a quantile needs at least one reference reward');
}

/**
 * q = (1/n)·#{ j : R(y_j) ≤ R(y) } (paper §3, qrpo.md §2). Ties count as wins (≤), as in the reference code, so a
 * reward equal to every reference reward has quantile 1. Values lie in {0, 1/n, …, 1}.
 */
export function quantileReward(refRewards: readonly number[], reward: number): number {
  requireReferenceRewards(refRewards);
  requireFinite('reward', reward);
  let wins = 0;
  for (const ref of refRewards) if (ref <= reward) wins++;
  return wins / refRewards.length;
}

/** quantileReward for many rewards against one prompt's references: sorts once, then binary-searches each reward. */
export function quantileRewards(refRewards: readonly number[], rewards: readonly number[]): number[] {
  requireReferenceRewards(refRewards);
  requireFiniteArray('rewards', rewards);
  const sorted = [...refRewards].sort((a, b) => a - b);
  return rewards.map((reward) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid] <= reward) lo = mid + 1;
      else hi = mid;
    }
    return lo / sorted.length;
  });
}
