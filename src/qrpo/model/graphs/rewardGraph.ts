// The reward graph of a sequence-classification model (GPT2/Llama/Qwen2/MistralForSequenceClassification): the
// `score` head read at each row's last real token, forward only.
//
// Inputs:  input_ids, attention_mask [batch, seq] int64 (left or right padding); position_ids with
//          positionIds: 'input'; trainable parameters by canonical name (default none).
// Outputs: scores [batch, num_labels] float32 (a reward model has one label: scores[:, 0] is the reward).
import type { DecoderConfig } from '../config';
import { type LastTokenRule, decoderForward, sequenceScores } from '../families';
import type { FrozenWeights } from '../weights';
import { type ModelGraphOptions, requireHead, sequenceInputs } from './modelInputs';
import type { ModelGraph } from './scoringGraph';

export interface RewardGraphOptions extends ModelGraphOptions {
  /** Which position is scored (families/decoder.ts sequenceScores); default `attention-mask`. */
  readonly lastToken?: LastTokenRule;
}

export function buildRewardGraph(config: DecoderConfig, weights: FrozenWeights | undefined, options: RewardGraphOptions = {}): ModelGraph {
  requireHead(config, 'sequence-classification', 'reward graph');
  const { graph, params, inputIds, attentionMask, positionIds } = sequenceInputs(config, weights, options, 'none');
  const { hidden } = decoderForward(config, params, { inputIds, attentionMask, positionIds });
  graph.output('scores', sequenceScores(config, params, hidden, inputIds, attentionMask, options.lastToken));
  return { graph, parameterInputs: params.trainable.map((p) => p.name) };
}
