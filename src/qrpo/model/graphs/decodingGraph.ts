// The decoding graph: one step of batched generation with a KV cache, forward only, weights as initializers.
//
// Inputs (names as Hugging Face's ONNX exports use them):
//   input_ids                   [batch, seq] int64    the new tokens (the whole prompt on the first call, then 1)
//   attention_mask              [batch, past+seq] int64  1/0 over every cached and new position (left padding: 0s first)
//   position_ids                [batch, seq] int64    positions of the new tokens: cumsum(attention_mask) − 1 at
//                                                    them (HF generate); positionIdsForStep() computes it
//   past_key_values.<i>.key     [batch, kv_heads, past, head_dim] float32, for each layer i; past may be 0
//   past_key_values.<i>.value   the same
// Outputs:
//   logits                      [batch, vocab] float32 at the last new position (logits: 'all' → [batch, seq, vocab])
//   present.<i>.key / .value    [batch, kv_heads, past+seq, head_dim]: the next call's past_key_values.<i>.*
// RoPE is applied to cached keys already. Pad positions inside the cache are masked by attention_mask, so a row's
// padding may sit anywhere; the cache only grows (no eviction: sliding-window attention is not implemented).
import { Graph, TO_END, type Tensor, slice, squeeze } from '../../graph';
import type { DecoderConfig } from '../config';
import { type KeyValue, bindParameters, decoderForward, lmLogits } from '../families';
import type { FrozenWeights } from '../weights';
import { type ModelGraphOptions, requireHead } from './modelInputs';
import type { ModelGraph } from './scoringGraph';

export interface DecodingGraphOptions {
  /** `last` (default): logits of the last new position only; `all`: of every new position. */
  readonly logits?: 'last' | 'all';
  /** Default 'none': every weight an initializer (stays on the device). */
  readonly trainable?: ModelGraphOptions['trainable'];
  /** A projection wrapper such as a LoRA adapter (see ModelGraphOptions). */
  readonly adapter?: ModelGraphOptions['adapter'];
}

export const pastKeyName = (layer: number): string => `past_key_values.${layer}.key`;
export const pastValueName = (layer: number): string => `past_key_values.${layer}.value`;
export const presentKeyName = (layer: number): string => `present.${layer}.key`;
export const presentValueName = (layer: number): string => `present.${layer}.value`;

export function buildDecodingGraph(config: DecoderConfig, weights: FrozenWeights | undefined, options: DecodingGraphOptions = {}): ModelGraph {
  requireHead(config, 'causal-lm', 'decoding graph');
  const graph = new Graph();
  const inputIds = graph.input('input_ids', 'int64', ['batch', 'seq']);
  // The cache's length dim is named past+seq because concatenating [.., past, ..] and [.., seq, ..] yields it.
  const attentionMask = graph.input('attention_mask', 'int64', ['batch', 'past+seq']);
  const positionIds = graph.input('position_ids', 'int64', ['batch', 'seq']);
  const cacheShape = ['batch', config.numKeyValueHeads, 'past', config.headDim];
  const past: KeyValue[] = Array.from({ length: config.numLayers }, (_, i) => ({
    key: graph.input(pastKeyName(i), 'float32', cacheShape),
    value: graph.input(pastValueName(i), 'float32', cacheShape),
  }));
  const params = bindParameters(graph, config, weights, options.trainable ?? 'none', options.adapter);
  const { hidden, present } = decoderForward(config, params, { inputIds, attentionMask, positionIds, past });
  const read: Tensor = options.logits === 'all' ? hidden : squeeze(slice(hidden, [1], [-1], [TO_END]), [1]);
  graph.output('logits', lmLogits(config, params, read));
  present.forEach((kv, i) => {
    graph.output(presentKeyName(i), kv.key);
    graph.output(presentValueName(i), kv.value);
  });
  return { graph, parameterInputs: params.trainable.map((p) => p.name) };
}

/**
 * Position ids of the last `newTokens` positions of each row of an attention mask [batch, total] (row-major), as
 * HF generate computes them: cumsum(mask) − 1, and 1 at pad positions.
 */
export function positionIdsForStep(attentionMask: ArrayLike<bigint | number>, batch: number, newTokens: number): BigInt64Array {
  const total = attentionMask.length / batch;
  const out = new BigInt64Array(batch * newTokens);
  for (let b = 0; b < batch; b++) {
    let count = 0;
    for (let t = 0; t < total; t++) {
      const m = Number(attentionMask[b * total + t]);
      count += m;
      const k = t - (total - newTokens);
      if (k >= 0) out[b * newTokens + k] = BigInt(m === 0 ? 1 : count - 1);
    }
  }
  return out;
}
