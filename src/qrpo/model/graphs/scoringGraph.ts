// The scoring graph: forward only (no backward is built, so scoring π_ref costs a forward: engine-notes.md), from
// a batch of prompt + completion token ids to each sequence's summed completion log-prob.
//
// Inputs:  input_ids [batch, seq] int64; attention_mask [batch, seq] int64 (1 token, 0 pad; left or right
//          padding); completion_mask [batch, seq] int64 (1 on completion tokens, 0 on prompt and pad);
//          position_ids [batch, seq] int64 only with positionIds: 'input'; trainable parameters by canonical name.
// Outputs: logp [batch] float32; num_tokens [batch] int64; token_logps [batch, seq−1] float32 (0 off the
//          completion; entry t scores token t+1); entropy [batch, seq−1] with `entropy: true`.
import type { Graph } from '../../graph';
import type { DecoderConfig } from '../config';
import { decoderForward } from '../families';
import type { FrozenWeights } from '../weights';
import { type LogSoftmaxForm, completionLogps } from './completionLogps';
import { type ModelGraphOptions, requireHead, sequenceInputs } from './modelInputs';

export interface ScoringGraphOptions extends ModelGraphOptions {
  readonly entropy?: boolean;
  /** How the vocabulary log-softmax is computed (completionLogps.ts); default `onnx`; logSoftmaxFormFor(provider) picks one. */
  readonly logSoftmax?: LogSoftmaxForm;
}

export interface ModelGraph {
  readonly graph: Graph;
  /** Trainable parameters, fed as inputs under these names (empty when all are initializers). */
  readonly parameterInputs: readonly string[];
}

export function buildScoringGraph(config: DecoderConfig, weights: FrozenWeights | undefined, options: ScoringGraphOptions = {}): ModelGraph {
  requireHead(config, 'causal-lm', 'scoring graph');
  const { graph, params, inputIds, attentionMask, positionIds } = sequenceInputs(config, weights, options, 'none');
  const completionMask = graph.input('completion_mask', 'int64', ['batch', 'seq']);
  const { hidden } = decoderForward(config, params, { inputIds, attentionMask, positionIds });
  const scores = completionLogps(config, params, hidden, inputIds, completionMask, options);
  graph.output('logp', scores.logp);
  graph.output('num_tokens', scores.numTokens);
  graph.output('token_logps', scores.tokenLogps);
  if (scores.entropy) graph.output('entropy', scores.entropy);
  return { graph, parameterInputs: params.trainable.map((p) => p.name) };
}
