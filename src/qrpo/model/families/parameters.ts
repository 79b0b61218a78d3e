// Binds a model's parameters into a graph, per build: trainable ones become graph inputs named by their canonical
// name (fed each run, differentiable), frozen ones become initializers that stay inside the onnxruntime session
// (and on the device): engine-notes.md, "Frozen weights as initializers stay inside the session".
import { GraphError, type Graph, type Tensor } from '../../graph';
import type { DecoderConfig } from '../config';
import { decoderParameters, type ParameterSpec } from '../decoderParameters';
import type { ModelWeights } from '../weights';
import { ModelFormatError } from '../../errors';

/** Which parameters are trainable graph inputs: none, all, a list of canonical names, or a predicate. */
export type ParameterSelection = 'none' | 'all' | readonly string[] | ((name: string) => boolean);

export interface BoundParameters {
  /** The tensor standing for a parameter in the graph (input or initializer). */
  get(name: string): Tensor;
  has(name: string): boolean;
  /** Trainable parameters as graph inputs, in decoderParameters() order. */
  readonly trainable: readonly { readonly name: string; readonly tensor: Tensor; readonly spec: ParameterSpec }[];
}

/**
 * Every parameter the config implies, as an input (trainable) or a constant (frozen). `weights` must hold every
 * frozen parameter; trainable ones need only exist in the config (their values arrive at run time).
 */
export function bindParameters(graph: Graph, config: DecoderConfig, weights: ModelWeights | undefined, trainable: ParameterSelection): BoundParameters {
  const specs = decoderParameters(config);
  const isTrainable = selection(trainable, specs);
  const tensors = new Map<string, Tensor>();
  const inputs: { name: string; tensor: Tensor; spec: ParameterSpec }[] = [];
  for (const spec of specs) {
    if (isTrainable(spec.name)) {
      const tensor = graph.input(spec.name, 'float32', spec.shape);
      tensors.set(spec.name, tensor);
      inputs.push({ name: spec.name, tensor, spec });
      continue;
    }
    const value = weights?.get(spec.name);
    if (!value) throw new ModelFormatError(`the weights have no "${spec.name}", which a frozen ${config.architecture} parameter needs`);
    const agrees = value.shape.length === spec.shape.length && value.shape.every((d, i) => d === spec.shape[i]);
    if (!agrees) throw new ModelFormatError(`"${spec.name}" has shape [${value.shape}], but the config implies [${spec.shape}] (${spec.shapeInConfigTerms})`);
    tensors.set(spec.name, graph.constant(value.data, spec.shape));
  }
  return {
    get(name) {
      const t = tensors.get(name);
      if (!t) throw new GraphError(`the ${config.architecture} graph asked for parameter "${name}", which its config does not imply`);
      return t;
    },
    has: (name) => tensors.has(name),
    trainable: inputs,
  };
}

function selection(trainable: ParameterSelection, specs: readonly ParameterSpec[]): (name: string) => boolean {
  if (trainable === 'none') return () => false;
  if (trainable === 'all') return () => true;
  if (typeof trainable === 'function') return trainable;
  const known = new Set(specs.map((s) => s.name));
  for (const name of trainable) {
    if (!known.has(name)) throw new GraphError(`trainable parameter "${name}" is not a parameter of this model`);
  }
  const chosen = new Set(trainable);
  return (name) => chosen.has(name);
}
