// Gather (embedding rows) and GatherElements (a label's log-prob), with their scatter-add VJPs (vjp.md,
// "Embedding (Gather rows)" and "Log-softmax + gather of targets"): a row or element picked several times
// receives the sum of its cotangents, which ScatterND / ScatterElements with reduction="add" compute.
import { GraphError } from '../graphError';
import { OpRule, Tensor } from '../ir';
import { normaliseAxis } from '../shapes';
import { zerosLike } from './cast';
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

const scatterElementsRule: OpRule = { onnxOp: 'ScatterElements', file: FILE };

/** data with `updates` added along `axis` at `indices` (the adjoint of gatherElements). */
export function scatterElementsAdd(data: Tensor, indices: Tensor, updates: Tensor, axis: number): Tensor {
  requireIndices('ScatterElements', indices);
  return data.graph.apply(
    scatterElementsRule,
    [data, indices, updates],
    [{ dtype: data.dtype, shape: data.shape }],
    { axis: { int: axis }, reduction: { string: 'add' } },
  )[0];
}
