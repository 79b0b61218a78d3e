// LoRA's hyper-parameters, with PEFT's meaning (peft/tuners/lora/config.py), and which projections of a decoder they
// select. Matching follows PEFT's `check_target_module_exists`: a list entry selects a module whose full name (as
// `named_modules()` of the *ForCausalLM / *ForSequenceClassification spells it, e.g. `model.layers.0.self_attn.q_proj`)
// equals it or ends with `.<entry>`; another string is a regular expression the full name must match entirely;
// 'all-linear' selects every Linear/Conv1D except the output head (PEFT `_maybe_include_all_linear_layers`).
import { ConfigError } from '../../errors';
import type { DecoderConfig, ModelType } from '../config';
import { baseModelPrefix, decoderParameters } from '../decoderParameters';

export type LoraTargetModules = readonly string[] | string;

export interface LoraConfig {
  /** Rank: A is [r, in_features], B is [out_features, r]. */
  readonly r: number;
  /** The update is scaled by alpha / r (PEFT `lora_alpha`; rsLoRA's alpha / √r is not supported). */
  readonly alpha: number;
  /** Only 0 can be trained: dropout would need randomness inside the graph. Adapters read from disk keep theirs. */
  readonly dropout: number;
  /** Names (suffix match), one regular expression, or 'all-linear'. */
  readonly targetModules: LoraTargetModules;
  /** PEFT's `bias`: only 'none' (no bias is trained). */
  readonly bias: 'none';
}

/** A projection LoRA wraps. */
export interface LoraTarget {
  /** Canonical module name, e.g. `h.0.attn.c_attn` (decoderParameters.ts names without `.weight`). */
  readonly module: string;
  /** The module's name in the HF model, e.g. `transformer.h.0.attn.c_attn`: what PEFT matches and saves under. */
  readonly peftModule: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** How the base weight is stored: Conv1D [in, out] (GPT-2, PEFT fan_in_fan_out) or Linear [out, in]. */
  readonly layout: 'in-out' | 'out-in';
}

/** PEFT's TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING: what `target_modules=None` means per model type. */
export const DEFAULT_LORA_TARGET_MODULES: Readonly<Record<ModelType, readonly string[]>> = {
  gpt2: ['c_attn'],
  llama: ['q_proj', 'v_proj'],
  qwen2: ['q_proj', 'v_proj'],
  mistral: ['q_proj', 'v_proj'],
};

export interface LoraConfigFields {
  readonly r: number;
  readonly alpha: number;
  readonly targetModules: LoraTargetModules;
  readonly dropout?: number;
  readonly bias?: string;
}

/** A LoRA configuration to train with: every field checked, dropout 0, bias 'none'. */
export function loraConfig(fields: LoraConfigFields): LoraConfig {
  const config = checkLoraFields(fields);
  requireTrainableDropout(config);
  return config;
}

/** Checks the fields that any use needs (rank, alpha, targets, bias); dropout is only range-checked. */
export function checkLoraFields(fields: LoraConfigFields): LoraConfig {
  const { r, alpha, targetModules } = fields;
  const dropout = fields.dropout ?? 0;
  if (!Number.isInteger(r) || r <= 0) throw new ConfigError(`LoRA rank r must be a positive integer, got ${r}`);
  if (!Number.isFinite(alpha) || alpha <= 0) throw new ConfigError(`LoRA alpha must be a positive number, got ${alpha}`);
  if (!Number.isFinite(dropout) || dropout < 0 || dropout >= 1) throw new ConfigError(`LoRA dropout must be in [0, 1), got ${dropout}`);
  if ((fields.bias ?? 'none') !== 'none') {
    throw new ConfigError(`LoRA bias "${fields.bias}" is not supported: it would train the base model's biases`, 'Use bias "none"');
  }
  if (typeof targetModules === 'string') {
    if (targetModules.trim() === '') throw new ConfigError('LoRA targetModules is an empty string', 'Name modules, e.g. ["q_proj", "v_proj"], or use "all-linear"');
  } else if (!Array.isArray(targetModules) || targetModules.length === 0 || targetModules.some((t) => typeof t !== 'string' || t === '')) {
    throw new ConfigError(`LoRA targetModules must be a non-empty list of module names or "all-linear", got ${JSON.stringify(targetModules)}`);
  }
  return { r, alpha, dropout, targetModules: typeof targetModules === 'string' ? targetModules : [...targetModules], bias: 'none' };
}

/** Training needs dropout 0: a dropout mask would need randomness inside the ONNX graph, which it does not have. */
export function requireTrainableDropout(config: LoraConfig): void {
  if (config.dropout !== 0) {
    throw new ConfigError(
      `LoRA dropout ${config.dropout} cannot be trained: dropout would need randomness inside the graph, which the engine's graphs do not have`,
      'Set the LoRA dropout to 0',
    );
  }
}

/** alpha / r, PEFT's `scaling` without rsLoRA. */
export function loraScaling(config: Pick<LoraConfig, 'r' | 'alpha'>): number {
  return config.alpha / config.r;
}

/** True for 'all-linear' in any case, as PEFT compares it. */
export function isAllLinear(targetModules: LoraTargetModules): targetModules is string {
  return typeof targetModules === 'string' && targetModules.toLowerCase() === 'all-linear';
}

/**
 * The projections `config.targetModules` selects in `model`, in decoderParameters() order. Every list entry must
 * select something (stricter than PEFT, which only needs one entry to match): a misspelt name is a mistake.
 */
export function loraTargets(model: DecoderConfig, config: Pick<LoraConfig, 'targetModules'>): LoraTarget[] {
  const candidates = projections(model);
  const heads = headModules(model);
  const { targetModules } = config;
  if (isAllLinear(targetModules)) return candidates;
  const selects = typeof targetModules === 'string' ? fullMatch(targetModules) : (name: string) => targetModules.some((t) => name === t || name.endsWith(`.${t}`));
  const head = heads.find(selects);
  if (head) throw new ConfigError(`LoRA targetModules ${describe(targetModules)} selects the output head "${head}", which is not supported`, 'Target projections inside the layers');
  const chosen = candidates.filter((t) => selects(t.peftModule));
  if (typeof targetModules !== 'string') {
    const unmatched = targetModules.filter((t) => !candidates.some((c) => c.peftModule === t || c.peftModule.endsWith(`.${t}`)));
    if (unmatched.length > 0) throw noMatch(model, unmatched.map((t) => `"${t}"`).join(', '), candidates);
  } else if (chosen.length === 0) {
    throw noMatch(model, describe(targetModules), candidates);
  }
  return chosen;
}

/** Every projection matrix inside the layers (heads excluded), as a LoRA target. */
function projections(model: DecoderConfig): LoraTarget[] {
  const prefix = baseModelPrefix(model);
  return decoderParameters(model)
    .filter((spec) => spec.layout && spec.inBaseModel)
    .map((spec) => {
      const module = spec.name.slice(0, -'.weight'.length);
      const [rows, columns] = spec.shape;
      const layout = spec.layout!;
      return layout === 'in-out'
        ? { module, peftModule: prefix + module, inFeatures: rows, outFeatures: columns, layout }
        : { module, peftModule: prefix + module, inFeatures: columns, outFeatures: rows, layout };
    });
}

/** The head modules transformers builds (a tied head is still an `lm_head` Linear module). */
function headModules(model: DecoderConfig): string[] {
  return [model.head === 'sequence-classification' ? 'score' : 'lm_head'];
}

/** Python's re.fullmatch, as PEFT applies a string target_modules. */
function fullMatch(pattern: string): (name: string) => boolean {
  let regex: RegExp;
  try {
    regex = new RegExp(`^(?:${pattern})$`);
  } catch (error) {
    throw new ConfigError(`LoRA targetModules "${pattern}" is neither "all-linear" nor a valid regular expression: ${(error as Error).message}`);
  }
  return (name) => regex.test(name);
}

function noMatch(model: DecoderConfig, what: string, candidates: readonly LoraTarget[]): ConfigError {
  const names = [...new Set(candidates.map((c) => c.module.split('.').slice(-2).join('.')))].join(', ');
  return new ConfigError(`LoRA targetModules ${what} match no projection of ${model.architecture}`, `Its projections are ${names}`);
}

function describe(targetModules: LoraTargetModules): string {
  return typeof targetModules === 'string' ? `"${targetModules}"` : JSON.stringify(targetModules);
}
