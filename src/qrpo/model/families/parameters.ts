// Binds a model's parameters into a graph, per build: trainable ones become graph inputs named by their canonical
// name (fed each run, differentiable), frozen ones become initializers that stay inside the onnxruntime session
// (and on the device): engine-notes.md, "Frozen weights as initializers stay inside the session". A frozen parameter
// given as a file region (weights.ts loadFrozen) becomes a file-backed constant that onnxruntime reads itself. A
// projection wrapper (a LoRA adapter, model/lora/) adds its own parameters and a term to chosen projections without
// the forwards knowing about it: they call `project`.
import { GraphError, type Graph, type Tensor, add, matmul, transpose } from '../../graph';
import type { DecoderConfig } from '../config';
import { decoderParameters, type ParameterSpec } from '../decoderParameters';
import type { FrozenWeights } from '../weights';
import { ModelFormatError } from '../../errors';

/** Which parameters are trainable graph inputs: none, all, a list of canonical names, or a predicate. */
export type ParameterSelection = 'none' | 'all' | readonly string[] | ((name: string) => boolean);

export interface TrainableParameter {
  readonly name: string;
  readonly tensor: Tensor;
  readonly spec: ParameterSpec;
}

export interface BoundParameters {
  /** The tensor standing for a parameter in the graph (input or initializer). */
  get(name: string): Tensor;
  has(name: string): boolean;
  /**
   * x·W for the projection `module` (e.g. `h.0.attn.c_attn`, `layers.0.self_attn.q_proj`), W read in its stored
   * layout (Conv1D [in, out] or Linear [out, in]), plus the term a projection wrapper adds; no bias.
   */
  project(x: Tensor, module: string): Tensor;
  /** Trainable parameters as graph inputs: the model's in decoderParameters() order, then the wrapper's. */
  readonly trainable: readonly TrainableParameter[];
}

/** Something that adds a term to some projections, with parameters of its own (model/lora/loraGraph.ts). */
export interface ProjectionWrapper {
  /** Declares the wrapper's parameters in `graph` (inputs or initializers); called once per graph. */
  bind(graph: Graph, config: DecoderConfig): BoundProjectionWrapper;
}

export interface BoundProjectionWrapper {
  /** The wrapper's parameters that are graph inputs (they get gradients in the training graph). */
  readonly trainable: readonly TrainableParameter[];
  /** The term added to x·W of `module`, or undefined where the wrapper leaves that projection alone. */
  update(x: Tensor, module: string): Tensor | undefined;
}

/**
 * Every parameter the config implies, as an input (trainable) or a constant (frozen). `weights` must hold every
 * frozen parameter; trainable ones need only exist in the config (their values arrive at run time).
 */
export function bindParameters(
  graph: Graph,
  config: DecoderConfig,
  weights: FrozenWeights | undefined,
  trainable: ParameterSelection,
  wrapper?: ProjectionWrapper,
): BoundParameters {
  const specs = decoderParameters(config);
  const layouts = new Map(specs.filter((s) => s.layout).map((s) => [s.name, s.layout!]));
  const isTrainable = selection(trainable, specs);
  const tensors = new Map<string, Tensor>();
  const inputs: TrainableParameter[] = [];
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
    tensors.set(spec.name, 'file' in value ? graph.fileConstant('float32', spec.shape, value.file) : graph.constant(value.data, spec.shape));
  }
  const get = (name: string): Tensor => {
    const t = tensors.get(name);
    if (!t) throw new GraphError(`the ${config.architecture} graph asked for parameter "${name}", which its config does not imply`);
    return t;
  };
  const bound = wrapper?.bind(graph, config);
  return {
    get,
    has: (name) => tensors.has(name),
    project(x, module) {
      const name = `${module}.weight`;
      const layout = layouts.get(name);
      if (!layout) throw new GraphError(`"${module}" is not a projection of ${config.architecture} (no ${name} with a stored layout)`);
      const base = matmul(x, layout === 'in-out' ? get(name) : transpose(get(name)));
      const update = bound?.update(x, module);
      return update ? add(base, update) : base;
    },
    trainable: bound ? [...inputs, ...bound.trainable] : inputs,
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
