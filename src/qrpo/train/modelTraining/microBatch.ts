// A micro-batch of examples as the training graph's feeds: right-padded int64 rows (scoringBatch.ts) with, for pairs,
// every chosen row first and then every rejected row in the same order (trainingLosses.ts reads row i and row
// i + pairs as pair i), then single completions; and the loss's per-row and scalar inputs.
import type { TensorValue } from '../../runtime/session';
import { type ScoringBatch, type TrainingLoss, packScoringBatch, scoringFeeds } from '../../model/graphs';
import type { TrainingExample, TrainingSample } from './trainingExamples';

/** The scalar hyper-parameters the losses read (TRL's names: beta, gamma_beta_ratio). */
export interface LossSettings {
  readonly loss: TrainingLoss;
  readonly beta: number;
  /** SimPO's γ/β (default 0.5). */
  readonly gammaBetaRatio?: number;
}

export interface PackedMicroBatch {
  readonly batch: ScoringBatch;
  /** Rows in order: `pairs` chosen rows, `pairs` rejected rows, then the single completions. */
  readonly rows: readonly TrainingSample[];
  readonly pairs: number;
  readonly feeds: Record<string, TensorValue>;
}

export function packMicroBatch(examples: readonly TrainingExample[], indices: readonly number[], settings: LossSettings, padTokenId: number): PackedMicroBatch {
  const chosen: TrainingSample[] = [];
  const rejected: TrainingSample[] = [];
  const singles: TrainingSample[] = [];
  for (const index of indices) {
    const example = examples[index];
    if (example.kind === 'pair') {
      chosen.push(example.chosen);
      rejected.push(example.rejected);
    } else {
      singles.push(example.sample);
    }
  }
  const rows = [...chosen, ...rejected, ...singles];
  const batch = packScoringBatch(rows.map((r) => ({ prompt: r.promptIds, completion: r.completionIds })), { padding: 'right', padTokenId });
  return { batch, rows, pairs: chosen.length, feeds: { ...scoringFeeds(batch), ...lossFeeds(rows, settings) } };
}

function lossFeeds(rows: readonly TrainingSample[], settings: LossSettings): Record<string, TensorValue> {
  const perRow = (value: (row: TrainingSample) => number | undefined): TensorValue => ({ data: Float32Array.from(rows, (r) => value(r) ?? 0), dims: [rows.length] });
  const scalar = (value: number): TensorValue => ({ data: Float32Array.of(value), dims: [] });
  switch (settings.loss.kind) {
    case 'qrpo':
      return { targets: perRow((r) => r.target), ref_logps: perRow((r) => r.refLogp), beta: scalar(settings.beta) };
    case 'dpo':
      return { ref_logps: perRow((r) => r.refLogp), beta: scalar(settings.beta) };
    case 'simpo':
      return { beta: scalar(settings.beta), gamma_beta_ratio: scalar(settings.gammaBetaRatio ?? 0.5) };
    case 'rebel':
      return { rewards: perRow((r) => r.reward), ref_logps: perRow((r) => r.refLogp), beta: scalar(settings.beta) };
    case 'sft':
      return {};
  }
}

/** Tokens the micro-batch feeds the model, pads excluded: TRL's `num_tokens`. */
export function inputTokens(batch: ScoringBatch): number {
  let count = 0;
  for (const m of batch.attentionMask) count += Number(m);
  return count;
}
