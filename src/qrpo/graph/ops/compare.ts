// Comparisons and boolean logic (Equal, Less, LessOrEqual, And, Not) for masks: causal and key-padding masks,
// "last non-pad token" selections. Their outputs are bool, so they carry no gradient: the rule stops it on purpose.
import { GraphError } from '../graphError';
import { OpRule, Tensor } from '../ir';
import { broadcastShapes } from '../shapes';
import { Operand, tensorPair } from './operands';

const FILE = 'src/qrpo/graph/ops/compare.ts';

// A bool output has no cotangent, and the comparison is flat almost everywhere: no gradient to its inputs.
const noGradient = () => [undefined, undefined];

const equalRule: OpRule = { onnxOp: 'Equal', file: FILE, vjp: noGradient };
const lessRule: OpRule = { onnxOp: 'Less', file: FILE, vjp: noGradient };
const lessOrEqualRule: OpRule = { onnxOp: 'LessOrEqual', file: FILE, vjp: noGradient };
const andRule: OpRule = { onnxOp: 'And', file: FILE, vjp: noGradient };
const notRule: OpRule = { onnxOp: 'Not', file: FILE, vjp: () => [undefined] };

function compare(rule: OpRule, a: Operand, b: Operand): Tensor {
  const [ta, tb] = tensorPair(rule.onnxOp, a, b);
  const shape = broadcastShapes(ta.shape, tb.shape, rule.onnxOp);
  return ta.graph.apply(rule, [ta, tb], [{ dtype: 'bool', shape }])[0];
}

export const equal = (a: Operand, b: Operand): Tensor => compare(equalRule, a, b);
export const less = (a: Operand, b: Operand): Tensor => compare(lessRule, a, b);
export const lessOrEqual = (a: Operand, b: Operand): Tensor => compare(lessOrEqualRule, a, b);

export function and(a: Tensor, b: Tensor): Tensor {
  if (a.dtype !== 'bool' || b.dtype !== 'bool') throw new GraphError(`And: needs bool tensors, got ${a.describe()} and ${b.describe()}`);
  return compare(andRule, a, b);
}

export function not(x: Tensor): Tensor {
  if (x.dtype !== 'bool') throw new GraphError(`Not: needs a bool tensor, got ${x.describe()}`);
  return x.graph.apply(notRule, [x], [{ dtype: 'bool', shape: x.shape }])[0];
}
