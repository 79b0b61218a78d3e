// Finds each parameter a config implies in a checkpoint and checks its shape, by architecture rules rather than by
// trusting whatever the file holds. Real checkpoints of one architecture differ: names with or without the
// base-model prefix, non-parameter buffers saved beside the weights (causal masks, RoPE frequencies), a tied head
// stored or omitted, an embedding matrix padded beyond the tokenizer's vocabulary. Resolution reads only headers;
// tensor data is read when asked for (`ResolvedWeights.read`) or all at once (`load`, `loadModelWeights`). Graphs
// that keep every parameter frozen (scoring, decoding) take `loadFrozen`/`loadFrozenModelWeights` instead: float32
// tensors stay in their file as regions onnxruntime reads itself, so the process never holds a JS copy of them.
import { ModelFormatError } from '../errors';
import type { FileRegion } from '../graph';
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

/** A parameter stored as float32 in the layout the graphs read it in, left in its file for onnxruntime to read. */
export interface FileBackedParameter {
  readonly shape: readonly number[];
  readonly file: FileRegion;
}

/** Weights for parameters that stay frozen in a graph (initializers): values in JS, or where a file holds them. */
export type FrozenWeights = ReadonlyMap<string, ParameterTensor | FileBackedParameter>;

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

  /**
   * Every parameter for a graph that keeps them frozen: F32 tensors as the file regions that hold them, the others
   * read and widened. When the widened tensors outweigh the F32 ones, all are read (`load`): a graph with file-backed
   * constants hands onnxruntime its other constants inline (onnxEmit.ts says why), one more copy each while the
   * session is created, which pays only while they are the smaller part (F32 norms beside BF16 matrices are not).
   */
  async loadFrozen(): Promise<FrozenWeights> {
    const regions = new Map<string, FileRegion>();
    let readBytes = 0;
    for (const [name, { shape, stored }] of this.parameters) {
      const region = stored.dtype === 'F32' ? this.source.region?.(stored.name) : undefined;
      if (region) regions.set(name, region);
      else readBytes += 4 * shape.reduce((a, b) => a * b, 1);
    }
    const fileBytes = [...regions.values()].reduce((n, region) => n + region.length, 0);
    if (readBytes > fileBytes) return this.load();
    const weights = new Map<string, ParameterTensor | FileBackedParameter>();
    for (const [name, { shape }] of this.parameters) {
      const file = regions.get(name);
      weights.set(name, file ? { shape, file } : { shape, data: await this.read(name) });
    }
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

/** Opens the weights in a model folder (single file or sharded) and resolves them against `config` (headers only). */
export async function resolveModelWeights(folderOrFile: string, config: DecoderConfig, options: WeightResolutionOptions = {}): Promise<ResolvedWeights> {
  return resolveWeights(await openModelWeights(folderOrFile), config, options);
}

/** Every parameter of a model folder, read as float32. */
export async function loadModelWeights(folderOrFile: string, config: DecoderConfig, options: WeightResolutionOptions = {}): Promise<ModelWeights> {
  return (await resolveModelWeights(folderOrFile, config, options)).load();
}

/** Every parameter of a model folder for graphs that keep them frozen: float32 tensors left in their files (`loadFrozen`). */
export async function loadFrozenModelWeights(folderOrFile: string, config: DecoderConfig, options: WeightResolutionOptions = {}): Promise<FrozenWeights> {
  return (await resolveModelWeights(folderOrFile, config, options)).loadFrozen();
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
