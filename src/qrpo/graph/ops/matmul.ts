// MatMul with numpy batching (a 2-D weight broadcast over a batch of activations). vjp.md "MatMul":
// ∂X = G·Wᵀ, ∂W = Xᵀ·G, each summed over the batch axes its operand was broadcast along.
// The gradient of a 2-D operand broadcast over a batch folds the batch into the rows instead: X and G reshaped to
// [B·T, ·] give ∂W = X₂ᵀ·G₂ as one GEMM with inner dimension B·T. Summing B per-batch products afterwards costs a
// [B, in, out] temporary plus a ReduceSum and a Squeeze that copy it (docs/benchmarks.md, opportunity 1: 1.4–1.7×
// per weight gradient, and at B = 1 the "sum" was a 154 MB copy for GPT-2's head).
import { GraphError } from '../graphError';
import { OpRule, Tensor } from '../ir';
import { broadcastShapes, formatShape } from '../shapes';
import { sumToShape } from './arithmetic';
import { reshape, transpose, transposeLastTwo, unsqueeze } from './layout';

const FILE = 'src/qrpo/graph/ops/matmul.ts';

const matmulRule: OpRule = {
  onnxOp: 'MatMul',
  file: FILE,
  vjp: ({ inputs: [a, b], grads: [g], needs }) => [
    needs[0] ? sumToShape(matmul(g!, transposeLastTwo(b)), a.shape) : undefined,
    needs[1] ? (foldedWeightGrad(a, g!, b) ?? sumToShape(matmul(transposeLastTwo(a), g!), b.shape)) : undefined,
  ],
};

/** ∂w of y = x·w for a 2-D w with concrete dims and a batched x: x₂ᵀ·g₂ over [B·…·n] rows; otherwise undefined. */
function foldedWeightGrad(x: Tensor, g: Tensor, w: Tensor): Tensor | undefined {
  if (w.rank !== 2 || x.rank <= 2) return undefined;
  const [k, m] = w.shape;
  if (typeof k !== 'number' || typeof m !== 'number') return undefined;
  return matmul(leftTransposed(reshape(x, [-1, k])), reshape(g, [-1, m]));
}

/**
 * The transpose of a 2-D `x` [n, k] that a MatMul takes as its left operand, written so that onnxruntime does not
 * fuse it into FusedMatMul(transA): MLAS ran that ~1.1× slower than an explicit transpose plus a plain MatMul for
 * GPT-2's weight gradients, and no faster for the tied head's [50257, 768] one (bench/gradientShapes.ts). The last
 * axis goes to the front of a rank-3 view, then a Reshape (a Transpose straight into the MatMul is what gets fused).
 * When x is a batched tensor reshaped to rows, that tensor is transposed directly.
 */
export function leftTransposed(x: Tensor): Tensor {
  const [, k] = x.shape;
  const source = x.origin.kind === 'node' && x.origin.node.rule.onnxOp === 'Reshape' ? x.origin.node.inputs[0] : undefined;
  const rows = source && source.rank >= 3 && source.shape[source.rank - 1] === k ? source : unsqueeze(x, [0]);
  const lastFirst = [rows.rank - 1, ...Array.from({ length: rows.rank - 1 }, (_, i) => i)];
  return reshape(transpose(rows, lastFirst), [k, -1]);
}

/** a[..., n, k] · b[..., k, m] → [..., n, m]; both operands need rank ≥ 2 (reshape vectors first). */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.rank < 2 || b.rank < 2) throw new GraphError(`MatMul: operands need rank ≥ 2, got ${a.describe()} and ${b.describe()}`);
  if (a.dtype !== b.dtype) throw new GraphError(`MatMul: dtypes differ: ${a.describe()} and ${b.describe()}`);
  const k1 = a.shape[a.rank - 1];
  const k2 = b.shape[b.rank - 2];
  if (k1 !== k2 && typeof k1 === 'number' && typeof k2 === 'number') {
    throw new GraphError(`MatMul: inner dims differ: ${formatShape(a.shape)} · ${formatShape(b.shape)}`);
  }
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'MatMul');
  const shape = [...batch, a.shape[a.rank - 2], b.shape[b.rank - 1]];
  return a.graph.apply(matmulRule, [a, b], [{ dtype: a.dtype, shape }])[0];
}
