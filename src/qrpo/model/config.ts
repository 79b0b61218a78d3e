// Hugging Face `config.json` → one typed `DecoderConfig` for the two decoder families the engine builds graphs for:
// GPT-2 (learned positions, LayerNorm, GELU, fused Conv1D projections) and Llama (RoPE, RMSNorm, SwiGLU, grouped
// KV heads; Qwen2 and Mistral share its layout). Defaults follow the transformers config classes, so a config that
// omits a field means what it means to `from_pretrained`; shape-defining fields are required.
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { ModelFormatError } from '../errors';

export type ModelFamily = 'gpt2' | 'llama';
export type ModelType = 'gpt2' | 'llama' | 'qwen2' | 'mistral';
export type ModelHead = 'causal-lm' | 'sequence-classification';
/** HF names: `gelu_new` is the tanh approximation (GPT-2), `gelu` the exact erf form, `silu` Llama's SwiGLU gate. */
export type Activation = 'gelu_new' | 'gelu' | 'silu' | 'relu';

export interface DecoderConfig {
  readonly family: ModelFamily;
  readonly modelType: ModelType;
  /** The `architectures[0]` this was read as, e.g. `Qwen2ForCausalLM`. */
  readonly architecture: string;
  readonly head: ModelHead;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  /** Fewer than `numHeads` means grouped-query attention; GPT-2 always has one KV head per head. */
  readonly numKeyValueHeads: number;
  readonly headDim: number;
  readonly intermediateSize: number;
  /** Rows of the embedding matrix; may exceed the tokenizer's vocabulary (padded for speed). */
  readonly vocabSize: number;
  readonly maxPositions: number;
  readonly normEpsilon: number;
  readonly activation: Activation;
  /** Llama family only. */
  readonly ropeTheta?: number;
  /** Llama family only: the raw `rope_scaling` object (llama3, yarn, linear…), not interpreted here. */
  readonly ropeScaling?: Readonly<Record<string, unknown>>;
  readonly tieWordEmbeddings: boolean;
  /** Biases on the query, key and value projections (GPT-2, Qwen2, Llama with `attention_bias`). */
  readonly attentionBias: boolean;
  /** Bias on the attention output projection (GPT-2, Llama with `attention_bias`; not Qwen2). */
  readonly attentionOutputBias: boolean;
  /** Biases in the MLP (GPT-2; Llama with `mlp_bias`). */
  readonly mlpBias: boolean;
  /** Sequence classification only: rows of the `score` head (1 for a reward model). */
  readonly numLabels?: number;
  readonly padTokenId?: number;
  readonly bosTokenId?: number;
  readonly eosTokenId?: number | readonly number[];
}

const ARCHITECTURES: Readonly<Record<string, { modelType: ModelType; head: ModelHead }>> = {
  GPT2LMHeadModel: { modelType: 'gpt2', head: 'causal-lm' },
  GPT2ForSequenceClassification: { modelType: 'gpt2', head: 'sequence-classification' },
  LlamaForCausalLM: { modelType: 'llama', head: 'causal-lm' },
  LlamaForSequenceClassification: { modelType: 'llama', head: 'sequence-classification' },
  Qwen2ForCausalLM: { modelType: 'qwen2', head: 'causal-lm' },
  Qwen2ForSequenceClassification: { modelType: 'qwen2', head: 'sequence-classification' },
  MistralForCausalLM: { modelType: 'mistral', head: 'causal-lm' },
  MistralForSequenceClassification: { modelType: 'mistral', head: 'sequence-classification' },
};

export const SUPPORTED_ARCHITECTURES: readonly string[] = Object.keys(ARCHITECTURES);

const CAUSAL_LM_BY_MODEL_TYPE: Readonly<Record<string, string>> = {
  gpt2: 'GPT2LMHeadModel',
  llama: 'LlamaForCausalLM',
  qwen2: 'Qwen2ForCausalLM',
  mistral: 'MistralForCausalLM',
};

/** transformers' `max_position_embeddings` defaults per config class. */
const DEFAULT_MAX_POSITIONS: Readonly<Record<ModelType, number>> = { gpt2: 1024, llama: 2048, qwen2: 32768, mistral: 4096 * 32 };

const ACTIVATIONS: Readonly<Record<string, Activation>> = {
  gelu_new: 'gelu_new',
  gelu_pytorch_tanh: 'gelu_new', // the same tanh approximation, computed by PyTorch's kernel
  gelu: 'gelu',
  silu: 'silu',
  swish: 'silu',
  relu: 'relu',
};

/** Reads `<folder>/config.json`. */
export async function readDecoderConfig(folder: string): Promise<DecoderConfig> {
  const path = join(folder, 'config.json');
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch {
    throw new ModelFormatError(`${path} does not exist or cannot be read`, 'A Hugging Face model folder holds config.json beside its weights');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ModelFormatError(`${path} is not valid JSON (${(error as Error).message})`);
  }
  return parseDecoderConfig(json, path);
}

/** Normalises a parsed config.json; `file` names it in error messages. */
export function parseDecoderConfig(json: unknown, file = 'config.json'): DecoderConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ModelFormatError(`${file} is not a JSON object`);
  }
  const fields = new ConfigFields(json as Record<string, unknown>, file);
  const architecture = fields.architecture();
  const { modelType, head } = ARCHITECTURES[architecture];
  fields.architectureName = architecture;
  const body = modelType === 'gpt2' ? gpt2Fields(fields) : llamaFields(fields, modelType);
  return {
    ...body,
    architecture,
    head,
    ...(head === 'sequence-classification' ? { numLabels: fields.numLabels() } : {}),
    padTokenId: fields.optionalTokenId('pad_token_id'),
    bosTokenId: fields.optionalTokenId('bos_token_id'),
    eosTokenId: fields.optionalTokenIds('eos_token_id'),
  };
}

type FamilyFields = Omit<DecoderConfig, 'architecture' | 'head' | 'numLabels' | 'padTokenId' | 'bosTokenId' | 'eosTokenId'>;

function gpt2Fields(fields: ConfigFields): FamilyFields {
  const hiddenSize = fields.positiveInteger('n_embd');
  const numHeads = fields.positiveInteger('n_head');
  // These flags change the attention arithmetic; the engine's GPT-2 graph implements only the defaults.
  fields.rejectUnless('scale_attn_weights', true);
  fields.rejectUnless('scale_attn_by_inverse_layer_idx', false);
  return {
    family: 'gpt2',
    modelType: 'gpt2',
    hiddenSize,
    numLayers: fields.positiveInteger('n_layer'),
    numHeads,
    numKeyValueHeads: numHeads,
    headDim: fields.divide('n_embd', hiddenSize, 'n_head', numHeads),
    intermediateSize: fields.positiveInteger('n_inner', 4 * hiddenSize),
    vocabSize: fields.positiveInteger('vocab_size'),
    maxPositions: fields.positiveInteger('n_positions'),
    normEpsilon: fields.positiveNumber('layer_norm_epsilon', 1e-5),
    activation: fields.activation('activation_function', 'gelu_new'),
    tieWordEmbeddings: fields.boolean('tie_word_embeddings', true),
    attentionBias: true,
    attentionOutputBias: true,
    mlpBias: true,
  };
}

function llamaFields(fields: ConfigFields, modelType: ModelType): FamilyFields {
  const hiddenSize = fields.positiveInteger('hidden_size');
  const numHeads = fields.positiveInteger('num_attention_heads');
  const numKeyValueHeads = fields.positiveInteger('num_key_value_heads', numHeads);
  fields.divide('num_attention_heads', numHeads, 'num_key_value_heads', numKeyValueHeads);
  const headDim = fields.has('head_dim') ? fields.positiveInteger('head_dim') : fields.divide('hidden_size', hiddenSize, 'num_attention_heads', numHeads);
  // Llama's `attention_bias` covers q, k, v and o; Qwen2 hard-codes biases on q, k, v only; Mistral has none.
  const llamaAttentionBias = modelType === 'llama' && fields.boolean('attention_bias', false);
  const { ropeTheta, ropeScaling } = fields.rope();
  return {
    family: 'llama',
    modelType,
    hiddenSize,
    numLayers: fields.positiveInteger('num_hidden_layers'),
    numHeads,
    numKeyValueHeads,
    headDim,
    intermediateSize: fields.positiveInteger('intermediate_size'),
    vocabSize: fields.positiveInteger('vocab_size'),
    maxPositions: fields.positiveInteger('max_position_embeddings', DEFAULT_MAX_POSITIONS[modelType]),
    normEpsilon: fields.positiveNumber('rms_norm_eps', 1e-6),
    activation: fields.activation('hidden_act', 'silu'),
    ropeTheta,
    ...(ropeScaling ? { ropeScaling } : {}),
    tieWordEmbeddings: fields.boolean('tie_word_embeddings', false),
    attentionBias: modelType === 'qwen2' || llamaAttentionBias,
    attentionOutputBias: llamaAttentionBias,
    mlpBias: modelType === 'llama' && fields.boolean('mlp_bias', false),
  };
}

/** Typed access to config.json fields with messages that name the file, the field and the architecture. */
class ConfigFields {
  architectureName?: string;

  constructor(
    private readonly json: Record<string, unknown>,
    private readonly file: string,
  ) {}

  has(key: string): boolean {
    return this.json[key] !== undefined && this.json[key] !== null;
  }

  architecture(): string {
    const { architectures, model_type: modelType } = this.json;
    const supported = `supported: ${SUPPORTED_ARCHITECTURES.join(', ')}`;
    if (Array.isArray(architectures) && architectures.length > 0) {
      const name = architectures[0];
      if (typeof name === 'string' && name in ARCHITECTURES) return name;
      throw new ModelFormatError(`${this.file} names architecture ${JSON.stringify(name)}, which the engine does not support (${supported})`);
    }
    // Configs written by hand or by older tools may carry only model_type; from_pretrained then builds the causal LM.
    if (typeof modelType === 'string' && modelType in CAUSAL_LM_BY_MODEL_TYPE) return CAUSAL_LM_BY_MODEL_TYPE[modelType];
    if (modelType !== undefined) {
      throw new ModelFormatError(`${this.file} has model_type ${JSON.stringify(modelType)}, which the engine does not support (${supported})`);
    }
    throw new ModelFormatError(`${this.file} has neither "architectures" nor "model_type", so its architecture is unknown (${supported})`);
  }

  positiveInteger(key: string, fallback?: number): number {
    const value = this.value(key, fallback);
    if (!Number.isInteger(value) || (value as number) <= 0) throw this.wrongType(key, 'a positive integer');
    return value as number;
  }

  positiveNumber(key: string, fallback?: number): number {
    const value = this.value(key, fallback);
    if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) throw this.wrongType(key, 'a positive number');
    return value;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.value(key, fallback);
    if (typeof value !== 'boolean') throw this.wrongType(key, 'true or false');
    return value;
  }

  activation(key: string, fallback: Activation): Activation {
    const value = this.value(key, fallback);
    const activation = typeof value === 'string' ? ACTIVATIONS[value] : undefined;
    if (!activation) {
      throw new ModelFormatError(
        `${this.file}: "${key}" is ${JSON.stringify(value)}, which the engine does not support (supported: ${Object.keys(ACTIVATIONS).join(', ')})`,
      );
    }
    return activation;
  }

  /** `a / b` where both are config fields that must divide exactly (head size, query groups). */
  divide(aKey: string, a: number, bKey: string, b: number): number {
    if (a % b !== 0) throw new ModelFormatError(`${this.file}: "${aKey}" (${a}) is not divisible by "${bKey}" (${b})`);
    return a / b;
  }

  rejectUnless(key: string, supported: boolean): void {
    if (this.has(key) && this.boolean(key, supported) !== supported) {
      throw new ModelFormatError(`${this.file} sets "${key}" to ${!supported}, which the engine's ${this.architectureName} does not implement`);
    }
  }

  /** rope_theta and rope_scaling, or transformers 5's `rope_parameters` object that replaced them. */
  rope(): { ropeTheta: number; ropeScaling?: Record<string, unknown> } {
    const parameters = this.json.rope_parameters;
    const fromParameters = isObject(parameters) ? parameters : undefined;
    let ropeTheta = this.positiveNumber('rope_theta', 10000);
    if (!this.has('rope_theta') && typeof fromParameters?.rope_theta === 'number') ropeTheta = fromParameters.rope_theta;
    const scaling = this.json.rope_scaling;
    if (isObject(scaling)) return { ropeTheta, ropeScaling: scaling };
    if (fromParameters && (fromParameters.rope_type ?? 'default') !== 'default') return { ropeTheta, ropeScaling: fromParameters };
    return { ropeTheta };
  }

  /** As transformers: `num_labels` if given, else the size of `id2label`, else 2. */
  numLabels(): number {
    if (this.has('num_labels')) return this.positiveInteger('num_labels');
    const id2label = this.json.id2label;
    if (isObject(id2label) && Object.keys(id2label).length > 0) return Object.keys(id2label).length;
    return 2;
  }

  optionalTokenId(key: string): number | undefined {
    if (!this.has(key)) return undefined;
    const value = this.json[key];
    if (!Number.isInteger(value) || (value as number) < 0) throw this.wrongType(key, 'a token id (an integer ≥ 0)');
    return value as number;
  }

  /** `eos_token_id` may be one id or a list (Llama 3 and Qwen2 chat models stop on several). */
  optionalTokenIds(key: string): number | number[] | undefined {
    const value = this.json[key];
    if (!Array.isArray(value)) return this.optionalTokenId(key);
    if (!value.every((id) => Number.isInteger(id) && id >= 0)) throw this.wrongType(key, 'a token id or a list of token ids');
    return value as number[];
  }

  private value(key: string, fallback: unknown): unknown {
    if (this.has(key)) return this.json[key];
    if (fallback === undefined) {
      throw new ModelFormatError(`${this.file} has no "${key}", which ${this.architectureName ?? 'the model'} needs`);
    }
    return fallback;
  }

  private wrongType(key: string, expected: string): ModelFormatError {
    return new ModelFormatError(`${this.file}: "${key}" is ${JSON.stringify(this.json[key])}, not ${expected}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
