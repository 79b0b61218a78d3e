// One entry point over both families: the forward from token ids to final hidden states (with the masks built
// once), and the two heads: the LM head (tied to the input embedding or `lm_head`) and the sequence-classification
// `score` head read at each row's last real token (transformers' *ForSequenceClassification).
import { type Tensor, cast, dimSize, equal, matmul, mul, range, reduceSum, transpose, unsqueeze } from '../../graph';
import { ModelFormatError } from '../../errors';
import type { DecoderConfig } from '../config';
import type { KeyValue } from './attention';
import type { DecoderOutputs } from './decoderInputs';
import { gpt2Forward } from './gpt2';
import { llamaForward } from './llama';
import { attentionAllowed, lastTokenIndex, positionIdsFromMask } from './masks';
import type { BoundParameters } from './parameters';

export interface ForwardInputs {
  readonly inputIds: Tensor;
  readonly attentionMask: Tensor;
  /** Default: from the attention mask (masks.ts positionIdsFromMask). */
  readonly positionIds?: Tensor;
  readonly past?: readonly KeyValue[];
}

export function decoderForward(config: DecoderConfig, params: BoundParameters, inputs: ForwardInputs): DecoderOutputs {
  const forward = config.family === 'gpt2' ? gpt2Forward : llamaForward;
  return forward(config, params, {
    inputIds: inputs.inputIds,
    attentionMask: inputs.attentionMask,
    positionIds: inputs.positionIds ?? positionIdsFromMask(inputs.attentionMask),
    past: inputs.past,
    allowed: attentionAllowed(inputs.attentionMask, inputs.inputIds),
  });
}

/** The embedding the LM head reads: `lm_head.weight`, or the input embedding when tied. */
export function lmHeadWeight(config: DecoderConfig, params: BoundParameters): Tensor {
  if (!config.tieWordEmbeddings) return params.get('lm_head.weight');
  return params.get(config.family === 'gpt2' ? 'wte.weight' : 'embed_tokens.weight');
}

/** [..., D] → [..., V] logits. */
export function lmLogits(config: DecoderConfig, params: BoundParameters, hidden: Tensor): Tensor {
  return matmul(hidden, transpose(lmHeadWeight(config, params)));
}

export type LastTokenRule = 'attention-mask' | 'pad-token';

/**
 * [B, num_labels] scores of the hidden state at each row's last real token. The pick is a one-hot weighted sum over
 * positions, so its gradient flows only into that position. `pad-token` is transformers' rule (last id ≠ pad);
 * `attention-mask` (default) agrees with it unless the pad token also occurs as a real token (GPT-2 pads with eos).
 */
export function sequenceScores(
  config: DecoderConfig,
  params: BoundParameters,
  hidden: Tensor,
  inputIds: Tensor,
  attentionMask: Tensor,
  rule: LastTokenRule = 'attention-mask',
): Tensor {
  if (rule === 'pad-token' && config.padTokenId === undefined) {
    throw new ModelFormatError(`${config.architecture} config has no pad_token_id, which the pad-token rule for the scored position needs`);
  }
  const last = lastTokenIndex(inputIds, attentionMask, rule === 'pad-token' ? { padTokenId: config.padTokenId! } : 'attention-mask');
  const g = inputIds.graph;
  const positions = range(g.constant([0], [], 'int64'), dimSize(inputIds, 1), g.constant([1], [], 'int64'), inputIds.shape[1]);
  const pick = cast(equal(unsqueeze(positions, [0]), unsqueeze(last, [1])), hidden.dtype); // [B, T]
  const pooled = reduceSum(mul(hidden, unsqueeze(pick, [2])), [1]); // [B, D]
  return matmul(pooled, transpose(params.get('score.weight')));
}
