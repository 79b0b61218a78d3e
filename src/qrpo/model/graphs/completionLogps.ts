// Per-token log-probs of the next token and their per-sequence sums over completion tokens (qrpo.md §4): logits at
// positions 0..T−2 against ids 1..T−1 (labels shifted), log-softmax over the vocabulary, weighted by the shifted
// completion mask so prompt and pad tokens count for nothing. Shared by the scoring and training graphs.
import {
  type Tensor, TO_END, cast, exp, gatherElements, log, logSoftmax, mul, neg, reduceMax, reduceSum, slice, squeeze, stopGradient, sub, unsqueeze,
} from '../../graph';
import type { DecoderConfig } from '../config';
import { type BoundParameters, lmLogits } from '../families';

/**
 * How log softmax(logits)[label] is computed. `onnx` (the default): the LogSoftmax op, fastest on the CPU, but
 * onnxruntime's WebGPU provider runs it on the CPU (logits-sized copies off and onto the device every run).
 * `composed`: z − max(z) − log Σ exp(z − max(z)), the label picked before the normaliser is subtracted (no
 * [.., vocab] log-prob tensor is formed); every op of it, gradient included, runs on WebGPU. Both agree to float32
 * rounding. Measured with test/unit/modelTraining/logSoftmaxCost.ts (tiny GPT-2, batch 8×64, one thread): on the
 * CPU provider the two cost the same at vocab 320 and `composed` is 10–20% slower at vocab 8192 (scoring and
 * training), hence the choice per provider.
 */
export type LogSoftmaxForm = 'composed' | 'onnx';

/** The form for an execution provider: `composed` on WebGPU, `onnx` elsewhere. */
export function logSoftmaxFormFor(provider: string): LogSoftmaxForm {
  return provider === 'webgpu' ? 'composed' : 'onnx';
}

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

export interface CompletionLogpsOptions {
  readonly entropy?: boolean;
  readonly logSoftmax?: LogSoftmaxForm;
}

export function completionLogps(
  config: DecoderConfig,
  params: BoundParameters,
  hidden: Tensor,
  inputIds: Tensor,
  completionMask: Tensor,
  options: CompletionLogpsOptions = {},
): CompletionLogps {
  // The head is applied to T−1 positions only: the last position predicts nothing that is scored.
  const logits = lmLogits(config, params, slice(hidden, [1], [0], [-1]));
  const labels = unsqueeze(slice(inputIds, [1], [1], [TO_END]), [2]);
  const shiftedMask = slice(completionMask, [1], [1], [TO_END]);
  const weights = cast(shiftedMask, logits.dtype);
  const { picked, logProbs } = labelLogps(logits, labels, options.logSoftmax);
  const tokenLogps = mul(squeeze(picked, [2]), weights);
  let entropy: Tensor | undefined;
  if (options.entropy) {
    const all = logProbs();
    entropy = mul(neg(reduceSum(mul(exp(all), all), [2])), weights);
  }
  return { tokenLogps, weights, logp: reduceSum(tokenLogps, [1]), numTokens: reduceSum(shiftedMask, [1]), entropy };
}

/**
 * log softmax(logits)[label] over the last axis, shaped like `labels` ([.., 1] int64), in the chosen form, and the
 * whole log-prob tensor on demand (entropy).
 */
export function labelLogps(logits: Tensor, labels: Tensor, form: LogSoftmaxForm = 'onnx'): { picked: Tensor; logProbs: () => Tensor } {
  const axis = logits.rank - 1;
  if (form === 'onnx') {
    const all = logSoftmax(logits);
    return { picked: gatherElements(all, labels, axis), logProbs: () => all };
  }
  // The max is a constant shift (it cancels in the value), so no gradient flows through it; exp only ever sees
  // values ≤ 0. ReduceLogSumExp is avoided: onnxruntime's WebGPU kernel overflows (Infinity for an input of 100).
  const shifted = sub(logits, stopGradient(reduceMax(logits, [axis], true)));
  const logNormaliser = log(reduceSum(exp(shifted), [axis], true));
  return { picked: sub(gatherElements(shifted, labels, axis), logNormaliser), logProbs: () => sub(shifted, logNormaliser) };
}
