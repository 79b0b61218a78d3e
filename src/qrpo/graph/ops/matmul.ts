// MatMul with numpy batching (a 2-D weight broadcast over a batch of activations). vjp.md "MatMul":
// ∂X = G·Wᵀ, ∂W = Xᵀ·G, each summed over the batch axes its operand was broadcast along.
import { GraphError } from '../graphError';
import { OpRule, Tensor } from '../ir';
import { broadcastShapes, formatShape } from '../shapes';
import { sumToShape } from './arithmetic';
import { transposeLastTwo } from './layout';

const FILE = 'src/qrpo/graph/ops/matmul.ts';

const matmulRule: OpRule = {
  onnxOp: 'MatMul',
  file: FILE,
  vjp: ({ inputs: [a, b], grads: [g], needs }) => [
    needs[0] ? sumToShape(matmul(g!, transposeLastTwo(b)), a.shape) : undefined,
    needs[1] ? sumToShape(matmul(transposeLastTwo(a), g!), b.shape) : undefined,
  ],
};

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
