// Rewards already in the dataset (reward.source: column). The readers normalise the usual names (`reward` for
// pointwise rows; chosen_rewards / chosen_reward / score_chosen and their rejected twins for pairs) into
// record.reward; a custom reward.column is read from the row's other fields: `<column>` for pointwise rows,
// `chosen_<column>` / `rejected_<column>` for pairs.
//
// The rule: a column cannot score text it has not seen, so with reward.source column the reference rewards must be
// in the dataset too (ref_rewards, at least num_ref_rewards per prompt); reference samples are then not drawn at all.
// To score reference samples, use reward.source model or module: that source then scores the dataset's completions
// as well (any reward columns are ignored), so that every quantile compares rewards of one function.
import type { PointwiseRecord } from '../data';
import { DatasetError } from '../errors';
import { RewardError, type RewardSource } from './rewardSource';

const NORMALISED = new Set(['reward', 'chosen_rewards', 'rejected_rewards', 'chosen_reward', 'rejected_reward', 'score_chosen', 'score_rejected']);

/** The record's reward from the column; undefined when the row has none. A non-number is a DatasetError naming the row. */
export function columnReward(record: PointwiseRecord, column: string | null): number | undefined {
  if (column === null || NORMALISED.has(column)) return record.reward;
  const names = record.side === undefined ? [column] : [`${record.side}_${column}`, `${column}_${record.side}`];
  const name = names.find((candidate) => record.extra?.[candidate] !== undefined && record.extra[candidate] !== null);
  if (name === undefined) return undefined;
  const value = record.extra![name];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    const { file, line, unit } = record.source;
    throw new DatasetError(`reward is ${typeof value === 'number' ? value : JSON.stringify(value)}, not a finite number`, file, line, name, { unit });
  }
  return value;
}

/** The column "source": it has every reward it will ever have, and scores nothing new. */
export function columnRewardSource(column: string | null): RewardSource {
  const name = column ?? 'reward';
  return {
    kind: 'column',
    description: `dataset column ${name}`,
    async score(items) {
      if (items.length === 0) return [];
      throw new RewardError(
        `reward.source is "column": rewards come from the dataset (${name}), which cannot score new completions such as reference samples`,
        'Put ref_rewards in the dataset, or set reward.source to model or module',
      );
    },
    dispose: async () => undefined,
  };
}
