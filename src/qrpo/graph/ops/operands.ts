// Argument checks shared by the op builders: numbers as scalar constants of the other operand's dtype, and the
// dtype/float requirements each op states in its message.
import { GraphError } from '../graphError';
import { Tensor } from '../ir';

/** A tensor, or a plain number that becomes a scalar constant of the dtype of the tensor it meets. */
export type Operand = Tensor | number;

export function scalarLike(like: Tensor, value: number): Tensor {
  return like.graph.scalar(value, like.dtype);
}

export function asTensor(operand: Operand, like: Tensor): Tensor {
  return typeof operand === 'number' ? scalarLike(like, operand) : operand;
}

/** Both operands as tensors of one dtype; at least one of them must be a tensor. */
export function tensorPair(op: string, a: Operand, b: Operand): [Tensor, Tensor] {
  if (typeof a === 'number' && typeof b === 'number') throw new GraphError(`${op}: at least one operand must be a tensor`);
  const like = (typeof a === 'number' ? b : a) as Tensor;
  const ta = asTensor(a, like);
  const tb = asTensor(b, like);
  if (ta.dtype !== tb.dtype) throw new GraphError(`${op}: dtypes differ: ${ta.describe()} and ${tb.describe()}; insert a cast()`);
  return [ta, tb];
}

export function requireFloat(op: string, x: Tensor): void {
  if (!x.isFloat) throw new GraphError(`${op}: needs a float32 or float64 tensor, got ${x.describe()}`);
}

export function requireRank(op: string, x: Tensor, min: number): void {
  if (x.rank < min) throw new GraphError(`${op}: needs a tensor of rank ≥ ${min}, got ${x.describe()}`);
}
