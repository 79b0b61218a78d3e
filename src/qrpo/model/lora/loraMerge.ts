// Folds an adapter into full weights: W' = W + (alpha/r)·B·A in W's stored layout, i.e. transposed for GPT-2's
// Conv1D [in, out] (PEFT get_delta_weight: transpose(B @ A, fan_in_fan_out) * scaling). The result is a plain
// ModelWeights that every graph builder accepts, and it scores like the wrapped model.
import type { ModelWeights, ParameterTensor } from '../weights';
import { type LoraAdapter, loraAName, loraBName } from './loraAdapter';
import { loraScaling } from './loraConfig';
import { ModelFormatError } from '../../errors';

/** A copy of `base` with every targeted projection merged; untouched parameters share their arrays with `base`. */
export function mergeLoraWeights(base: ModelWeights, adapter: LoraAdapter): ModelWeights {
  const merged = new Map<string, ParameterTensor>(base);
  const scaling = loraScaling(adapter.config);
  const r = adapter.config.r;
  for (const target of adapter.targets) {
    const name = `${target.module}.weight`;
    const weight = base.get(name);
    if (!weight) throw new ModelFormatError(`the base weights have no "${name}", which the LoRA adapter wraps`);
    const a = adapter.weights.get(loraAName(target.module))!.data; // [r, in]
    const b = adapter.weights.get(loraBName(target.module))!.data; // [out, r]
    const { inFeatures: nIn, outFeatures: nOut } = target;
    const out = Float32Array.from(weight.data);
    for (let o = 0; o < nOut; o++) {
      for (let i = 0; i < nIn; i++) {
        let delta = 0; // accumulated in float64, rounded once when added
        for (let k = 0; k < r; k++) delta += b[o * r + k] * a[k * nIn + i];
        out[target.layout === 'in-out' ? i * nOut + o : o * nIn + i] += scaling * delta;
      }
    }
    merged.set(name, { shape: weight.shape, data: out });
  }
  return merged;
}
