// Reverse-mode autodiff over the IR: walks the forward nodes backwards (graph order is topological), hands each
// node's output cotangents to its op's VJP rule (ops/*.ts) and sums the cotangents of tensors used more than once.
// Only float tensors that depend on a parameter carry cotangents: integer ids, masks and constants stop gradients.
import { customGradientOf } from './customGradient';
import { GraphError } from './graphError';
import { Tensor } from './ir';
import { add } from './ops/arithmetic';
import { zerosLike } from './ops/cast';
import { addOntoScatter } from './ops/gather';
import { formatShape } from './shapes';

/**
 * ∂loss/∂param for each param, as new tensors in the loss's graph (shaped like the params). Params the loss does
 * not depend on get zeros.
 */
export function gradients(loss: Tensor, params: readonly Tensor[]): Tensor[] {
  const graph = loss.graph;
  if (!loss.isFloat || !loss.shape.every((d) => d === 1)) {
    throw new GraphError(`autodiff needs a scalar float loss, got ${loss.describe()}; reduce it with reduceSum or reduceMean first`);
  }
  for (const p of params) {
    if (p.graph !== graph) throw new GraphError(`autodiff: parameter ${p.describe()} belongs to another graph than the loss`);
    if (!p.isFloat) throw new GraphError(`autodiff: parameter ${p.describe()} is not a float tensor`);
  }

  const forward = graph.nodes.slice();
  const dependsOnParam = new Set(params.map((p) => p.id));
  for (const node of forward) {
    if (node.inputs.some((t) => dependsOnParam.has(t.id))) {
      for (const out of node.outputs) if (out.isFloat) dependsOnParam.add(out.id);
    }
  }

  const cotangents = new Map<number, Tensor>();
  const seed = graph.constant([1], loss.shape as number[], loss.dtype);
  cotangents.set(loss.id, seed);

  for (let n = forward.length - 1; n >= 0; n--) {
    const node = forward[n];
    const grads = node.outputs.map((o) => cotangents.get(o.id));
    if (grads.every((g) => g === undefined)) continue;
    const custom = node.outputs.length === 1 ? customGradientOf(node.outputs[0]) : undefined;
    if (custom) {
      const inputGrads = custom.vjp(grads[0]!);
      custom.inputs.forEach((input, i) => {
        const g = inputGrads[i];
        if (dependsOnParam.has(input.id) && g) accumulate(input, g, 'custom gradient');
      });
      continue;
    }
    const needs = node.inputs.map((t) => dependsOnParam.has(t.id));
    if (!needs.some(Boolean)) continue;
    if (!node.rule.vjp) {
      throw new GraphError(
        `no gradient rule for ${node.rule.onnxOp} (node #${node.id}, inputs ${node.inputs.map((t) => t.describe()).join(', ')}) on the path from the loss to a parameter`,
        `Add a vjp to its rule in ${node.rule.file}, or wrap its input in stopGradient() if no gradient should flow there`,
      );
    }
    const inputGrads = node.rule.vjp({ node, inputs: node.inputs, outputs: node.outputs, params: node.params, grads, needs });
    node.inputs.forEach((input, i) => {
      const g = inputGrads[i];
      if (needs[i] && g) accumulate(input, g, node.rule.onnxOp);
    });
  }

  function accumulate(input: Tensor, g: Tensor, op: string): void {
    checkCotangent(op, input, g);
    const previous = cotangents.get(input.id);
    cotangents.set(input.id, previous ? (addOntoScatter(previous, g) ?? add(previous, g)) : g);
  }

  return params.map((p) => cotangents.get(p.id) ?? zerosLike(p));
}

/** A rule bug shows up here, at the op that made it, rather than as a shape error inside onnxruntime. */
function checkCotangent(op: string, input: Tensor, g: Tensor): void {
  const agrees =
    g.dtype === input.dtype &&
    g.rank === input.rank &&
    g.shape.every((d, i) => d === input.shape[i] || typeof d === 'string' || typeof input.shape[i] === 'string');
  if (!agrees) {
    throw new GraphError(`${op} VJP returned a ${g.dtype}${formatShape(g.shape)} cotangent for ${input.describe()}`);
  }
}
