// Elementwise float functions: Exp, Log, Sqrt, Pow (constant exponent), Tanh, Erf, Sigmoid. Each VJP multiplies
// the cotangent by f′, written with the forward's output where that is cheaper (exp, sqrt, tanh, sigmoid).
import { OpRule, Tensor } from '../ir';
import { div, mul, neg, sub } from './arithmetic';
import { requireFloat } from './operands';

const FILE = 'src/qrpo/graph/ops/elementwise.ts';

function unary<P>(rule: OpRule<P>, x: Tensor, params?: P, extraInputs: Tensor[] = []): Tensor {
  requireFloat(rule.onnxOp, x);
  return x.graph.apply(rule, [x, ...extraInputs], [{ dtype: x.dtype, shape: x.shape }], {}, params)[0];
}

const expRule: OpRule = { onnxOp: 'Exp', file: FILE, vjp: ({ outputs: [y], grads: [g] }) => [mul(g!, y)] };
const logRule: OpRule = { onnxOp: 'Log', file: FILE, vjp: ({ inputs: [x], grads: [g] }) => [div(g!, x)] };
// y = √x: ∂x = g / (2y).
const sqrtRule: OpRule = { onnxOp: 'Sqrt', file: FILE, vjp: ({ outputs: [y], grads: [g] }) => [div(mul(g!, 0.5), y)] };
// y = tanh x: ∂x = g·(1 − y²).
const tanhRule: OpRule = { onnxOp: 'Tanh', file: FILE, vjp: ({ outputs: [y], grads: [g] }) => [mul(g!, sub(1, mul(y, y)))] };
// y = σ(x): ∂x = g·y·(1 − y).
const sigmoidRule: OpRule = { onnxOp: 'Sigmoid', file: FILE, vjp: ({ outputs: [y], grads: [g] }) => [mul(g!, mul(y, sub(1, y)))] };
// y = erf x: ∂x = g·(2/√π)·exp(−x²).
const erfRule: OpRule = {
  onnxOp: 'Erf',
  file: FILE,
  vjp: ({ inputs: [x], grads: [g] }) => [mul(g!, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI)))],
};

// y = x^c for a constant c: ∂x = g·c·x^(c−1).
const powRule: OpRule<{ exponent: number }> = {
  onnxOp: 'Pow',
  file: FILE,
  vjp: ({ inputs: [x], params: { exponent }, grads: [g] }) => {
    const slope = exponent === 2 ? x : exponent === 1 ? undefined : pow(x, exponent - 1);
    return [slope ? mul(g!, mul(slope, exponent)) : g!, undefined];
  },
};

export const exp = (x: Tensor): Tensor => unary(expRule, x);
export const log = (x: Tensor): Tensor => unary(logRule, x);
export const sqrt = (x: Tensor): Tensor => unary(sqrtRule, x);
export const tanh = (x: Tensor): Tensor => unary(tanhRule, x);
export const sigmoid = (x: Tensor): Tensor => unary(sigmoidRule, x);
export const erf = (x: Tensor): Tensor => unary(erfRule, x);

/** x raised to a constant power. */
export function pow(x: Tensor, exponent: number): Tensor {
  return unary(powRule, x, { exponent }, [x.graph.scalar(exponent, x.dtype)]);
}
