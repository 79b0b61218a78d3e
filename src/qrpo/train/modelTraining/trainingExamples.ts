// Training examples: dataset records (with what the loss needs beside them: QRPO's target and the reference
// log-prob, REBEL's reward) tokenized once, up front, by the shared rule of recordTokens.ts. A pair's two records
// (side chosen/rejected, one pairId) become one example; the pair losses (DPO, SimPO, REBEL) train on pairs only,
// QRPO on pairs and single completions alike (qrpo.md §4: a pair is two samples), SFT on single records.
import type { PointwiseRecord } from '../../data';
import { DatasetError } from '../../errors';
import type { TrainingLoss } from '../../model/graphs';
import type { RecordTokenizer } from './recordTokens';

/** A record and the per-record numbers computed by earlier stages. */
export interface TrainingRecord {
  readonly record: PointwiseRecord;
  /** QRPO: f(clamp(q)) − β·log Z (the quantiles stage's `target`). */
  readonly target?: number;
  /** log π_ref(completion | prompt), summed over completion tokens (the reference log-probs stage's `logp`). */
  readonly refLogp?: number;
  /** QRPO: the reward's quantile q among the reference rewards, logged as percentile_rewards/*. */
  readonly quantile?: number;
  /** QRPO: f(clamp(q)), logged as modified_rewards/*. */
  readonly transformedReward?: number;
}

/** One tokenized completion and its per-sample numbers. */
export interface TrainingSample {
  readonly promptIds: readonly number[];
  readonly completionIds: readonly number[];
  readonly side?: 'chosen' | 'rejected';
  readonly target?: number;
  readonly refLogp?: number;
  readonly reward?: number;
  readonly quantile?: number;
  readonly transformedReward?: number;
}

export type TrainingExample =
  | { readonly kind: 'pair'; readonly chosen: TrainingSample; readonly rejected: TrainingSample }
  | { readonly kind: 'single'; readonly sample: TrainingSample };

export type LossKind = TrainingLoss['kind'];

/** The per-record values each loss reads: a missing one is a DatasetError naming the record and the field. */
const REQUIRED: Record<LossKind, readonly ('target' | 'refLogp' | 'reward')[]> = {
  qrpo: ['target', 'refLogp'],
  dpo: ['refLogp'],
  simpo: [],
  rebel: ['refLogp', 'reward'],
  sft: [],
};
const FIELD_NAME = { target: 'target', refLogp: 'ref_logp', reward: 'reward' } as const;
const FIELD_HINT = {
  target: 'QRPO trains on the quantiles stage output (train.prepared.jsonl), which has a target per record',
  refLogp: 'Score the records with the reference model first (qrpo logprobs, or the reference log-probs stage)',
  reward: 'REBEL needs a reward for both sides of every pair: score the dataset first',
} as const;

export function trainingExamples(records: Iterable<TrainingRecord>, loss: LossKind, tokens: RecordTokenizer): TrainingExample[] {
  const examples: TrainingExample[] = [];
  const openPairs = new Map<number, { index: number; sample: TrainingSample; record: PointwiseRecord }>();
  for (const entry of records) {
    const { record } = entry;
    const sample = trainingSample(entry, loss, tokens);
    const pairs = loss !== 'sft' && record.side !== undefined && record.pairId !== undefined;
    if (!pairs) {
      if (loss === 'dpo' || loss === 'simpo' || loss === 'rebel') throw datasetError(record, `${loss.toUpperCase()} trains on pairs, but this record is not one side of a pair`, 'side', 'Give the dataset chosen and rejected completions (prompt/chosen/rejected rows)');
      examples.push({ kind: 'single', sample });
      continue;
    }
    const open = openPairs.get(record.pairId!);
    if (!open) {
      // A placeholder keeps the pair at the position of its first record, so the example order follows the data.
      openPairs.set(record.pairId!, { index: examples.length, sample, record });
      examples.push({ kind: 'single', sample });
      continue;
    }
    if (open.record.side === record.side) throw datasetError(record, `pair ${record.pairId} has two ${record.side} completions`, 'side');
    openPairs.delete(record.pairId!);
    const [chosen, rejected] = record.side === 'chosen' ? [sample, open.sample] : [open.sample, sample];
    examples[open.index] = { kind: 'pair', chosen, rejected };
  }
  for (const { record } of openPairs.values()) {
    if (loss !== 'qrpo') throw datasetError(record, `pair ${record.pairId} has no ${record.side === 'chosen' ? 'rejected' : 'chosen'} side`, 'side');
  }
  return examples;
}

function trainingSample(entry: TrainingRecord, loss: LossKind, tokens: RecordTokenizer): TrainingSample {
  const { record } = entry;
  const values = { target: entry.target, refLogp: entry.refLogp, reward: record.reward };
  for (const field of REQUIRED[loss]) {
    const value = values[field];
    if (value === undefined) throw datasetError(record, `${loss.toUpperCase()} needs ${FIELD_NAME[field]}, which this record lacks`, FIELD_NAME[field], FIELD_HINT[field]);
    if (!Number.isFinite(value)) throw datasetError(record, `${FIELD_NAME[field]} is ${value}`, FIELD_NAME[field]);
  }
  const { promptIds, completionIds } = tokens.encode(record);
  if (completionIds.length === 0) {
    throw datasetError(record, 'no completion token is left after truncation', undefined, 'Raise max_length or max_completion_length, or lower max_prompt_length');
  }
  return {
    promptIds,
    completionIds,
    side: record.side,
    target: entry.target,
    refLogp: entry.refLogp,
    reward: record.reward,
    quantile: entry.quantile,
    transformedReward: entry.transformedReward,
  };
}

function datasetError(record: PointwiseRecord, detail: string, field?: string, hint?: string): DatasetError {
  return new DatasetError(detail, record.source.file, record.source.line, field, { unit: record.source.unit, hint });
}
