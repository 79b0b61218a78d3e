// The metrics of one micro-batch, from the graph's per-row log-probs and the batch's inputs, named as TRL's DPO
// and CPO trainers and the QRPO reference trainer log them (qrpo.md §9): rewards/{chosen,rejected} are implicit
// rewards β·(logp − ref_logp) (SimPO: β·logp/|y|, no reference), means over the rows of that side;
// rewards/{margins,accuracies} are over pairs; logps/* are the policy's summed log-probs (SimPO: per token);
// QRPO adds percentile_rewards/* (the quantiles q), modified_rewards/* (f(clamp(q))) and modified_rewards/logZ,
// beta_logZ. A metric with no row to average in a micro-batch is left out.
import type { LossSettings, PackedMicroBatch } from './microBatch';
import type { TrainingSample } from './trainingExamples';

export interface MetricOptions {
  /** log Z_f(β) of the run's transform (QRPO), logged as modified_rewards/logZ and β·log Z as …/beta_logZ. */
  readonly logZ?: number;
}

export function microBatchMetrics(packed: PackedMicroBatch, logp: ArrayLike<number>, settings: LossSettings, options: MetricOptions = {}): Record<string, number> {
  const { loss, beta } = settings;
  if (loss.kind === 'sft') return {};
  const { rows, pairs } = packed;
  // SimPO's policy log-prob is the per-token average; its implicit reward has no reference term.
  const policyLogp = (i: number) => (loss.kind === 'simpo' ? logp[i] / scoredTokens(rows[i]) : logp[i]);
  const reward = (i: number) => beta * (loss.kind === 'simpo' ? policyLogp(i) : logp[i] - (rows[i].refLogp ?? 0));
  const metrics: Record<string, number> = {};
  const put = (name: string, values: readonly (number | undefined)[]) => {
    const defined = values.filter((v): v is number => v !== undefined);
    if (defined.length > 0) metrics[name] = defined.reduce((a, b) => a + b, 0) / defined.length;
  };
  for (const side of ['chosen', 'rejected'] as const) {
    const onSide = rows.map((_, i) => i).filter((i) => rows[i].side === side);
    put(`rewards/${side}`, onSide.map(reward));
    put(`logps/${side}`, onSide.map(policyLogp));
    if (loss.kind === 'qrpo') {
      put(`percentile_rewards/${side}`, onSide.map((i) => rows[i].quantile));
      put(`modified_rewards/${side}`, onSide.map((i) => rows[i].transformedReward));
    }
  }
  const pairIndices = Array.from({ length: pairs }, (_, i) => i);
  put('rewards/margins', pairIndices.map((i) => reward(i) - reward(i + pairs)));
  put('rewards/accuracies', pairIndices.map((i) => (reward(i) > reward(i + pairs) ? 1 : 0)));
  if (loss.kind === 'qrpo' && options.logZ !== undefined) {
    metrics['modified_rewards/logZ'] = options.logZ;
    metrics['modified_rewards/beta_logZ'] = beta * options.logZ;
  }
  return metrics;
}

/** Completion tokens that are predicted (and scored): the first token of a sequence has no prediction. */
function scoredTokens(row: TrainingSample): number {
  return row.completionIds.length - (row.promptIds.length === 0 ? 1 : 0);
}
