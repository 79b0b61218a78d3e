// Slice (RoPE halves, q/k/v splits, shifted logits) and Concat. Slice's VJP pads the cotangent with zeros back
// to the input's extent; Concat's slices the cotangent into its inputs' pieces (vjp.md, "Split / Concat").
import { GraphError } from '../graphError';
import { OpRule, Tensor } from '../ir';
import { Dim, normaliseAxis } from '../shapes';

const FILE = 'src/qrpo/graph/ops/slicing.ts';

/** An `end` meaning "to the end of the axis" (ONNX clamps it). */
export const TO_END = Number.MAX_SAFE_INTEGER;

interface SliceParams {
  axes: number[];
  starts: number[];
  ends: number[];
}

/** Zeros before and after the slice on each sliced axis, or undefined where a symbolic dim hides them. */
function padAmounts(dim: Dim, start: number, end: number): [number, number] | undefined {
  if (typeof dim === 'number') {
    const s = clamp(start < 0 ? dim + start : start, dim);
    const e = Math.max(s, clamp(end < 0 ? dim + end : end, dim));
    return [s, dim - e];
  }
  if (start < 0) return undefined;
  if (end === TO_END) return [start, 0];
  if (end < 0) return [start, -end];
  return undefined;
}

function clamp(i: number, dim: number): number {
  return Math.min(Math.max(i, 0), dim);
}

function slicedDim(dim: Dim, start: number, end: number): Dim {
  if (typeof dim === 'number') {
    const [before, after] = padAmounts(dim, start, end)!;
    return dim - before - after;
  }
  if (start >= 0 && (end === TO_END || end < 0)) {
    const removed = start + (end === TO_END ? 0 : -end);
    return removed === 0 ? dim : `${dim}-${removed}`;
  }
  if (start < 0 && end === TO_END) return -start;
  if (start < 0 && end < 0) return Math.max(0, end - start);
  if (start >= 0 && end >= 0) return Math.max(0, end - start);
  throw new GraphError(`Slice: cannot size [${start}, ${end}) of symbolic dim '${dim}'`);
}

const padRule: OpRule = { onnxOp: 'Pad', file: FILE };

const sliceRule: OpRule<SliceParams> = {
  onnxOp: 'Slice',
  file: FILE,
  vjp: ({ inputs: [x], params: { axes, starts, ends }, grads: [g] }) => {
    const before = new Array<number>(x.rank).fill(0);
    const after = new Array<number>(x.rank).fill(0);
    axes.forEach((axis, i) => {
      const pads = padAmounts(x.shape[axis], starts[i], ends[i]);
      if (!pads) throw new GraphError(`Slice: no gradient for [${starts[i]}, ${ends[i]}) of symbolic dim '${x.shape[axis]}' in ${x.describe()}`);
      [before[axis], after[axis]] = pads;
    });
    const padded = x.graph.apply(padRule, [g!, x.graph.int64s([...before, ...after])], [{ dtype: g!.dtype, shape: x.shape }])[0];
    return [padded, undefined, undefined, undefined];
  },
};

/** x[start:end] along each of `axes` (step 1; negative indices count from the end; TO_END for open ends). */
export function slice(x: Tensor, axes: readonly number[], starts: readonly number[], ends: readonly number[]): Tensor {
  if (axes.length !== starts.length || axes.length !== ends.length) throw new GraphError('Slice: axes, starts and ends differ in length');
  const normal = axes.map((a) => normaliseAxis(a, x.rank, 'Slice'));
  const shape = [...x.shape];
  normal.forEach((axis, i) => (shape[axis] = slicedDim(x.shape[axis], starts[i], ends[i])));
  const g = x.graph;
  const params: SliceParams = { axes: normal, starts: [...starts], ends: [...ends] };
  return g.apply(sliceRule, [x, g.int64s(starts), g.int64s(ends), g.int64s(normal)], [{ dtype: x.dtype, shape }], {}, params)[0];
}

const concatRule: OpRule<{ axis: number }> = {
  onnxOp: 'Concat',
  file: FILE,
  vjp: ({ inputs, params: { axis }, grads: [g], needs }) => {
    let offset = 0;
    return inputs.map((x, i) => {
      const size = x.shape[axis];
      const last = i === inputs.length - 1;
      if (typeof size !== 'number' && !last) {
        throw new GraphError(`Concat: no gradient through inputs with a symbolic size '${size}' on the concatenated axis, except the last`);
      }
      const start = offset;
      offset += typeof size === 'number' ? size : 0;
      return needs[i] ? slice(g!, [axis], [start], [last ? TO_END : start + (size as number)]) : undefined;
    });
  },
};

/** Joins tensors along `axis`; all other dims must agree. */
export function concat(xs: readonly Tensor[], axis: number): Tensor {
  if (xs.length === 0) throw new GraphError('Concat: needs at least one tensor');
  const first = xs[0];
  const a = normaliseAxis(axis, first.rank, 'Concat');
  for (const x of xs) {
    const agrees = x.rank === first.rank && x.dtype === first.dtype && x.shape.every((d, i) => i === a || d === first.shape[i]);
    if (!agrees) throw new GraphError(`Concat on axis ${a}: ${x.describe()} does not match ${first.describe()}`);
  }
  const sizes = xs.map((x) => x.shape[a]);
  const numeric = sizes.filter((d): d is number => typeof d === 'number').reduce((p, d) => p + d, 0);
  const symbols = sizes.filter((d): d is string => typeof d === 'string');
  const joined: Dim = symbols.length === 0 ? numeric : [...symbols, ...(numeric ? [String(numeric)] : [])].join('+');
  const shape = [...first.shape];
  shape[a] = joined;
  return first.graph.apply(concatRule, xs, [{ dtype: first.dtype, shape }], { axis: { int: a } }, { axis: a })[0];
}
