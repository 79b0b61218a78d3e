// Training a decoder model: records → tokenized examples → padded micro-batches → the training graph, on CPU arrays
// (a GradientSource for trainer.ts) or device-resident on WebGPU; trainModel() picks by device.
export * from './recordTokens';
export * from './trainingExamples';
export * from './microBatch';
export * from './trainingMetrics';
export * from './modelSetup';
export * from './modelGradientSource';
export * from './deviceModel';
export * from './deviceTrainer';
export * from './trainModel';
