// A function written with primitive ops whose gradient is given in closed form instead of derived through them.
// Autodiff through the primitives is correct but spends one or two elementwise passes per primitive; a closed form
// that reuses the forward's intermediates needs far fewer (GPT-2's tanh GELU: 8 passes over [tokens, 4·d] instead
// of 13). Autodiff applies the closed form at the function's output node and skips that node's own rule, so the
// primitives inside receive no cotangent from it; intermediates that other ops also read still get theirs from
// those ops, so the chain rule holds whatever else uses them.
import { GraphError } from './graphError';
import { Tensor } from './ir';

export interface CustomGradient {
  /** The function's inputs, which receive the cotangents `vjp` returns, in this order. */
  readonly inputs: readonly Tensor[];
  /** The cotangent of each input, given the output's. */
  readonly vjp: (g: Tensor) => readonly (Tensor | undefined)[];
}

const customGradients = new WeakMap<Tensor, CustomGradient>();

/** Marks `output` (the output of an op node, computed from `inputs`) as differentiated by `vjp`. Returns it. */
export function withCustomGradient(output: Tensor, inputs: readonly Tensor[], vjp: CustomGradient['vjp']): Tensor {
  if (output.origin.kind !== 'node') throw new GraphError(`a custom gradient belongs on the output of an op, not on ${output.describe()}`);
  customGradients.set(output, { inputs, vjp });
  return output;
}

export function customGradientOf(output: Tensor): CustomGradient | undefined {
  return customGradients.get(output);
}
