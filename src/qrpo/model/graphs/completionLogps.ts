// Per-token log-probs of the next token and their per-sequence sums over completion tokens (qrpo.md §4): logits at
// positions 0..T−2 against ids 1..T−1 (labels shifted), log-softmax over the vocabulary, weighted by the shifted
// completion mask so prompt and pad tokens count for nothing. Shared by the scoring and training graphs.
import { type Tensor, TO_END, cast, exp, gatherElements, logSoftmax, mul, neg, reduceSum, slice, squeeze, unsqueeze } from '../../graph';
import type { DecoderConfig } from '../config';
import { type BoundParameters, lmLogits } from '../families';

export interface CompletionLogps {
  /** [B, T−1]: log p(ids[t+1] | ids[..t]) on completion tokens, 0 elsewhere. */
  readonly tokenLogps: Tensor;
  /** [B, T−1] float: 1 where the predicted token is a completion token. */
  readonly weights: Tensor;
  /** [B]: Σ over completion tokens, no length normalisation. */
  readonly logp: Tensor;
  /** [B] int64: completion tokens per sequence. */
  readonly numTokens: Tensor;
  /** [B, T−1]: entropy of the next-token distribution at each position (0 off the completion), when asked for. */
  readonly entropy?: Tensor;
}

export function completionLogps(
  config: DecoderConfig,
  params: BoundParameters,
  hidden: Tensor,
  inputIds: Tensor,
  completionMask: Tensor,
  options: { entropy?: boolean } = {},
): CompletionLogps {
  // The head is applied to T−1 positions only: the last position predicts nothing that is scored.
  const logProbs = logSoftmax(lmLogits(config, params, slice(hidden, [1], [0], [-1])));
  const labels = slice(inputIds, [1], [1], [TO_END]);
  const shiftedMask = slice(completionMask, [1], [1], [TO_END]);
  const weights = cast(shiftedMask, logProbs.dtype);
  const tokenLogps = mul(squeeze(gatherElements(logProbs, unsqueeze(labels, [2]), 2), [2]), weights);
  const entropy = options.entropy ? mul(neg(reduceSum(mul(exp(logProbs), logProbs), [2])), weights) : undefined;
  return { tokenLogps, weights, logp: reduceSum(tokenLogps, [1]), numTokens: reduceSum(shiftedMask, [1]), entropy };
}
