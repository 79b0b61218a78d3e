// Abs and Softplus, the kinks and smooth kinks of the losses: QRPO's mae variant |residual| and the −log σ(Δ) of
// DPO and SimPO written as softplus(−Δ), which onnxruntime evaluates without overflow for large |Δ|.
import { OpRule, Tensor } from '../ir';
import { mul } from './arithmetic';
import { sigmoid } from './elementwise';
import { requireFloat } from './operands';

const FILE = 'src/qrpo/graph/ops/piecewise.ts';

const signRule: OpRule = { onnxOp: 'Sign', file: FILE };

// y = |x|: ∂x = g·sign(x), 0 at the kink (PyTorch's choice, and math/losses.ts's mae gradient).
const absRule: OpRule = {
  onnxOp: 'Abs',
  file: FILE,
  vjp: ({ inputs: [x], grads: [g] }) => [mul(g!, x.graph.apply(signRule, [x], [{ dtype: x.dtype, shape: x.shape }])[0])],
};

// y = log(1 + eˣ): ∂x = g·σ(x).
const softplusRule: OpRule = { onnxOp: 'Softplus', file: FILE, vjp: ({ inputs: [x], grads: [g] }) => [mul(g!, sigmoid(x))] };

export function abs(x: Tensor): Tensor {
  requireFloat('Abs', x);
  return x.graph.apply(absRule, [x], [{ dtype: x.dtype, shape: x.shape }])[0];
}

export function softplus(x: Tensor): Tensor {
  requireFloat('Softplus', x);
  return x.graph.apply(softplusRule, [x], [{ dtype: x.dtype, shape: x.shape }])[0];
}
