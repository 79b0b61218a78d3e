// What a family's forward takes and returns; written once per family (gpt2.ts, llama.ts), forward only, so the
// scoring, training and decoding graphs (model/graphs/) share it and autodiff derives the backward.
import type { Tensor } from '../../graph';
import type { DecoderConfig } from '../config';
import type { KeyValue } from './attention';
import type { BoundParameters } from './parameters';

export interface DecoderInputs {
  /** [B, S] int64: the new tokens (all tokens without a cache). */
  readonly inputIds: Tensor;
  /** [B, L] int64, L = past + S: HF's attention_mask over every cached and new position (1 token, 0 pad). */
  readonly attentionMask: Tensor;
  /** [B, S] int64 positions of the new tokens. */
  readonly positionIds: Tensor;
  /** Per layer, [B, H_kv, past, Dh]; absent for a forward without a cache. */
  readonly past?: readonly KeyValue[];
  /** Bool [B, 1, 1, S, L] from masks.ts attentionAllowed, computed once for every layer. */
  readonly allowed: Tensor;
}

export interface DecoderOutputs {
  /** [B, S, D] after the final norm: what the LM head or score head reads. */
  readonly hidden: Tensor;
  /** Per layer, keys and values over all L positions (the next call's past). */
  readonly present: readonly KeyValue[];
}

export type FamilyForward = (config: DecoderConfig, params: BoundParameters, inputs: DecoderInputs) => DecoderOutputs;
