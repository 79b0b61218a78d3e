// The graphs the engine runs, built from the model families: scoring (log-probs), training (loss + gradients),
// decoding (one KV-cache step) and reward (sequence-classification scores).
export * from './completionLogps';
export * from './decodingGraph';
export * from './modelInputs';
export * from './rewardGraph';
export * from './scoringGraph';
export * from './trainingGraph';
export * from './trainingLosses';
export * from './scoringBatch';
