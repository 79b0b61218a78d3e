// The Llama family (transformers' LlamaModel; Qwen2 and Mistral share it): token embeddings, pre-norm blocks with
// RMSNorm (rms_norm_eps), q/k/v projections (biases where the config has them: Qwen2 always on q, k, v), RoPE on
// queries and keys (rope.ts), grouped-query attention, o_proj, SwiGLU MLP down(silu(gate(x)) ⊙ up(x)), final norm.
// nn.Linear stores weights [out, in], so each projection is x·Wᵀ (+ b).
import { type Tensor, add, gather, mul, rmsNorm, silu } from '../../graph';
import type { DecoderConfig } from '../config';
import { type KeyValue, attend, extendCache, keyValueHeads, queryHeads } from './attention';
import type { DecoderInputs, DecoderOutputs } from './decoderInputs';
import type { BoundParameters } from './parameters';
import { applyRotary, rotaryAngles } from './rope';

export function llamaForward(config: DecoderConfig, params: BoundParameters, inputs: DecoderInputs): DecoderOutputs {
  const p = (name: string) => params.get(name);
  const linear = (x: Tensor, name: string) => {
    const y = params.project(x, name);
    return params.has(`${name}.bias`) ? add(y, p(`${name}.bias`)) : y;
  };
  const norm = (x: Tensor, name: string) => rmsNorm(x, p(`${name}.weight`), config.normEpsilon);
  const angles = rotaryAngles(inputs.positionIds, config);

  let h = gather(p('embed_tokens.weight'), inputs.inputIds);
  const present: KeyValue[] = [];
  for (let i = 0; i < config.numLayers; i++) {
    const l = `layers.${i}`;
    const x = norm(h, `${l}.input_layernorm`);
    const query = applyRotary(queryHeads(linear(x, `${l}.self_attn.q_proj`), config), angles);
    const key = applyRotary(keyValueHeads(linear(x, `${l}.self_attn.k_proj`), config), angles);
    const value = keyValueHeads(linear(x, `${l}.self_attn.v_proj`), config);
    const cache = extendCache({ key, value }, inputs.past?.[i]);
    present.push(cache);
    h = add(h, linear(attend(query, cache, inputs.allowed, config), `${l}.self_attn.o_proj`));
    const y = norm(h, `${l}.post_attention_layernorm`);
    const gated = mul(silu(linear(y, `${l}.mlp.gate_proj`)), linear(y, `${l}.mlp.up_proj`));
    h = add(h, linear(gated, `${l}.mlp.down_proj`));
  }
  return { hidden: norm(h, 'norm'), present };
}
