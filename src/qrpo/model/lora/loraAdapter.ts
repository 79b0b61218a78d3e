// A LoRA adapter in memory: its config, the projections it wraps, and A [r, in_features] / B [out_features, r] per
// projection, under canonical names `<module>.lora_A.weight` / `.lora_B.weight` (PEFT's names without the
// `base_model.model.<base prefix>`). Both layouts store A and B the same way: PEFT builds lora_A = Linear(in, r) and
// lora_B = Linear(r, out) for a Conv1D too, taking in/out from Conv1D.weight.shape (peft/tuners/lora/layer.py,
// LoraLayer.__init__ and update_layer); only the merged delta is transposed for Conv1D (get_delta_weight).
import { ModelFormatError } from '../../errors';
import { SeededRandom } from '../../sample/random';
import type { DecoderConfig } from '../config';
import type { ParameterSpec } from '../decoderParameters';
import type { ModelWeights, ParameterTensor } from '../weights';
import { type LoraConfig, type LoraTarget, loraTargets } from './loraConfig';

/** What a graph needs to wrap projections: the config and the targets (values are fed at run time). */
export interface LoraLayout {
  readonly config: LoraConfig;
  readonly targets: readonly LoraTarget[];
}

export interface LoraAdapter extends LoraLayout {
  /** Canonical LoRA parameter name → values, row-major. */
  readonly weights: ModelWeights;
}

export const loraAName = (module: string): string => `${module}.lora_A.weight`;
export const loraBName = (module: string): string => `${module}.lora_B.weight`;

/** The A and B parameters of each target, with their shapes, as parameter specs (canonical names). */
export function loraParameters(layout: LoraLayout): ParameterSpec[] {
  const { r } = layout.config;
  return layout.targets.flatMap((t) => [
    { name: loraAName(t.module), shape: [r, t.inFeatures], shapeInConfigTerms: '[r, in_features]', inBaseModel: true },
    { name: loraBName(t.module), shape: [t.outFeatures, r], shapeInConfigTerms: '[out_features, r]', inBaseModel: true },
  ]);
}

export function loraLayout(model: DecoderConfig, config: LoraConfig): LoraLayout {
  return { config, targets: loraTargets(model, config) };
}

/**
 * A fresh adapter as PEFT initialises one (init_lora_weights=True): A by kaiming_uniform_(a=√5), i.e. uniform in
 * ±1/√in_features (gain √(2/(1+a²)) = √(1/3), bound = gain·√3/√fan_in), and B zeros, so the wrapped model starts
 * exactly equal to the base. Draws come from `seed` (the values differ from torch's generator, not the law).
 */
export function initLoraAdapter(model: DecoderConfig, config: LoraConfig, seed: number): LoraAdapter {
  const layout = loraLayout(model, config);
  const random = new SeededRandom(seed);
  const weights = new Map<string, ParameterTensor>();
  for (const spec of loraParameters(layout)) {
    const data = new Float32Array(spec.shape[0] * spec.shape[1]);
    if (spec.name.endsWith('.lora_A.weight')) {
      const bound = 1 / Math.sqrt(spec.shape[1]);
      for (let i = 0; i < data.length; i++) data[i] = (2 * random.next() - 1) * bound;
    }
    weights.set(spec.name, { shape: spec.shape, data });
  }
  return { ...layout, weights };
}

/** An adapter from values, checked: every A and B present with its shape, nothing else. */
export function loraAdapter(layout: LoraLayout, weights: ModelWeights): LoraAdapter {
  const specs = loraParameters(layout);
  for (const spec of specs) {
    const value = weights.get(spec.name);
    if (!value) throw new ModelFormatError(`the LoRA weights have no "${spec.name}"`);
    const agrees = value.shape.length === 2 && value.shape[0] === spec.shape[0] && value.shape[1] === spec.shape[1];
    if (!agrees || value.data.length !== spec.shape[0] * spec.shape[1]) {
      throw new ModelFormatError(`LoRA "${spec.name}" has shape [${value.shape}], but ${spec.shapeInConfigTerms} is [${spec.shape}]`);
    }
  }
  const known = new Set(specs.map((s) => s.name));
  const extra = [...weights.keys()].filter((name) => !known.has(name));
  if (extra.length > 0) throw new ModelFormatError(`the LoRA weights hold "${extra[0]}", which is not a parameter of this adapter's targets`);
  return { config: layout.config, targets: layout.targets, weights };
}
