// Softmax and LogSoftmax over the last axis (vjp.md "Softmax (last axis)" and "Log-softmax + gather of targets").
// Both VJPs use the forward's output, so no V×V Jacobian is formed and exp is only applied to log-probs ≤ 0.
import { OpRule, Tensor } from '../ir';
import { mul, neg, sub } from './arithmetic';
import { exp } from './elementwise';
import { scatterElementsAdd, scatteredIntoZeros } from './gather';
import { requireFloat, requireRank } from './operands';
import { reduceSum } from './reduce';

const FILE = 'src/qrpo/graph/ops/softmax.ts';

// p = softmax(z): ∂z = p ⊙ (G − Σ(G ⊙ p)).
const softmaxRule: OpRule = {
  onnxOp: 'Softmax',
  file: FILE,
  vjp: ({ outputs: [p], grads: [g] }) => [mul(p, sub(g!, reduceSum(mul(g!, p), [-1], true)))],
};

// y = z − logsumexp(z): ∂z = G − softmax(z)·ΣG, with softmax(z) = exp(y).
const logSoftmaxRule: OpRule = {
  onnxOp: 'LogSoftmax',
  file: FILE,
  vjp: ({ outputs: [y], grads: [g] }) => [labelPickGrad(y, g!) ?? sub(g!, mul(exp(y), reduceSum(g!, [-1], true)))],
};

/**
 * The same rule when G is a scatter of per-label weights u into zeros (gatherElements' VJP, a cross-entropy):
 * ∂z = scatter-add of u onto −softmax(z)·Σu (vjp.md, "Log-softmax + gather of targets": g·(onehot − softmax)).
 * No zero [.., V] fill, no ReduceSum over V and no whole-tensor Sub (docs/benchmarks.md, opportunity 3).
 */
function labelPickGrad(y: Tensor, g: Tensor): Tensor | undefined {
  const pick = scatteredIntoZeros(g);
  if (!pick || pick.axis !== y.rank - 1) return undefined;
  const total = reduceSum(pick.updates, [-1], true);
  return scatterElementsAdd(mul(exp(y), neg(total)), pick.indices, pick.updates, pick.axis);
}

function lastAxis(rule: OpRule, z: Tensor): Tensor {
  requireFloat(rule.onnxOp, z);
  requireRank(rule.onnxOp, z, 1);
  return z.graph.apply(rule, [z], [{ dtype: z.dtype, shape: z.shape }], { axis: { int: -1 } })[0];
}

export const softmax = (z: Tensor): Tensor => lastAxis(softmaxRule, z);
export const logSoftmax = (z: Tensor): Tensor => lastAxis(logSoftmaxRule, z);
