// Re-indexing ops: Reshape, Transpose, Unsqueeze, Squeeze, Expand, and the int64 Shape/Size ops that let the
// backward pass reshape to a symbolic shape. Their VJPs are the inverse re-indexing of the cotangent (vjp.md,
// "Reshape / Transpose / Split / Concat"); Expand's is a sum over the broadcast axes.
import { GraphError } from '../graphError';
import { OpRule, Tensor } from '../ir';
import { Dim, Shape, broadcastShapes, dimProduct, formatShape, isConcrete, normaliseAxis } from '../shapes';
import { sumToShape } from './arithmetic';
import { leftTransposed, matmul } from './matmul';

const FILE = 'src/qrpo/graph/ops/layout.ts';

const shapeRule: OpRule = { onnxOp: 'Shape', file: FILE };
const sizeRule: OpRule = { onnxOp: 'Size', file: FILE };

/** The run-time shape of `x` as an int64 vector. */
export function shapeOf(x: Tensor): Tensor {
  return x.graph.apply(shapeRule, [x], [{ dtype: 'int64', shape: [x.rank] }])[0];
}

/** The run-time element count of `x` as an int64 scalar. */
export function sizeOf(x: Tensor): Tensor {
  return x.graph.apply(sizeRule, [x], [{ dtype: 'int64', shape: [] }])[0];
}

/** `x`'s shape as an int64 vector: a constant when every dim is known, otherwise computed at run time. */
export function shapeTensorOf(x: Tensor): Tensor {
  return isConcrete(x.shape) ? x.graph.int64s(x.shape) : shapeOf(x);
}

const reshapeRule: OpRule = {
  onnxOp: 'Reshape',
  file: FILE,
  vjp: ({ inputs: [x], grads: [g] }) => [reshapeLike(g!, x), undefined],
};

/**
 * Reshape to `dims`: numbers are sizes (0 copies the input dim at that index, -1 is inferred), a symbol equal to
 * the input's dim at the same index is copied, and at most one other symbol names the inferred dim.
 */
export function reshape(x: Tensor, dims: readonly Dim[]): Tensor {
  const onnxDims: number[] = [];
  const shape: Dim[] = [];
  let inferred = -1;
  dims.forEach((d, i) => {
    if (typeof d === 'string' && x.shape[i] === d) {
      onnxDims.push(0);
      shape.push(d);
    } else if (d === 0) {
      if (i >= x.rank) throw new GraphError(`Reshape: dim 0 at index ${i} has no input dim to copy from ${x.describe()}`);
      onnxDims.push(0);
      shape.push(x.shape[i]);
    } else if (typeof d === 'string' || d === -1) {
      if (inferred >= 0) throw new GraphError(`Reshape of ${x.describe()} to ${formatShape(dims)}: more than one dim to infer`);
      inferred = i;
      onnxDims.push(-1);
      shape.push(d);
    } else {
      onnxDims.push(d);
      shape.push(d);
    }
  });
  if (inferred >= 0 && shape[inferred] === -1) shape[inferred] = inferDim(x.shape, shape.filter((_, i) => i !== inferred), dims);
  return reshapeTo(x, x.graph.int64s(onnxDims), shape);
}

/** The dim a -1 stands for: the input's size over the known output dims, symbolically where needed. */
function inferDim(input: Shape, known: Shape, dims: readonly Dim[]): Dim {
  const symbols = input.filter((d): d is string => typeof d === 'string');
  let n = input.reduce<number>((p, d) => (typeof d === 'number' ? p * d : p), 1);
  for (const d of known) {
    if (typeof d === 'number') {
      if (n % d !== 0) throw new GraphError(`Reshape of ${formatShape(input)} to ${formatShape(dims)}: sizes do not divide`);
      n /= d;
    } else {
      const at = symbols.indexOf(d);
      if (at < 0) throw new GraphError(`Reshape of ${formatShape(input)} to ${formatShape(dims)}: cannot infer the -1 dim; name it`);
      symbols.splice(at, 1);
    }
  }
  return dimProduct([...symbols, n]);
}

function reshapeTo(x: Tensor, shapeTensor: Tensor, shape: Shape): Tensor {
  return x.graph.apply(reshapeRule, [x, shapeTensor], [{ dtype: x.dtype, shape }])[0];
}

/** `g` reshaped to the shape of `like` (which may be symbolic). */
export function reshapeLike(g: Tensor, like: Tensor): Tensor {
  return reshapeTo(g, shapeTensorOf(like), like.shape);
}

const transposeRule: OpRule<{ perm: number[] }> = {
  onnxOp: 'Transpose',
  file: FILE,
  vjp: ({ params: { perm }, grads: [g] }) => {
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => (inverse[p] = i));
    return [transposedProduct(g!, inverse) ?? transpose(g!, inverse)];
  },
};

/**
 * (A·B)ᵀ as Bᵀ·Aᵀ when g is a 2-D product: the cotangent of a transposed weight (x·Wᵀ, Llama's projections and the
 * tied LM head) then comes out of one MatMul in W's own layout, with no [in, out] temporary transposed afterwards
 * (the head's [768, 50257] Transpose, docs/benchmarks.md opportunity 2). Only for cotangents: a product the forward
 * also uses elsewhere would be computed twice.
 */
function transposedProduct(g: Tensor, perm: readonly number[]): Tensor | undefined {
  if (g.rank !== 2 || perm[0] !== 1 || g.origin.kind !== 'node' || g.origin.node.rule.onnxOp !== 'MatMul') return undefined;
  const [a, b] = g.origin.node.inputs;
  if (a.rank !== 2 || b.rank !== 2) return undefined;
  return matmul(leftTransposed(b), transpose(a));
}

/** Permutes axes (default: reverses them). A transpose of a transpose that restores the order is its input. */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const p = perm ? perm.map((a) => normaliseAxis(a, x.rank, 'Transpose')) : x.shape.map((_, i) => x.rank - 1 - i);
  if (p.length !== x.rank || new Set(p).size !== p.length) throw new GraphError(`Transpose: perm [${perm}] does not permute ${x.describe()}`);
  if (x.origin.kind === 'node' && x.origin.node.rule === transposeRule) {
    const inner = (x.origin.node.params as { perm: number[] }).perm;
    if (p.every((a, i) => inner[a] === i)) return x.origin.node.inputs[0];
  }
  return x.graph.apply(transposeRule, [x], [{ dtype: x.dtype, shape: p.map((a) => x.shape[a]) }], { perm: { ints: p } }, { perm: p })[0];
}

/** Swaps the last two axes (matrix transpose of a batch of matrices). */
export function transposeLastTwo(x: Tensor): Tensor {
  const perm = x.shape.map((_, i) => i);
  [perm[x.rank - 2], perm[x.rank - 1]] = [perm[x.rank - 1], perm[x.rank - 2]];
  return transpose(x, perm);
}

const unsqueezeRule: OpRule<{ axes: number[] }> = {
  onnxOp: 'Unsqueeze',
  file: FILE,
  vjp: ({ params: { axes }, grads: [g] }) => [squeeze(g!, axes), undefined],
};

/** Inserts size-1 axes; `axes` index the output. */
export function unsqueeze(x: Tensor, axes: readonly number[]): Tensor {
  const rank = x.rank + axes.length;
  const normal = [...new Set(axes.map((a) => normaliseAxis(a, rank, 'Unsqueeze')))].sort((a, b) => a - b);
  const shape: Dim[] = [];
  let from = 0;
  for (let i = 0; i < rank; i++) shape.push(normal.includes(i) ? 1 : x.shape[from++]);
  return x.graph.apply(unsqueezeRule, [x, x.graph.int64s(normal)], [{ dtype: x.dtype, shape }], {}, { axes: normal })[0];
}

const squeezeRule: OpRule<{ axes: number[] }> = {
  onnxOp: 'Squeeze',
  file: FILE,
  vjp: ({ params: { axes }, grads: [g] }) => [unsqueeze(g!, axes), undefined],
};

/** Removes the given size-1 axes. */
export function squeeze(x: Tensor, axes: readonly number[]): Tensor {
  const normal = [...new Set(axes.map((a) => normaliseAxis(a, x.rank, 'Squeeze')))].sort((a, b) => a - b);
  for (const a of normal) {
    if (x.shape[a] !== 1) throw new GraphError(`Squeeze: axis ${a} of ${x.describe()} is not of size 1`);
  }
  const shape = x.shape.filter((_, i) => !normal.includes(i));
  return x.graph.apply(squeezeRule, [x, x.graph.int64s(normal)], [{ dtype: x.dtype, shape }], {}, { axes: normal })[0];
}

const expandRule: OpRule = {
  onnxOp: 'Expand',
  file: FILE,
  vjp: ({ inputs: [x], grads: [g] }) => [sumToShape(g!, x.shape), undefined],
};

/** Broadcasts `x` to `dims`; a symbolic dim must be one `x` already has at that (right-aligned) position. */
export function expand(x: Tensor, dims: readonly Dim[]): Tensor {
  const lead = dims.length - x.rank;
  const onnxDims = dims.map((d, i) => {
    if (typeof d === 'number') return d;
    if (i >= lead && x.shape[i - lead] === d) return 1; // 1 keeps the input's own dim under Expand's broadcasting
    throw new GraphError(`Expand of ${x.describe()} to ${formatShape(dims)}: symbolic dim '${d}' must already be in the input`);
  });
  const shape = broadcastShapes(x.shape, dims, 'Expand');
  return x.graph.apply(expandRule, [x, x.graph.int64s(onnxDims)], [{ dtype: x.dtype, shape }])[0];
}

/** `g` broadcast to the shape of `like` (which may be symbolic). */
export function expandLike(g: Tensor, like: Tensor): Tensor {
  const shape = broadcastShapes(g.shape, like.shape, 'Expand');
  return g.graph.apply(expandRule, [g, shapeTensorOf(like)], [{ dtype: g.dtype, shape }])[0];
}
