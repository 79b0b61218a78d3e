// From one row of next-token logits to the distribution a token is drawn from, with transformers' warpers in
// transformers' order: temperature → top-k → top-p (generation/logits_process.py). Work is in float64 so that the
// log-probabilities reported to researchers carry no extra rounding beyond the model's float32 logits.
import { ConfigError } from '../errors';

export interface SamplingParams {
  /** Divides the logits; 0 means greedy decoding (argmax). Reference sampling for QRPO uses 1 (qrpo.md §7). */
  readonly temperature: number;
  /** Keep only the k highest-scoring tokens (ties at the k-th score are kept, as in transformers); 0 or absent: off. */
  readonly topK?: number;
  /** Keep the smallest set of most likely tokens whose probability reaches p; 1 or absent: off. */
  readonly topP?: number;
  /** Neither top-k nor top-p keeps fewer tokens than this (transformers' min_tokens_to_keep, default 1). */
  readonly minTokensToKeep?: number;
}

export function checkSamplingParams(params: SamplingParams): void {
  const { temperature, topK, topP, minTokensToKeep } = params;
  if (!(Number.isFinite(temperature) && temperature >= 0)) throw new ConfigError(`temperature must be a number ≥ 0 (0 is greedy), got ${temperature}`);
  if (topK !== undefined && !(Number.isInteger(topK) && topK >= 0)) throw new ConfigError(`top-k must be a non-negative integer (0 turns it off), got ${topK}`);
  if (topP !== undefined && !(topP > 0 && topP <= 1)) throw new ConfigError(`top-p must be in (0, 1], got ${topP}`);
  if (minTokensToKeep !== undefined && !(Number.isInteger(minTokensToKeep) && minTokensToKeep >= 1)) {
    throw new ConfigError(`minTokensToKeep must be a positive integer, got ${minTokensToKeep}`);
  }
}

/** log softmax in float64, with the max subtracted first so that large logits do not overflow. */
export function logSoftmax(scores: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < scores.length; i++) if (scores[i] > max) max = scores[i];
  const out = new Float64Array(scores.length);
  if (max === -Infinity) throw new RangeError('every logit is -Infinity');
  let sum = 0;
  for (let i = 0; i < scores.length; i++) sum += Math.exp(scores[i] - max);
  const logSum = max + Math.log(sum);
  for (let i = 0; i < scores.length; i++) out[i] = scores[i] - logSum;
  return out;
}

/** Index of the largest value; the first on ties, like torch.argmax. */
export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/**
 * The sampling distribution's log-probabilities: logits / temperature, then top-k, then top-p, renormalised;
 * removed tokens get -Infinity. Temperature 0 is handled by the caller (greedy), not here.
 */
export function samplingLogProbs(logits: ArrayLike<number>, params: SamplingParams): Float64Array {
  const { temperature, topK = 0, topP = 1 } = params;
  const minKeep = params.minTokensToKeep ?? 1;
  const scores = Float64Array.from(logits as ArrayLike<number>);
  if (temperature !== 1) for (let i = 0; i < scores.length; i++) scores[i] /= temperature;
  if (topK > 0) applyTopK(scores, Math.min(Math.max(topK, minKeep), scores.length));
  if (topP < 1) applyTopP(scores, topP, minKeep);
  return logSoftmax(scores);
}

/** TopKLogitsWarper: remove every token whose score is below the k-th largest (ties with it stay). */
function applyTopK(scores: Float64Array, k: number): void {
  if (k >= scores.length) return;
  const sorted = Float64Array.from(scores).sort(); // ascending; NaN-free logits assumed
  const threshold = sorted[scores.length - k];
  for (let i = 0; i < scores.length; i++) if (scores[i] < threshold) scores[i] = -Infinity;
}

/**
 * TopPLogitsWarper: sort ascending, remove tokens whose cumulative probability is ≤ 1 − p, but never the
 * minKeep most likely. What stays is the smallest top set whose mass reaches p. Tokens whose probability is below
 * (1 − p)/V are removed without sorting: all of them together weigh at most 1 − p and they come first in
 * ascending order, so their cumulative sums stay ≤ 1 − p.
 */
function applyTopP(scores: Float64Array, p: number, minKeep: number): void {
  const logProbs = logSoftmax(scores);
  const cutoff = Math.log((1 - p) / scores.length);
  const all = Array.from(scores, (_, i) => i);
  const likely = all.filter((i) => logProbs[i] >= cutoff);
  const prefiltered = likely.length >= minKeep;
  const candidates = prefiltered ? likely : all;
  let removedMass = 0;
  if (prefiltered) {
    for (let i = 0; i < scores.length; i++) {
      if (logProbs[i] < cutoff) {
        removedMass += Math.exp(logProbs[i]);
        scores[i] = -Infinity;
      }
    }
  }
  // Ascending by probability; on ties the higher id first, so that the lower id is the one kept (deterministic).
  candidates.sort((a, b) => logProbs[a] - logProbs[b] || b - a);
  let cumulative = removedMass;
  const keepFrom = candidates.length - minKeep;
  for (let r = 0; r < candidates.length; r++) {
    cumulative += Math.exp(logProbs[candidates[r]]);
    if (cumulative <= 1 - p && r < keepFrom) scores[candidates[r]] = -Infinity;
    else break; // cumulative only grows, and the rest are within the kept top
  }
}
