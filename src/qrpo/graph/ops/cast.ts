// Cast, stop-gradient and zeros: the ops that decide where gradients do not flow. A cast back to the input's
// float dtype carries the cotangent through a mixed-precision boundary; casts from integers carry none.
import { DType, OpRule, Tensor, constantValue } from '../ir';
import { shapeTensorOf } from './layout';

const FILE = 'src/qrpo/graph/ops/cast.ts';

const ONNX_DTYPE: Record<DType, number> = { float32: 1, float64: 11, int64: 7, bool: 9 };

export function onnxDataType(dtype: DType): number {
  return ONNX_DTYPE[dtype];
}

const castRule: OpRule = {
  onnxOp: 'Cast',
  file: FILE,
  vjp: ({ inputs: [x], grads: [g] }) => [x.isFloat ? cast(g!, x.dtype) : undefined],
};

export function cast(x: Tensor, dtype: DType): Tensor {
  if (x.dtype === dtype) return x;
  return x.graph.apply(castRule, [x], [{ dtype, shape: x.shape }], { to: { int: ONNX_DTYPE[dtype] } })[0];
}

// Identity in the forward; the backward stops here (masks, targets, anything treated as data).
const stopGradientRule: OpRule = { onnxOp: 'Identity', file: FILE, vjp: () => [undefined] };

export function stopGradient(x: Tensor): Tensor {
  return x.graph.apply(stopGradientRule, [x], [{ dtype: x.dtype, shape: x.shape }])[0];
}

const constantOfShapeRule: OpRule = { onnxOp: 'ConstantOfShape', file: FILE };

/** Zeros with the shape and dtype of `like`, sized at run time (no initializer as large as a weight). */
export function zerosLike(like: Tensor): Tensor {
  return filledLike(like, 0);
}

/** Whether `t` is a zerosLike() fill, so that a scatter into it can scatter into something else instead. */
export function isZeros(t: Tensor): boolean {
  if (t.origin.kind !== 'node' || t.origin.node.rule !== constantOfShapeRule) return false;
  const value = t.origin.node.attributes.value;
  return 'tensor' in value && value.tensor.data.every((v: number | bigint) => Number(v) === 0);
}

export function filledLike(like: Tensor, value: number): Tensor {
  const fill = constantValue([value], [1], like.dtype);
  return like.graph.apply(constantOfShapeRule, [shapeTensorOf(like)], [{ dtype: like.dtype, shape: like.shape }], { value: { tensor: fill } })[0];
}
