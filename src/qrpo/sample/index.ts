// Sampling completions from a decoder: seeded randomness, transformers' logits warpers, stop criteria and batched
// KV-cached generation over any DecoderStep.
export * from './decoderStep';
export * from './generate';
export * from './logitsProcessors';
export * from './nextToken';
export * from './random';
export * from './stopStrings';
export * from './onnxDecoder';
export * from './promptFile';
