// onnxruntime sessions over our graphs, the choice of execution provider, device-resident tensors and the
// device-side AdamW step.
export * from './providers';
export { GraphSession, trainingSessionMemory } from './session';
export type { Feed, GraphSessionOptions, OutputBuffers, TensorValue } from './session';
export * from './tensorStore';
export * from './adamwGraph';
