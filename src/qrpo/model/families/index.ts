// Model families on the graph IR: GPT-2 and Llama (Qwen2, Mistral) forwards written once, forward only; masks,
// RoPE, attention and parameter binding they share; the LM and sequence-classification heads.
export * from './attention';
export * from './decoder';
export type { DecoderInputs, DecoderOutputs, FamilyForward } from './decoderInputs';
export { gpt2Forward } from './gpt2';
export { llamaForward } from './llama';
export * from './masks';
export * from './parameters';
export * from './rope';
