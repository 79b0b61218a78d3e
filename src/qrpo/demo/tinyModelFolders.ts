// Small Hugging Face model folders with seeded random weights, written in milliseconds: config.json,
// model.safetensors (or shards with an index), tokenizer.json (a byte-level BPE trained on a given corpus),
// tokenizer_config.json with a chat template, and generation_config.json, laid out and named as `save_pretrained`
// lays them out. The demo starts its model from one; the test fixtures write theirs with it. Parameter names and
// shapes are written out here by hand from the transformers modelling code, independently of src/qrpo/model/
// (decoderParameters.ts), so a mistake there is not mirrored here and the fixtures can catch it.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tokenizerJson, trainByteLevelBpe } from '../model/byteLevelBpe';
import { bf16ToFloat32, f16ToFloat32, float32ToBf16, float32ToF16 } from '../model/halfFloat';
import { writeSafetensors } from '../model/safetensorsWriter';
import type { WritableDtype, WritableTensor } from '../model/safetensorsWriter';
import { seededNormal } from './seededRandom';

export interface TinyModelOptions {
  readonly seed: number;
  /** `sequence-classification` writes a reward model (`*ForSequenceClassification`, num_labels 1, a `score` head). */
  readonly head?: 'causal-lm' | 'sequence-classification';
  readonly dtype?: WritableDtype;
  /** More than 1 writes `model-0000k-of-0000n.safetensors` shards and `model.safetensors.index.json`. */
  readonly shards?: number;
  /** Tie the output head to the input embedding (GPT-2: default true; Qwen2: true; Llama, Mistral: false). */
  readonly tied?: boolean;
  /** Store `lm_head.weight` even though it is tied, as some exporters do. */
  readonly storeTiedHead?: boolean;
  /** Prefix base-model names with `transformer.`/`model.` (default: GPT-2 causal LM no, as on the Hub; others yes). */
  readonly prefixed?: boolean;
  /** Save non-parameter buffers too: GPT-2's `attn.bias` causal masks, Llama's `rotary_emb.inv_freq`. */
  readonly extraBuffers?: boolean;
  /** Embedding rows (config vocab_size); at least the tokenizer's size. Default: GPT-2 exact, Llama family padded to 32. */
  readonly vocabSize?: number;
  /** The text the tokenizer's BPE merges are learned from. */
  readonly corpus: string;
  /** BPE merges learned from the corpus (the tokenizer has 256 + merges + special tokens); default 40. */
  readonly merges?: number;
  /** Sizes; each defaults to the smallest shape that exercises every code path (see TINY_DIMENSIONS). */
  readonly dimensions?: Partial<ModelDimensions>;
}

export interface ModelDimensions {
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  /** Llama family: key/value heads (grouped-query attention when fewer than heads). */
  readonly kvHeads: number;
  /** Llama family: the MLP's width (GPT-2's is 4 × hidden). */
  readonly intermediate: number;
  /** Learned positions (GPT-2) or max_position_embeddings (Llama family); also the tokenizer's model_max_length. */
  readonly positions: number;
}

/** 2 layers of width 32 with 4 heads (2 key/value heads), 64 positions. */
export const TINY_DIMENSIONS: ModelDimensions = { hidden: 32, layers: 2, heads: 4, kvHeads: 2, intermediate: 64, positions: 64 };

export interface TinyModel {
  readonly dir: string;
  readonly config: Record<string, unknown>;
  /** Tokens the tokenizer can produce, special tokens included. */
  readonly tokenizerVocabSize: number;
  readonly specialIds: Readonly<Record<string, number>>;
  /** Every tensor written, by stored name, as float32 after rounding to the stored dtype (exact expected values). */
  readonly tensors: ReadonlyMap<string, { shape: number[]; data: Float32Array }>;
}

export async function writeTinyGpt2(dir: string, options: TinyModelOptions): Promise<TinyModel> {
  const { hidden, layers, heads, positions } = { ...TINY_DIMENSIONS, ...options.dimensions };
  const reward = options.head === 'sequence-classification';
  const tied = options.tied ?? true;
  const tokenizer = writeTokenizerFiles(dir, 'gpt2', options);
  const eot = tokenizer.specialIds['<|endoftext|>'];
  const vocabSize = options.vocabSize ?? tokenizer.size;
  const config: Record<string, unknown> = {
    architectures: [reward ? 'GPT2ForSequenceClassification' : 'GPT2LMHeadModel'],
    model_type: 'gpt2',
    activation_function: 'gelu_new',
    attn_pdrop: 0.1,
    embd_pdrop: 0.1,
    resid_pdrop: 0.1,
    initializer_range: 0.02,
    layer_norm_epsilon: 1e-5,
    n_ctx: positions,
    n_embd: hidden,
    n_head: heads,
    n_inner: null,
    n_layer: layers,
    n_positions: positions,
    vocab_size: vocabSize,
    bos_token_id: eot,
    eos_token_id: eot,
    scale_attn_weights: true,
    use_cache: true,
    torch_dtype: torchDtype(options.dtype),
    transformers_version: '4.46.3',
    ...(tied ? {} : { tie_word_embeddings: false }),
    ...(reward ? rewardFields(eot) : {}),
  };
  writeJson(dir, 'config.json', config);
  writeJson(dir, 'generation_config.json', { _from_model_config: true, bos_token_id: eot, eos_token_id: eot, transformers_version: '4.46.3' });

  const prefix = (options.prefixed ?? reward) ? 'transformer.' : '';
  const normal = seededNormal(options.seed);
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  const add = (name: string, shape: number[], init: Init = 'weight') => tensors.set(name, { shape, data: initialise(shape, init, normal) });
  add(`${prefix}wte.weight`, [vocabSize, hidden]);
  add(`${prefix}wpe.weight`, [positions, hidden]);
  for (let i = 0; i < layers; i++) {
    const h = `${prefix}h.${i}`;
    add(`${h}.ln_1.weight`, [hidden], 'norm');
    add(`${h}.ln_1.bias`, [hidden], 'bias');
    // GPT-2's Conv1D stores [in_features, out_features].
    add(`${h}.attn.c_attn.weight`, [hidden, 3 * hidden]);
    add(`${h}.attn.c_attn.bias`, [3 * hidden], 'bias');
    add(`${h}.attn.c_proj.weight`, [hidden, hidden]);
    add(`${h}.attn.c_proj.bias`, [hidden], 'bias');
    add(`${h}.ln_2.weight`, [hidden], 'norm');
    add(`${h}.ln_2.bias`, [hidden], 'bias');
    add(`${h}.mlp.c_fc.weight`, [hidden, 4 * hidden]);
    add(`${h}.mlp.c_fc.bias`, [4 * hidden], 'bias');
    add(`${h}.mlp.c_proj.weight`, [4 * hidden, hidden]);
    add(`${h}.mlp.c_proj.bias`, [hidden], 'bias');
    if (options.extraBuffers) {
      tensors.set(`${h}.attn.bias`, { shape: [1, 1, positions, positions], data: causalMask(positions) });
      tensors.set(`${h}.attn.masked_bias`, { shape: [], data: Float32Array.of(-1e4) });
    }
  }
  add(`${prefix}ln_f.weight`, [hidden], 'norm');
  add(`${prefix}ln_f.bias`, [hidden], 'bias');
  addHead(tensors, add, { reward, tied, storeTiedHead: options.storeTiedHead, vocabSize, hidden, embedding: `${prefix}wte.weight` });
  return writeWeightsAndDescribe(dir, config, tokenizer, tensors, options);
}

export async function writeTinyLlama(
  dir: string,
  options: TinyModelOptions & { readonly variant: 'llama' | 'qwen2' | 'mistral' },
): Promise<TinyModel> {
  const { variant } = options;
  const { hidden, layers, heads, kvHeads, intermediate, positions } = { ...TINY_DIMENSIONS, ...options.dimensions };
  const reward = options.head === 'sequence-classification';
  const tied = options.tied ?? variant === 'qwen2';
  const tokenizer = writeTokenizerFiles(dir, variant, options);
  const vocabSize = options.vocabSize ?? Math.ceil(tokenizer.size / 32) * 32;
  const headDim = hidden / heads;
  const className = { llama: 'Llama', qwen2: 'Qwen2', mistral: 'Mistral' }[variant];
  const endOfTurn = tokenizer.specialIds['<|im_end|>'];
  const padId = tokenizer.specialIds['<|endoftext|>'];
  const bosId = variant === 'llama' ? tokenizer.specialIds['<|begin_of_text|>'] : null;
  const config: Record<string, unknown> = {
    architectures: [`${className}${reward ? 'ForSequenceClassification' : 'ForCausalLM'}`],
    model_type: variant,
    hidden_act: 'silu',
    hidden_size: hidden,
    intermediate_size: intermediate,
    num_hidden_layers: layers,
    num_attention_heads: heads,
    num_key_value_heads: kvHeads,
    max_position_embeddings: positions,
    rms_norm_eps: 1e-6,
    rope_theta: variant === 'qwen2' ? 1000000.0 : 10000.0,
    vocab_size: vocabSize,
    initializer_range: 0.02,
    attention_dropout: 0.0,
    tie_word_embeddings: tied,
    bos_token_id: bosId,
    eos_token_id: endOfTurn,
    use_cache: true,
    torch_dtype: torchDtype(options.dtype),
    transformers_version: '4.46.3',
    ...(variant === 'llama' ? { attention_bias: false, mlp_bias: false, head_dim: headDim, pretraining_tp: 1 } : {}),
    ...(variant === 'qwen2' ? { use_sliding_window: false, sliding_window: positions, max_window_layers: layers } : {}),
    ...(variant === 'mistral' ? { sliding_window: positions, head_dim: headDim } : {}),
    ...(reward ? rewardFields(padId) : {}),
  };
  writeJson(dir, 'config.json', config);
  writeJson(dir, 'generation_config.json', {
    bos_token_id: bosId ?? undefined,
    eos_token_id: [endOfTurn, padId],
    pad_token_id: padId,
    transformers_version: '4.46.3',
  });

  const prefix = (options.prefixed ?? true) ? 'model.' : '';
  const normal = seededNormal(options.seed);
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  const add = (name: string, shape: number[], init: Init = 'weight') => tensors.set(name, { shape, data: initialise(shape, init, normal) });
  add(`${prefix}embed_tokens.weight`, [vocabSize, hidden]);
  for (let i = 0; i < layers; i++) {
    const l = `${prefix}layers.${i}`;
    add(`${l}.input_layernorm.weight`, [hidden], 'norm');
    // torch.nn.Linear stores [out_features, in_features].
    add(`${l}.self_attn.q_proj.weight`, [heads * headDim, hidden]);
    if (variant === 'qwen2') add(`${l}.self_attn.q_proj.bias`, [heads * headDim], 'bias');
    add(`${l}.self_attn.k_proj.weight`, [kvHeads * headDim, hidden]);
    if (variant === 'qwen2') add(`${l}.self_attn.k_proj.bias`, [kvHeads * headDim], 'bias');
    add(`${l}.self_attn.v_proj.weight`, [kvHeads * headDim, hidden]);
    if (variant === 'qwen2') add(`${l}.self_attn.v_proj.bias`, [kvHeads * headDim], 'bias');
    add(`${l}.self_attn.o_proj.weight`, [hidden, heads * headDim]);
    add(`${l}.post_attention_layernorm.weight`, [hidden], 'norm');
    add(`${l}.mlp.gate_proj.weight`, [intermediate, hidden]);
    add(`${l}.mlp.up_proj.weight`, [intermediate, hidden]);
    add(`${l}.mlp.down_proj.weight`, [hidden, intermediate]);
    if (options.extraBuffers) {
      const invFreq = Float32Array.from({ length: headDim / 2 }, (_, j) => 1 / (config.rope_theta as number) ** ((2 * j) / headDim));
      tensors.set(`${l}.self_attn.rotary_emb.inv_freq`, { shape: [headDim / 2], data: invFreq });
    }
  }
  add(`${prefix}norm.weight`, [hidden], 'norm');
  addHead(tensors, add, { reward, tied, storeTiedHead: options.storeTiedHead, vocabSize, hidden, embedding: `${prefix}embed_tokens.weight` });
  return writeWeightsAndDescribe(dir, config, tokenizer, tensors, options);
}

type Init = 'weight' | 'bias' | 'norm';

/** std 0.02 like `initializer_range`; norm scales near 1 and biases near 0 so nothing is exactly symmetric. */
function initialise(shape: number[], init: Init, normal: () => number): Float32Array {
  const data = new Float32Array(shape.reduce((n, d) => n * d, 1));
  for (let i = 0; i < data.length; i++) data[i] = (init === 'norm' ? 1 : 0) + (init === 'weight' ? 0.02 : 0.01) * normal();
  return data;
}

function addHead(
  tensors: Map<string, { shape: number[]; data: Float32Array }>,
  add: (name: string, shape: number[]) => void,
  { reward, tied, storeTiedHead, vocabSize, hidden, embedding }: { reward: boolean; tied: boolean; storeTiedHead?: boolean; vocabSize: number; hidden: number; embedding: string },
): void {
  if (reward) add('score.weight', [1, hidden]);
  else if (!tied) add('lm_head.weight', [vocabSize, hidden]);
  else if (storeTiedHead) tensors.set('lm_head.weight', tensors.get(embedding)!);
}

function rewardFields(padTokenId: number): Record<string, unknown> {
  return { id2label: { '0': 'LABEL_0' }, label2id: { LABEL_0: 0 }, pad_token_id: padTokenId };
}

function causalMask(size: number): Float32Array {
  const mask = new Float32Array(size * size);
  for (let i = 0; i < size; i++) for (let j = 0; j <= i; j++) mask[i * size + j] = 1;
  return mask;
}

function torchDtype(dtype: WritableDtype | undefined): string {
  return { F32: 'float32', F16: 'float16', BF16: 'bfloat16' }[dtype ?? 'F32'];
}

interface WrittenTokenizer {
  readonly size: number;
  readonly specialIds: Record<string, number>;
}

/** tokenizer.json, tokenizer_config.json (with chat template) for a GPT-2-style or ChatML-style model. */
function writeTokenizerFiles(dir: string, kind: 'gpt2' | 'llama' | 'qwen2' | 'mistral', options: TinyModelOptions): WrittenTokenizer {
  mkdirSync(dir, { recursive: true });
  const bpe = trainByteLevelBpe(options.corpus, options.merges ?? 40);
  const chatml = kind !== 'gpt2';
  const bos = kind === 'llama' ? '<|begin_of_text|>' : undefined;
  const specialTokens = ['<|endoftext|>', ...(chatml ? ['<|im_start|>', '<|im_end|>'] : []), ...(bos ? [bos] : [])];
  const { json, specialIds } = tokenizerJson({ bpe, specialTokens, prependBos: bos });
  writeJson(dir, 'tokenizer.json', json);
  const addedTokensDecoder = Object.fromEntries(
    specialTokens.map((content) => [
      String(specialIds[content]),
      { content, lstrip: false, normalized: false, rstrip: false, single_word: false, special: true },
    ]),
  );
  writeJson(dir, 'tokenizer_config.json', {
    add_prefix_space: false,
    added_tokens_decoder: addedTokensDecoder,
    bos_token: chatml ? (bos ?? null) : '<|endoftext|>',
    eos_token: chatml ? '<|im_end|>' : '<|endoftext|>',
    pad_token: '<|endoftext|>',
    unk_token: chatml ? null : '<|endoftext|>',
    chat_template: chatml ? chatmlTemplate(bos !== undefined) : GPT2_CHAT_TEMPLATE,
    clean_up_tokenization_spaces: false,
    errors: 'replace',
    model_max_length: { ...TINY_DIMENSIONS, ...options.dimensions }.positions,
    tokenizer_class: kind === 'gpt2' ? 'GPT2Tokenizer' : kind === 'qwen2' ? 'Qwen2Tokenizer' : 'PreTrainedTokenizerFast',
  });
  return { size: Object.keys(bpe.vocab).length + specialTokens.length, specialIds };
}

/** A plain "role: content" transcript; assistant turns end with the end-of-text token so the model learns to stop. */
const GPT2_CHAT_TEMPLATE =
  "{% for message in messages %}{{ message['role'] + ': ' + message['content'] }}" +
  "{% if message['role'] == 'assistant' %}{{ eos_token }}{% endif %}{{ '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ 'assistant: ' }}{% endif %}";

/** ChatML as Qwen2 writes it; with `bos`, Llama-3 style, the template starts with the BOS token. */
function chatmlTemplate(bos: boolean): string {
  return (
    (bos ? '{{- bos_token }}' : '') +
    "{%- for message in messages %}{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{%- endfor %}" +
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
  );
}

async function writeWeightsAndDescribe(
  dir: string,
  config: Record<string, unknown>,
  tokenizer: WrittenTokenizer,
  tensors: Map<string, { shape: number[]; data: Float32Array }>,
  options: TinyModelOptions,
): Promise<TinyModel> {
  const dtype = options.dtype ?? 'F32';
  const stored = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, { shape, data }] of tensors) stored.set(name, { shape, data: roundTo(dtype, data) });
  const shardCount = options.shards ?? 1;
  const names = [...stored.keys()];
  const boundary = (k: number) => Math.floor((k * names.length) / shardCount);
  const shards = Array.from({ length: shardCount }, (_, k) => names.slice(boundary(k), boundary(k + 1)));
  const weightMap: Record<string, string> = {};
  let totalSize = 0;
  for (const [k, shardNames] of shards.entries()) {
    const file = shardCount === 1 ? 'model.safetensors' : `model-${pad5(k + 1)}-of-${pad5(shardCount)}.safetensors`;
    const shardTensors: Record<string, WritableTensor> = {};
    for (const name of shardNames) {
      const { shape, data } = stored.get(name)!;
      shardTensors[name] = { dtype, shape, data };
      weightMap[name] = file;
      totalSize += data.length * (dtype === 'F32' ? 4 : 2);
    }
    await writeSafetensors(join(dir, file), shardTensors, { format: 'pt' });
  }
  if (shardCount > 1) writeJson(dir, 'model.safetensors.index.json', { metadata: { total_size: totalSize }, weight_map: weightMap });
  return { dir, config, tokenizerVocabSize: tokenizer.size, specialIds: tokenizer.specialIds, tensors: stored };
}

function roundTo(dtype: WritableDtype, data: Float32Array): Float32Array {
  if (dtype === 'F16') return f16ToFloat32(float32ToF16(data));
  if (dtype === 'BF16') return bf16ToFloat32(float32ToBf16(data));
  return data;
}

function pad5(n: number): string {
  return String(n).padStart(5, '0');
}

function writeJson(dir: string, name: string, value: unknown): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), JSON.stringify(value, null, 2) + '\n');
}
