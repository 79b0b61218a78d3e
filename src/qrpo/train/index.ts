// Training machinery: AdamW (WebAssembly SIMD), learning-rate schedules, gradient accumulation and clipping,
// seeded randomness, atomic HF-format checkpoints and the training loop over any GradientSource.
export * from './adamw';
export * from './schedule';
export * from './gradients';
export * from './random';
export * from './checkpoint';
export * from './trainer';
export * from './modelTraining';
