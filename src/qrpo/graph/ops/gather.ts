// Gather (embedding rows) and GatherElements (a label's log-prob), with their scatter-add VJPs (vjp.md,
// "Embedding (Gather rows)" and "Log-softmax + gather of targets"): a row or element picked several times
// receives the sum of its cotangents, which ScatterND / ScatterElements with reduction="add" compute.
import { GraphError } from '../graphError';
import { OpRule, Tensor } from '../ir';
import { normaliseAxis, sameShape } from '../shapes';
import { isZeros, zerosLike } from './cast';
import { unsqueeze } from './layout';

const FILE = 'src/qrpo/graph/ops/gather.ts';

function requireIndices(op: string, indices: Tensor): void {
  if (indices.dtype !== 'int64') throw new GraphError(`${op}: indices must be int64, got ${indices.describe()}`);
}

const gatherRule: OpRule<{ axis: number }> = {
  onnxOp: 'Gather',
  file: FILE,
  vjp: ({ inputs: [data, indices], params: { axis }, grads: [g] }) => {
    if (axis !== 0) throw new GraphError(`Gather: the gradient is implemented for axis 0 (embedding rows) only, not axis ${axis}`);
    return [scatterNDAdd(zerosLike(data), unsqueeze(indices, [-1]), g!), undefined];
  },
};

/** data.shape[:axis] + indices.shape + data.shape[axis+1:]: rows of an embedding table for token ids. */
export function gather(data: Tensor, indices: Tensor, axis = 0): Tensor {
  requireIndices('Gather', indices);
  const a = normaliseAxis(axis, data.rank, 'Gather');
  const shape = [...data.shape.slice(0, a), ...indices.shape, ...data.shape.slice(a + 1)];
  return data.graph.apply(gatherRule, [data, indices], [{ dtype: data.dtype, shape }], { axis: { int: a } }, { axis: a })[0];
}

const gatherElementsRule: OpRule<{ axis: number }> = {
  onnxOp: 'GatherElements',
  file: FILE,
  vjp: ({ inputs: [data, indices], params: { axis }, grads: [g] }) => [scatterElementsAdd(zerosLike(data), indices, g!, axis), undefined],
};

/** out[i][j][k] = data[i][index[i][j][k]][k] for axis 1: picks one entry per position, shaped like `indices`. */
export function gatherElements(data: Tensor, indices: Tensor, axis: number): Tensor {
  requireIndices('GatherElements', indices);
  if (indices.rank !== data.rank) throw new GraphError(`GatherElements: ${indices.describe()} must have the rank of ${data.describe()}`);
  const a = normaliseAxis(axis, data.rank, 'GatherElements');
  return data.graph.apply(gatherElementsRule, [data, indices], [{ dtype: data.dtype, shape: indices.shape }], { axis: { int: a } }, { axis: a })[0];
}

const scatterNDRule: OpRule = { onnxOp: 'ScatterND', file: FILE };

/** data with `updates` added at the index tuples in `indices` (repeated indices accumulate). */
export function scatterNDAdd(data: Tensor, indices: Tensor, updates: Tensor): Tensor {
  requireIndices('ScatterND', indices);
  return data.graph.apply(scatterNDRule, [data, indices, updates], [{ dtype: data.dtype, shape: data.shape }], { reduction: { string: 'add' } })[0];
}

/** The pieces of a scatterElementsAdd into zeros (the cotangent gatherElements hands back), or undefined. */
export function scatteredIntoZeros(t: Tensor): { indices: Tensor; updates: Tensor; axis: number } | undefined {
  if (t.origin.kind !== 'node' || t.origin.node.rule !== scatterElementsRule || !isZeros(t.origin.node.inputs[0])) return undefined;
  const [, indices, updates] = t.origin.node.inputs;
  return { indices, updates, axis: (t.origin.node.params as { axis: number }).axis };
}

/**
 * a + b where one of them is a scatter-add into zeros (an embedding's or a label pick's cotangent): the same scatter
 * onto the other, which saves the zero fill and a whole-tensor Add. GPT-2's tied wte gets its head gradient and its
 * lookup gradient this way in one [V, d] buffer (docs/benchmarks.md, opportunity 2). Undefined when neither is.
 */
export function addOntoScatter(a: Tensor, b: Tensor): Tensor | undefined {
  for (const [scattered, other] of [[b, a], [a, b]]) {
    const node = scattered.origin.kind === 'node' ? scattered.origin.node : undefined;
    if (!node || !isZeros(node.inputs[0]) || other.dtype !== scattered.dtype || !sameShape(other.shape, scattered.shape)) continue;
    if (node.rule === scatterNDRule) return scatterNDAdd(other, node.inputs[1], node.inputs[2]);
    if (node.rule === scatterElementsRule) return scatterElementsAdd(other, node.inputs[1], node.inputs[2], (node.params as { axis: number }).axis);
  }
  return undefined;
}

const scatterElementsRule: OpRule<{ axis: number }> = { onnxOp: 'ScatterElements', file: FILE };

/** data with `updates` added along `axis` at `indices` (the adjoint of gatherElements). */
export function scatterElementsAdd(data: Tensor, indices: Tensor, updates: Tensor, axis: number): Tensor {
  requireIndices('ScatterElements', indices);
  axis = normaliseAxis(axis, data.rank, 'ScatterElements');
  return data.graph.apply(
    scatterElementsRule,
    [data, indices, updates],
    [{ dtype: data.dtype, shape: data.shape }],
    { axis: { int: axis }, reduction: { string: 'add' } },
    { axis },
  )[0];
}
