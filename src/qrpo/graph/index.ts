// The graph IR, its ops, reverse-mode autodiff and ONNX emission (see docs/vjp.md for the derivative rules).
export * from './ir';
export * from './shapes';
export * from './ops';
export { gradients } from './autodiff';
export { encodeModel, toModelProto, liveInputNames, OPSET } from './onnxEmit';
export type { EmitOptions } from './onnxEmit';
export { GraphError } from './graphError';
