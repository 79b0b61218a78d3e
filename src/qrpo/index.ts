// The engine's library entry (`require('qrpo-lab/engine')`): the pure math, the dataset readers, model files,
// the graph builders and runtime, training, sampling, rewards, evaluation and runs.
export * from './errors';
export * from './math';
export * from './data';
export * from './model';
export * from './model/lora';
export * from './model/graphs';
export * from './runtime';
export * from './train';
export * from './sample';
export * from './reward';
export * from './eval';
export * from './run';
