// Checkpoint evaluation (qrpo.md §8): samples from a policy on held-out prompts, their rewards and quantiles against
// the reference samples, KL estimates, lengths, the length-controlled reward and length bias, per selection/reporting
// split; written to a run's evals/<step>/.
export * from './evalSplit';
export * from './evalStatistics';
export * from './evaluateCheckpoint';
export * from './evalFolder';
export * from './evalPrompts';
export * from './tokenScorer';
