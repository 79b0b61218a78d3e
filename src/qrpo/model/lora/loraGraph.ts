// LoRA as a projection wrapper (families/parameters.ts): each targeted projection computes
//   y = x·W (+ b) + (alpha/r)·(x·Aᵀ)·Bᵀ,
// PEFT's `result + lora_B(lora_A(dropout(x))) * scaling` (peft/tuners/lora/layer.py, Linear.forward) for Conv1D and
// Linear alike. The base W stays a frozen initializer inside the session; A and B are graph inputs (trainable, so the
// training graph differentiates them) or, for a fixed adapter, initializers too. The low-rank path never forms B·A,
// so the backward costs O(tokens·r·(in + out)) per projection instead of the full weight gradient.
import { type Graph, GraphError, type Tensor, matmul, mul, transpose } from '../../graph';
import type { DecoderConfig } from '../config';
import { decoderParameters } from '../decoderParameters';
import type { BoundProjectionWrapper, ProjectionWrapper, TrainableParameter } from '../families';
import { type LoraAdapter, type LoraLayout, loraAName, loraBName, loraParameters } from './loraAdapter';
import { loraScaling, requireTrainableDropout } from './loraConfig';

export interface LoraGraphOptions {
  /**
   * true (default): A and B are graph inputs named `<module>.lora_A.weight` / `.lora_B.weight`, fed each run
   * (loraFeeds) and differentiated by the training graph. false: initializers from the adapter's values.
   */
  readonly trainable?: boolean;
}

/** The wrapper to pass as `adapter` to the graph builders (model/graphs). */
export function loraProjections(lora: LoraLayout | LoraAdapter, options: LoraGraphOptions = {}): ProjectionWrapper {
  const trainable = options.trainable ?? true;
  if (trainable) requireTrainableDropout(lora.config);
  const weights = 'weights' in lora ? lora.weights : undefined;
  if (!trainable && !weights) throw new GraphError('a frozen LoRA wrapper needs the adapter\'s values; pass a LoraAdapter, or trainable: true');
  return {
    bind(graph: Graph, model: DecoderConfig): BoundProjectionWrapper {
      checkTargetsFit(lora, model);
      const tensors = new Map<string, Tensor>();
      const inputs: TrainableParameter[] = [];
      for (const spec of loraParameters(lora)) {
        if (trainable) {
          const tensor = graph.input(spec.name, 'float32', spec.shape);
          inputs.push({ name: spec.name, tensor, spec });
          tensors.set(spec.name, tensor);
        } else {
          tensors.set(spec.name, graph.constant(weights!.get(spec.name)!.data, spec.shape));
        }
      }
      const targets = new Set(lora.targets.map((t) => t.module));
      const scaling = loraScaling(lora.config);
      return {
        trainable: inputs,
        update(x, module) {
          if (!targets.has(module)) return undefined;
          const a = tensors.get(loraAName(module))!;
          const b = tensors.get(loraBName(module))!;
          // Scaled at rank r, where the activation is smallest: [.., r] rather than [.., out_features].
          return matmul(mul(matmul(x, transpose(a)), scaling), transpose(b));
        },
      };
    },
  };
}

/** A and B as GraphSession feeds for a graph built with a trainable LoRA wrapper. */
export function loraFeeds(adapter: LoraAdapter): Record<string, { data: Float32Array; dims: readonly number[] }> {
  return Object.fromEntries([...adapter.weights].map(([name, w]) => [name, { data: w.data, dims: w.shape }]));
}

/** The adapter was resolved against a config; the graph's config must give its projections the same shapes. */
function checkTargetsFit(lora: LoraLayout, model: DecoderConfig): void {
  const specs = new Map(decoderParameters(model).map((s) => [s.name, s]));
  for (const t of lora.targets) {
    const spec = specs.get(`${t.module}.weight`);
    const shape = t.layout === 'in-out' ? [t.inFeatures, t.outFeatures] : [t.outFeatures, t.inFeatures];
    if (!spec || spec.layout !== t.layout || spec.shape[0] !== shape[0] || spec.shape[1] !== shape[1]) {
      throw new GraphError(`the LoRA adapter wraps "${t.module}" as [${shape}] (${t.layout}), which ${model.architecture} of this config does not have`);
    }
  }
}
