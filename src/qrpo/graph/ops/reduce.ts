// ReduceSum and ReduceMean with axes as an input (opset 18). VJP: broadcast the cotangent back over the reduced
// axes, divided by the count for the mean (vjp.md, "ReduceSum / ReduceMean").
import { GraphError } from '../graphError';
import { OpRule, Tensor } from '../ir';
import { Dim, normaliseAxis } from '../shapes';
import { div } from './arithmetic';
import { cast } from './cast';
import { expandLike, sizeOf, unsqueeze } from './layout';

const FILE = 'src/qrpo/graph/ops/reduce.ts';

interface ReduceParams {
  axes: number[];
  keepDims: boolean;
}

function broadcastBack(g: Tensor, x: Tensor, { axes, keepDims }: ReduceParams): Tensor {
  return expandLike(keepDims ? g : unsqueeze(g, axes), x);
}

const reduceSumRule: OpRule<ReduceParams> = {
  onnxOp: 'ReduceSum',
  file: FILE,
  vjp: ({ inputs: [x], params, grads: [g] }) => [broadcastBack(g!, x, params), undefined],
};

const reduceMeanRule: OpRule<ReduceParams> = {
  onnxOp: 'ReduceMean',
  file: FILE,
  vjp: ({ inputs: [x], outputs: [y], params, grads: [g] }) => [div(broadcastBack(g!, x, params), reducedCount(x, y, params.axes)), undefined],
};

/** How many elements each mean averages: a constant for known dims, Size(x)/Size(y) at run time otherwise. */
function reducedCount(x: Tensor, y: Tensor, axes: readonly number[]): Tensor | number {
  const dims = axes.map((a) => x.shape[a]);
  if (dims.every((d) => typeof d === 'number')) return (dims as number[]).reduce((a, b) => a * b, 1);
  return cast(div(sizeOf(x), sizeOf(y)), x.dtype);
}

function reduce(rule: OpRule<ReduceParams>, x: Tensor, axes: readonly number[] | undefined, keepDims: boolean): Tensor {
  if (x.dtype === 'bool') throw new GraphError(`${rule.onnxOp}: cannot reduce ${x.describe()}; cast it to int64 or a float first`);
  const normal = [...new Set((axes ?? x.shape.map((_, i) => i)).map((a) => normaliseAxis(a, x.rank, rule.onnxOp)))].sort((a, b) => a - b);
  const shape: Dim[] = [];
  x.shape.forEach((d, i) => {
    if (!normal.includes(i)) shape.push(d);
    else if (keepDims) shape.push(1);
  });
  return x.graph.apply(rule, [x, x.graph.int64s(normal)], [{ dtype: x.dtype, shape }], { keepdims: { int: keepDims ? 1 : 0 } }, { axes: normal, keepDims })[0];
}

/** Sum over `axes` (all axes when omitted). */
export function reduceSum(x: Tensor, axes?: readonly number[], keepDims = false): Tensor {
  return reduce(reduceSumRule, x, axes, keepDims);
}

/** Mean over `axes` (all axes when omitted). */
export function reduceMean(x: Tensor, axes?: readonly number[], keepDims = false): Tensor {
  return reduce(reduceMeanRule, x, axes, keepDims);
}

