// The parameters each decoder architecture has, with the shapes its config implies. Names are canonical: the base
// model's parameters without the `transformer.` (GPT-2) or `model.` (Llama) prefix that a *LMHeadModel /
// *ForCausalLM / *ForSequenceClassification state dict adds, heads (`lm_head`, `score`) as they are.
import type { DecoderConfig } from './config';

export interface ParameterSpec {
  /** Canonical name, e.g. `h.0.attn.c_attn.weight` or `layers.0.self_attn.q_proj.weight`. */
  readonly name: string;
  readonly shape: readonly number[];
  /** The shape in config terms, for messages: `[vocab_size, n_embd]`. */
  readonly shapeInConfigTerms: string;
  /** True for base-model parameters, which checkpoints store with or without the base-model prefix. */
  readonly inBaseModel: boolean;
  /**
   * For projection matrices, how the stored matrix multiplies: `in-out` (GPT-2's Conv1D, y = x·W, rows are inputs)
   * or `out-in` (torch.nn.Linear, y = x·Wᵀ, rows are outputs). GPT-2 inherited Conv1D from its TensorFlow original,
   * so its projections are stored transposed relative to every Linear layer in the Llama family.
   */
  readonly layout?: 'in-out' | 'out-in';
}

/** The base-model prefix `save_pretrained` of the full model writes before base-model parameter names. */
export function baseModelPrefix(config: Pick<DecoderConfig, 'family'>): string {
  return config.family === 'gpt2' ? 'transformer.' : 'model.';
}

/** The name `save_pretrained` of the HF model class would write for a canonical parameter name. */
export function huggingFaceTensorName(config: DecoderConfig, spec: Pick<ParameterSpec, 'name' | 'inBaseModel'>): string {
  return spec.inBaseModel ? baseModelPrefix(config) + spec.name : spec.name;
}

/** Every parameter of the model `config` describes, embeddings first, head last. */
export function decoderParameters(config: DecoderConfig): ParameterSpec[] {
  const body = config.family === 'gpt2' ? gpt2Parameters(config) : llamaParameters(config);
  return [...body, ...headParameters(config)];
}

type Dimension = readonly [value: number, configName: string];

function builder(specs: ParameterSpec[], inBaseModel: boolean) {
  return (name: string, dims: readonly Dimension[], layout?: 'in-out' | 'out-in') =>
    specs.push({
      name,
      shape: dims.map(([value]) => value),
      shapeInConfigTerms: `[${dims.map(([, term]) => term).join(', ')}]`,
      inBaseModel,
      ...(layout ? { layout } : {}),
    });
}

function gpt2Parameters(c: DecoderConfig): ParameterSpec[] {
  const specs: ParameterSpec[] = [];
  const add = builder(specs, true);
  const H: Dimension = [c.hiddenSize, 'n_embd'];
  const H3: Dimension = [3 * c.hiddenSize, '3·n_embd'];
  const I: Dimension = [c.intermediateSize, 'n_inner'];
  add('wte.weight', [[c.vocabSize, 'vocab_size'], H]);
  add('wpe.weight', [[c.maxPositions, 'n_positions'], H]);
  const layerNorm = (name: string) => {
    add(`${name}.weight`, [H]);
    add(`${name}.bias`, [H]);
  };
  for (let i = 0; i < c.numLayers; i++) {
    const p = `h.${i}`;
    layerNorm(`${p}.ln_1`);
    add(`${p}.attn.c_attn.weight`, [H, H3], 'in-out'); // query, key and value side by side along the output axis
    add(`${p}.attn.c_attn.bias`, [H3]);
    add(`${p}.attn.c_proj.weight`, [H, H], 'in-out');
    add(`${p}.attn.c_proj.bias`, [H]);
    layerNorm(`${p}.ln_2`);
    add(`${p}.mlp.c_fc.weight`, [H, I], 'in-out');
    add(`${p}.mlp.c_fc.bias`, [I]);
    add(`${p}.mlp.c_proj.weight`, [I, H], 'in-out');
    add(`${p}.mlp.c_proj.bias`, [H]);
  }
  layerNorm('ln_f');
  return specs;
}

function llamaParameters(c: DecoderConfig): ParameterSpec[] {
  const specs: ParameterSpec[] = [];
  const add = builder(specs, true);
  const H: Dimension = [c.hiddenSize, 'hidden_size'];
  const Q: Dimension = [c.numHeads * c.headDim, 'num_attention_heads·head_dim'];
  const KV: Dimension = [c.numKeyValueHeads * c.headDim, 'num_key_value_heads·head_dim'];
  const I: Dimension = [c.intermediateSize, 'intermediate_size'];
  const linear = (name: string, out: Dimension, inp: Dimension, bias: boolean) => {
    add(`${name}.weight`, [out, inp], 'out-in');
    if (bias) add(`${name}.bias`, [out]);
  };
  add('embed_tokens.weight', [[c.vocabSize, 'vocab_size'], H]);
  for (let i = 0; i < c.numLayers; i++) {
    const p = `layers.${i}`;
    add(`${p}.input_layernorm.weight`, [H]);
    linear(`${p}.self_attn.q_proj`, Q, H, c.attentionBias);
    linear(`${p}.self_attn.k_proj`, KV, H, c.attentionBias);
    linear(`${p}.self_attn.v_proj`, KV, H, c.attentionBias);
    linear(`${p}.self_attn.o_proj`, H, Q, c.attentionOutputBias);
    add(`${p}.post_attention_layernorm.weight`, [H]);
    linear(`${p}.mlp.gate_proj`, I, H, c.mlpBias);
    linear(`${p}.mlp.up_proj`, I, H, c.mlpBias);
    linear(`${p}.mlp.down_proj`, H, I, c.mlpBias);
  }
  add('norm.weight', [H]);
  return specs;
}

/** `lm_head` unless tied to the input embedding; `score` (no bias, as in transformers) for classification. */
function headParameters(c: DecoderConfig): ParameterSpec[] {
  const specs: ParameterSpec[] = [];
  const add = builder(specs, false);
  const hidden: Dimension = [c.hiddenSize, c.family === 'gpt2' ? 'n_embd' : 'hidden_size'];
  if (c.head === 'sequence-classification') add('score.weight', [[c.numLabels ?? 2, 'num_labels'], hidden], 'out-in');
  else if (!c.tieWordEmbeddings) add('lm_head.weight', [[c.vocabSize, 'vocab_size'], hidden], 'out-in');
  return specs;
}
