// Add, Sub, Mul, Div (numpy broadcasting) and Neg. The VJP of broadcasting is `sumToShape`: the cotangent of an
// operand that was broadcast along some axes is summed over them (vjp.md, "Add / Mul (broadcast)").
import { Tensor, OpRule } from '../ir';
import { broadcastAxes, broadcastShapes, Shape } from '../shapes';
import { Operand, tensorPair } from './operands';
import { reduceSum } from './reduce';
import { squeeze } from './layout';

const FILE = 'src/qrpo/graph/ops/arithmetic.ts';

function binary(rule: OpRule, a: Operand, b: Operand): Tensor {
  const [ta, tb] = tensorPair(rule.onnxOp, a, b);
  const shape = broadcastShapes(ta.shape, tb.shape, rule.onnxOp);
  return ta.graph.apply(rule, [ta, tb], [{ dtype: ta.dtype, shape }])[0];
}

/** Sums a cotangent over the axes its operand was broadcast along, so that it has the operand's shape. */
export function sumToShape(grad: Tensor, shape: Shape): Tensor {
  const axes = broadcastAxes(shape, grad.shape);
  if (axes.length === 0) return grad;
  const lead = grad.rank - shape.length;
  // Only leading axes (a bias over [B, T, ·]): one ReduceSum that drops them, no Squeeze copying the result.
  if (axes.length === lead) return reduceSum(grad, axes, false);
  const summed = reduceSum(grad, axes, true);
  return lead > 0 ? squeeze(summed, Array.from({ length: lead }, (_, i) => i)) : summed;
}

const addRule: OpRule = {
  onnxOp: 'Add',
  file: FILE,
  vjp: ({ inputs: [a, b], grads: [g], needs }) => [needs[0] ? sumToShape(g!, a.shape) : undefined, needs[1] ? sumToShape(g!, b.shape) : undefined],
};

const subRule: OpRule = {
  onnxOp: 'Sub',
  file: FILE,
  vjp: ({ inputs: [a, b], grads: [g], needs }) => [
    needs[0] ? sumToShape(g!, a.shape) : undefined,
    needs[1] ? sumToShape(neg(g!), b.shape) : undefined,
  ],
};

const mulRule: OpRule = {
  onnxOp: 'Mul',
  file: FILE,
  vjp: ({ inputs: [a, b], grads: [g], needs }) => [
    needs[0] ? sumToShape(mul(g!, b), a.shape) : undefined,
    needs[1] ? sumToShape(mul(g!, a), b.shape) : undefined,
  ],
};

// y = a / b: ∂a = g / b, ∂b = −g·a / b² = −(g·y) / b (reuses the forward's quotient).
const divRule: OpRule = {
  onnxOp: 'Div',
  file: FILE,
  vjp: ({ inputs: [a, b], outputs: [y], grads: [g], needs }) => [
    needs[0] ? sumToShape(div(g!, b), a.shape) : undefined,
    needs[1] ? sumToShape(neg(div(mul(g!, y), b)), b.shape) : undefined,
  ],
};

const negRule: OpRule = {
  onnxOp: 'Neg',
  file: FILE,
  vjp: ({ grads: [g] }) => [neg(g!)],
};

export const add = (a: Operand, b: Operand): Tensor => binary(addRule, a, b);
export const sub = (a: Operand, b: Operand): Tensor => binary(subRule, a, b);
export const mul = (a: Operand, b: Operand): Tensor => binary(mulRule, a, b);
export const div = (a: Operand, b: Operand): Tensor => binary(divRule, a, b);

export function neg(x: Tensor): Tensor {
  return x.graph.apply(negRule, [x], [{ dtype: x.dtype, shape: x.shape }])[0];
}
