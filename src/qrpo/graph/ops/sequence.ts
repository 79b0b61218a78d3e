// Index arithmetic over sequences, forward only: CumSum (position ids from an attention mask, as HF generate
// computes them), Range (query and key positions of the causal mask), ReduceMax, and a run-time dim as an int64
// scalar. They work on int64 data, which never carries a gradient; autodiff names them if a float path reaches them.
import { GraphError } from '../graphError';
import { Dim, normaliseAxis } from '../shapes';
import { OpRule, Tensor } from '../ir';
import { shapeOf } from './layout';

const FILE = 'src/qrpo/graph/ops/sequence.ts';

const cumSumRule: OpRule = { onnxOp: 'CumSum', file: FILE };
const rangeRule: OpRule = { onnxOp: 'Range', file: FILE };
const reduceMaxRule: OpRule = { onnxOp: 'ReduceMax', file: FILE };
const dimRule: OpRule = { onnxOp: 'Gather', file: FILE };

/** Inclusive running sum along `axis`. */
export function cumSum(x: Tensor, axis: number): Tensor {
  const a = normaliseAxis(axis, x.rank, 'CumSum');
  return x.graph.apply(cumSumRule, [x, x.graph.constant([a], [], 'int64')], [{ dtype: x.dtype, shape: x.shape }])[0];
}

/** [start, start + delta, …) below `limit`; scalars of one dtype. `length` names the result's (symbolic) size. */
export function range(start: Tensor, limit: Tensor, delta: Tensor, length: Dim): Tensor {
  for (const t of [start, limit, delta]) {
    if (t.rank !== 0) throw new GraphError(`Range: start, limit and delta must be scalars, got ${t.describe()}`);
    if (t.dtype !== start.dtype) throw new GraphError(`Range: dtypes differ: ${start.describe()} and ${t.describe()}`);
  }
  return start.graph.apply(rangeRule, [start, limit, delta], [{ dtype: start.dtype, shape: [length] }])[0];
}

/** Maximum over `axes` (forward only: used on integer indices). */
export function reduceMax(x: Tensor, axes: readonly number[], keepDims = false): Tensor {
  const normal = [...new Set(axes.map((a) => normaliseAxis(a, x.rank, 'ReduceMax')))].sort((a, b) => a - b);
  const shape = x.shape.flatMap((d, i) => (normal.includes(i) ? (keepDims ? [1] : []) : [d]));
  return x.graph.apply(reduceMaxRule, [x, x.graph.int64s(normal)], [{ dtype: x.dtype, shape }], { keepdims: { int: keepDims ? 1 : 0 } })[0];
}

/** The run-time size of `x` along `axis`, as an int64 scalar. */
export function dimSize(x: Tensor, axis: number): Tensor {
  const a = normaliseAxis(axis, x.rank, 'dimSize');
  return x.graph.apply(dimRule, [shapeOf(x), x.graph.constant([a], [], 'int64')], [{ dtype: 'int64', shape: [] }], { axis: { int: 0 } })[0];
}
