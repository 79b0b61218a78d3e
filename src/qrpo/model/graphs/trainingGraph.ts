// The training graph: the scoring forward, a loss of the per-sample log-probs (trainingLosses.ts) and, by
// reverse-mode autodiff, the gradient of the loss for every trainable parameter; all in one onnxruntime run.
//
// Inputs:  input_ids, attention_mask, completion_mask [batch, seq] int64 (as the scoring graph); position_ids
//          with positionIds: 'input'; the loss's inputs (trainingLosses.ts: targets, ref_logps, rewards [batch],
//          beta, gamma_beta_ratio []); every trainable parameter by canonical name (default: all).
// Outputs: loss [] float32; grad.<param> for each trainable parameter (its shape); logp [batch] float32 and
//          num_tokens [batch] int64 for metrics; grad.logp [batch] = ∂loss/∂logp (the weight every token of a
//          sample receives; math/losses.ts gradPolicyLogps).
import { gradients } from '../../graph';
import type { DecoderConfig } from '../config';
import { decoderForward } from '../families';
import type { FrozenWeights } from '../weights';
import { type LogSoftmaxForm, completionLogps } from './completionLogps';
import { type ModelGraphOptions, requireHead, sequenceInputs } from './modelInputs';
import type { ModelGraph } from './scoringGraph';
import { type TrainingLoss, trainingLoss } from './trainingLosses';

export interface TrainingGraphOptions extends ModelGraphOptions {
  readonly loss: TrainingLoss;
  /** How the vocabulary log-softmax is computed (completionLogps.ts); default `onnx`; logSoftmaxFormFor(provider) picks one. */
  readonly logSoftmax?: LogSoftmaxForm;
}

export function buildTrainingGraph(config: DecoderConfig, weights: FrozenWeights | undefined, options: TrainingGraphOptions): ModelGraph {
  requireHead(config, 'causal-lm', 'training graph');
  const { graph, params, inputIds, attentionMask, positionIds } = sequenceInputs(config, weights, options, 'all');
  const completionMask = graph.input('completion_mask', 'int64', ['batch', 'seq']);
  const { hidden } = decoderForward(config, params, { inputIds, attentionMask, positionIds });
  const scores = completionLogps(config, params, hidden, inputIds, completionMask, { logSoftmax: options.logSoftmax });
  const loss = trainingLoss(graph, options.loss, scores);
  graph.output('loss', loss);
  graph.output('logp', scores.logp);
  graph.output('num_tokens', scores.numTokens);
  const trainable = params.trainable;
  const grads = gradients(loss, trainable.map((p) => p.tensor));
  trainable.forEach((p, i) => graph.output(`grad.${p.name}`, grads[i]));
  graph.output('grad.logp', gradients(loss, [scores.logp])[0]);
  return { graph, parameterInputs: trainable.map((p) => p.name) };
}
