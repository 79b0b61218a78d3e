// Where(cond, a, b): masks such as the causal mask. The condition is data (no gradient); each branch gets the
// cotangent where it was chosen and zero elsewhere, summed back over broadcast axes.
import { GraphError } from '../graphError';
import { OpRule, Tensor } from '../ir';
import { broadcastShapes } from '../shapes';
import { sumToShape } from './arithmetic';
import { Operand, tensorPair } from './operands';

const FILE = 'src/qrpo/graph/ops/select.ts';

const whereRule: OpRule = {
  onnxOp: 'Where',
  file: FILE,
  vjp: ({ inputs: [cond, a, b], grads: [g], needs }) => [
    undefined,
    needs[1] ? sumToShape(where(cond, g!, 0), a.shape) : undefined,
    needs[2] ? sumToShape(where(cond, 0, g!), b.shape) : undefined,
  ],
};

/** cond ? a : b elementwise, with broadcasting of all three. */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  if (cond.dtype !== 'bool') throw new GraphError(`Where: the condition must be bool, got ${cond.describe()}`);
  const [ta, tb] = tensorPair('Where', a, b);
  const shape = broadcastShapes(cond.shape, broadcastShapes(ta.shape, tb.shape, 'Where'), 'Where');
  return cond.graph.apply(whereRule, [cond, ta, tb], [{ dtype: ta.dtype, shape }])[0];
}
