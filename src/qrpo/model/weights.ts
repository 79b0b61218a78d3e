// Finds each parameter a config implies in a checkpoint and checks its shape, by architecture rules rather than by
// trusting whatever the file holds. Real checkpoints of one architecture differ: names with or without the
// base-model prefix, non-parameter buffers saved beside the weights (causal masks, RoPE frequencies), a tied head
// stored or omitted, an embedding matrix padded beyond the tokenizer's vocabulary. Resolution reads only headers;
// tensor data is read when asked for (`ResolvedWeights.read`) or all at once (`load`, `loadModelWeights`).
import { ModelFormatError } from '../errors';
import type { DecoderConfig } from './config';
import { baseModelPrefix, decoderParameters } from './decoderParameters';
import type { ParameterSpec } from './decoderParameters';
import type { LocatedTensorInfo, TensorSource } from './safetensors';
import { openModelWeights } from './shardedSafetensors';

export interface ParameterTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/** Canonical parameter name (see decoderParameters.ts) → float32 values, in the checkpoint's layout. */
export type ModelWeights = ReadonlyMap<string, ParameterTensor>;

export interface ResolvedParameter extends ParameterSpec {
  /** The stored tensor this parameter is read from. */
  readonly stored: LocatedTensorInfo;
}

export interface WeightResolutionOptions {
  /** Tokens the tokenizer can produce (added tokens included); more than the embedding has rows is an error. */
  readonly tokenizerVocabSize?: number;
}

/**
 * Buffers transformers saves beside parameters in some versions: GPT-2's causal mask (`attn.bias`) and
 * `attn.masked_bias`, Llama's RoPE `inv_freq`. They are recomputed from the config, never read.
 */
const NON_PARAMETER_BUFFER = /(^|\.)(attn\.bias|attn\.masked_bias|rotary_emb\.inv_freq)$/;
const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16', 'F64']);

export class ResolvedWeights {
  constructor(
    readonly source: TensorSource,
    /** Canonical name → where it is stored, in the order of decoderParameters(). */
    readonly parameters: ReadonlyMap<string, ResolvedParameter>,
    /** Stored tensors that are neither parameters nor known buffers (e.g. an adapter saved into the file). */
    readonly unusedTensors: readonly string[],
  ) {}

  /** Reads one parameter as float32 (F16/BF16 widened). */
  async read(name: string): Promise<Float32Array> {
    const parameter = this.parameters.get(name);
    if (!parameter) throw new ModelFormatError(`the model has no parameter "${name}"`);
    return this.source.readFloat32(parameter.stored.name);
  }

  /** Reads every parameter, one tensor at a time. */
  async load(): Promise<ModelWeights> {
    const weights = new Map<string, ParameterTensor>();
    for (const [name, parameter] of this.parameters) weights.set(name, { shape: parameter.shape, data: await this.read(name) });
    return weights;
  }
}

/** Matches the config's parameters to stored tensors and checks shapes and dtypes, reading headers only. */
export function resolveWeights(source: TensorSource, config: DecoderConfig, options: WeightResolutionOptions = {}): ResolvedWeights {
  checkTokenizerFits(config, options);
  const prefix = baseModelPrefix(config);
  const parameters = new Map<string, ResolvedParameter>();
  const used = new Set<string>();
  for (const spec of decoderParameters(config)) {
    const candidates = spec.inBaseModel ? [spec.name, prefix + spec.name] : [spec.name];
    const storedName = candidates.find((name) => source.info(name));
    if (storedName === undefined) throw missingTensor(source, config, spec, candidates);
    const stored = source.info(storedName)!;
    checkStoredTensor(source, spec, stored);
    parameters.set(spec.name, { ...spec, stored });
    used.add(storedName);
  }
  const unusedTensors = source.names().filter((name) => !used.has(name) && !isExpectedExtra(name, config));
  return new ResolvedWeights(source, parameters, unusedTensors);
}

/** Opens the weights in a model folder (single file or sharded), resolves them against `config` and reads them all. */
export async function loadModelWeights(
  folderOrFile: string,
  config: DecoderConfig,
  options: WeightResolutionOptions = {},
): Promise<ModelWeights> {
  return resolveWeights(await openModelWeights(folderOrFile), config, options).load();
}

/** Buffers, and a tied head that was saved anyway (transformers ties it to the embedding on load, so it is unused). */
function isExpectedExtra(name: string, config: DecoderConfig): boolean {
  if (NON_PARAMETER_BUFFER.test(name)) return true;
  return name === 'lm_head.weight' && config.tieWordEmbeddings;
}

function checkStoredTensor(source: TensorSource, spec: ParameterSpec, stored: LocatedTensorInfo): void {
  if (!FLOAT_DTYPES.has(stored.dtype)) {
    throw new ModelFormatError(`${stored.file}: tensor "${stored.name}" has dtype ${stored.dtype}, not a floating-point type`);
  }
  const matches = stored.shape.length === spec.shape.length && stored.shape.every((d, i) => d === spec.shape[i]);
  if (!matches) {
    throw new ModelFormatError(
      `${stored.file}: tensor "${stored.name}" has shape ${formatShape(stored.shape)}, ` +
        `but the config implies ${formatShape(spec.shape)} (${spec.shapeInConfigTerms})`,
      spec.name.endsWith('embed_tokens.weight') || spec.name === 'wte.weight' || spec.name === 'lm_head.weight'
        ? `Check that config.json's vocab_size matches the checkpoint (read from ${source.description})`
        : undefined,
    );
  }
}

function missingTensor(source: TensorSource, config: DecoderConfig, spec: ParameterSpec, candidates: readonly string[]): ModelFormatError {
  const lookedFor = candidates.map((n) => `"${n}"`).join(' and ');
  const hint =
    spec.name === 'lm_head.weight'
      ? 'config.json sets tie_word_embeddings to false, so the output head must be stored separately'
      : spec.name === 'score.weight'
        ? `A ${config.architecture} needs its trained score head; a causal-LM checkpoint is not a reward model`
        : undefined;
  return new ModelFormatError(`${source.description} has no tensor for "${spec.name}" (looked for ${lookedFor})`, hint);
}

function checkTokenizerFits(config: DecoderConfig, { tokenizerVocabSize }: WeightResolutionOptions): void {
  // Padding the embedding beyond the tokenizer (Qwen2: 151936 rows for 151665 tokens) is valid; the reverse is not.
  if (tokenizerVocabSize !== undefined && tokenizerVocabSize > config.vocabSize) {
    throw new ModelFormatError(
      `the tokenizer has ${tokenizerVocabSize} tokens but the model's embedding has ${config.vocabSize} rows (vocab_size); ` +
        `token ids from ${config.vocabSize} on would have no embedding`,
    );
  }
}

function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
