// onnxruntime sessions over our graphs, the choice of execution provider, device-resident tensors and the
// device-side AdamW step.
export * from './providers';
export { GraphSession } from './session';
export type { Feed, GraphSessionOptions, TensorValue } from './session';
export * from './tensorStore';
export * from './adamwGraph';
