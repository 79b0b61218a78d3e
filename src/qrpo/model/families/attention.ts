// Multi-head causal attention with grouped KV heads, shared by both families (GPT-2 is the case of one query per
// KV head). Queries are laid out [B, H_kv, G, S, Dh] (G = H / H_kv query heads per KV head, head h = kv·G + g, as
// transformers' repeat_kv orders them), so keys and values broadcast over G instead of being copied; MatMul's VJP
// then sums ∂K and ∂V over each group (vjp.md, "Grouped-query attention").
import { type Tensor, concat, matmul, mul, reshape, softmax, transpose, transposeLastTwo, unsqueeze, where } from '../../graph';

/** A layer's cached keys and values, [B, H_kv, L, Dh] (L = past + new positions), RoPE already applied to keys. */
export interface KeyValue {
  readonly key: Tensor;
  readonly value: Tensor;
}

export interface HeadLayout {
  readonly numHeads: number;
  readonly numKeyValueHeads: number;
  readonly headDim: number;
}

/** [B, S, H·Dh] → [B, H_kv, G, S, Dh]. */
export function queryHeads(x: Tensor, { numHeads, numKeyValueHeads, headDim }: HeadLayout): Tensor {
  const groups = numHeads / numKeyValueHeads;
  return transpose(reshape(x, [x.shape[0], x.shape[1], numKeyValueHeads, groups, headDim]), [0, 2, 3, 1, 4]);
}

/** [B, S, H_kv·Dh] → [B, H_kv, S, Dh], the KV-cache layout. */
export function keyValueHeads(x: Tensor, { numKeyValueHeads, headDim }: HeadLayout): Tensor {
  return transpose(reshape(x, [x.shape[0], x.shape[1], numKeyValueHeads, headDim]), [0, 2, 1, 3]);
}

/** Appends the new positions' keys and values to a layer's cache (absent on a forward without one). */
export function extendCache(current: KeyValue, past: KeyValue | undefined): KeyValue {
  if (!past) return current;
  return { key: concat([past.key, current.key], 2), value: concat([past.value, current.value], 2) };
}

/**
 * softmax(Q·Kᵀ/√Dh, masked)·V, merged back to [B, S, H·Dh]. `allowed` is [B, 1, 1, S, L] (masks.ts). Masked scores
 * are set to −1e9, a finite value (vjp.md): a pad query whose keys are all masked gets a uniform row, not NaN.
 */
export function attend(query: Tensor, cache: KeyValue, allowed: Tensor, layout: HeadLayout): Tensor {
  const key = unsqueeze(cache.key, [2]);
  const value = unsqueeze(cache.value, [2]);
  const scores = where(allowed, mul(matmul(query, transposeLastTwo(key)), 1 / Math.sqrt(layout.headDim)), -1e9);
  const heads = matmul(softmax(scores), value); // [B, H_kv, G, S, Dh]
  const merged = transpose(heads, [0, 3, 1, 2, 4]);
  return reshape(merged, [merged.shape[0], merged.shape[1], layout.numHeads * layout.headDim]);
}
