// GPT-2 (transformers' GPT2Model): token + learned position embeddings, pre-LN blocks (LayerNorm with the config's
// layer_norm_epsilon), one fused Conv1D c_attn split into q, k, v, tanh GELU (`gelu_new`) MLP, final ln_f.
// Conv1D stores weights [in, out], so each projection is x·W + b with no transpose.
import { type Tensor, add, gather, geluErf, geluTanh, layerNorm, less, silu, slice, where } from '../../graph';
import type { DecoderConfig } from '../config';
import { type KeyValue, attend, extendCache, keyValueHeads, queryHeads } from './attention';
import type { DecoderInputs, DecoderOutputs } from './decoderInputs';
import type { BoundParameters } from './parameters';

export function gpt2Forward(config: DecoderConfig, params: BoundParameters, inputs: DecoderInputs): DecoderOutputs {
  const p = (name: string) => params.get(name);
  const conv1d = (x: Tensor, name: string) => add(params.project(x, name), p(`${name}.bias`));
  const norm = (x: Tensor, name: string) => layerNorm(x, p(`${name}.weight`), p(`${name}.bias`), config.normEpsilon);
  const D = config.hiddenSize;

  let h = add(gather(p('wte.weight'), inputs.inputIds), gather(p('wpe.weight'), inputs.positionIds));
  const present: KeyValue[] = [];
  for (let i = 0; i < config.numLayers; i++) {
    const l = `h.${i}`;
    const qkv = conv1d(norm(h, `${l}.ln_1`), `${l}.attn.c_attn`);
    const [q, k, v] = [0, 1, 2].map((j) => slice(qkv, [-1], [j * D], [(j + 1) * D]));
    const cache = extendCache({ key: keyValueHeads(k, config), value: keyValueHeads(v, config) }, inputs.past?.[i]);
    present.push(cache);
    h = add(h, conv1d(attend(queryHeads(q, config), cache, inputs.allowed, config), `${l}.attn.c_proj`));
    const mlp = conv1d(activation(config, conv1d(norm(h, `${l}.ln_2`), `${l}.mlp.c_fc`)), `${l}.mlp.c_proj`);
    h = add(h, mlp);
  }
  return { hidden: norm(h, 'ln_f'), present };
}

/** GPT-2 checkpoints use `gelu_new`; config.json's activation_function may name another (config.ts lists them). */
function activation(config: DecoderConfig, x: Tensor): Tensor {
  switch (config.activation) {
    case 'gelu_new':
      return geluTanh(x);
    case 'gelu':
      return geluErf(x);
    case 'relu':
      return where(less(0, x), x, 0);
    case 'silu':
      return silu(x);
  }
}
