// KL(πθ ‖ π_ref) estimators on the policy's own samples (qrpo.md §8; Schulman 2020, "Approximating KL
// divergence"), from the per-token log-probs both models give each generated token.
import { ArgumentError } from '../errors';
import { requireFiniteArray, requireNonEmpty, requireSameLength } from './arguments';

export interface KlEstimateInput {
  /** log πθ(y_t | x, y_<t) for each generated token of each sequence sampled from πθ. */
  policyTokenLogps: readonly (readonly number[])[];
  /** log π_ref of the same tokens. */
  refTokenLogps: readonly (readonly number[])[];
}

export interface KlEstimate {
  /** Mean over sequences of the estimate on the sequence log-ratio Σ_t logr_t: KL of whole completions. */
  perSequence: number;
  /** Mean over all tokens of the estimate on each token's logr_t: KL per generated token. */
  perToken: number;
}

/**
 * With logr = log π_ref − log πθ on y ~ πθ: k1 = −logr (unbiased, high variance, can be negative) and
 * k3 = (e^{logr} − 1) − logr (unbiased, always ≥ 0, lower variance). e^{logr} − 1 is expm1 so that k3 keeps its
 * digits when the policy is close to the reference, where k3 ≈ logr²/2 would otherwise be lost to rounding.
 */
export function klEstimates(input: KlEstimateInput): { k1: KlEstimate; k3: KlEstimate } {
  const { policyTokenLogps, refTokenLogps } = input;
  requireNonEmpty('policyTokenLogps', policyTokenLogps, 'a KL estimate needs at least one sampled sequence');
  requireSameLength('policyTokenLogps', policyTokenLogps, 'refTokenLogps', refTokenLogps);
  const k1 = { perSequence: 0, perToken: 0 };
  const k3 = { perSequence: 0, perToken: 0 };
  let tokens = 0;
  for (let s = 0; s < policyTokenLogps.length; s++) {
    const policy = policyTokenLogps[s];
    const ref = refTokenLogps[s];
    requireFiniteArray(`policyTokenLogps[${s}]`, policy);
    requireFiniteArray(`refTokenLogps[${s}]`, ref);
    requireSameLength(`policyTokenLogps[${s}]`, policy, `refTokenLogps[${s}]`, ref);
    if (policy.length === 0) {
      throw new ArgumentError(`policyTokenLogps[${s}] is empty; every sampled sequence needs at least one token`);
    }
    let sequenceLogr = 0;
    for (let t = 0; t < policy.length; t++) {
      const logr = ref[t] - policy[t];
      sequenceLogr += logr;
      k1.perToken += -logr;
      k3.perToken += Math.expm1(logr) - logr;
    }
    tokens += policy.length;
    k1.perSequence += -sequenceLogr;
    k3.perSequence += Math.expm1(sequenceLogr) - sequenceLogr;
  }
  const sequences = policyTokenLogps.length;
  return {
    k1: { perSequence: k1.perSequence / sequences, perToken: k1.perToken / tokens },
    k3: { perSequence: k3.perSequence / sequences, perToken: k3.perToken / tokens },
  };
}
