// One next-token decision: draw from the warped distribution (or take the argmax at temperature 0) and report the
// token's log-probability under both the sampling distribution and the model's own distribution at temperature 1.
// The second is log π(y_t | x, y_<t), which QRPO needs as the reference log-prob (qrpo.md §4, §7).
import { argmax, logSoftmax, samplingLogProbs, type SamplingParams } from './logitsProcessors';
import type { SeededRandom } from './random';

export interface TokenChoice {
  readonly tokenId: number;
  /** log-probability under the distribution the token was drawn from (0 for greedy decoding). */
  readonly samplingLogProb: number;
  /** log-probability under the model's raw softmax at temperature 1, without top-k or top-p. */
  readonly modelLogProb: number;
}

/** Inverse-CDF draw from log-probabilities (−Infinity entries are never drawn). */
export function drawToken(logProbs: Float64Array, random: SeededRandom): number {
  const u = random.next();
  let cumulative = 0;
  let last = -1;
  for (let i = 0; i < logProbs.length; i++) {
    if (logProbs[i] === -Infinity) continue;
    cumulative += Math.exp(logProbs[i]);
    last = i;
    if (u < cumulative) return i;
  }
  return last; // u landed in the rounding gap between the summed probabilities and 1
}

export function chooseNextToken(logits: ArrayLike<number>, params: SamplingParams, random: SeededRandom): TokenChoice {
  const modelLogProbs = logSoftmax(logits);
  if (params.temperature === 0) {
    const tokenId = argmax(logits);
    return { tokenId, samplingLogProb: 0, modelLogProb: modelLogProbs[tokenId] };
  }
  const unwarped = params.temperature === 1 && !(params.topK ?? 0) && (params.topP ?? 1) === 1;
  const samplingLogProbsRow = unwarped ? modelLogProbs : samplingLogProbs(logits, params);
  const tokenId = drawToken(samplingLogProbsRow, random);
  return { tokenId, samplingLogProb: samplingLogProbsRow[tokenId], modelLogProb: modelLogProbs[tokenId] };
}
