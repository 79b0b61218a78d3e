// Dataset records back to rows in the dataset's own shape, with their rewards and reference rewards: a pointwise
// record becomes {prompt, completion, reward, ref_rewards}, a pair's two records one {prompt, chosen, rejected,
// chosen_reward, rejected_reward, ref_rewards} row, so readDataset reads the pair back as a pair (side, pairId).
// Unconsumed columns pass through.
import type { PointwiseRecord } from '../../data';

export interface ScoredRecord {
  readonly record: PointwiseRecord;
  readonly reward?: number;
  readonly refRewards?: readonly number[];
}

export async function* scoredRowLines(records: AsyncIterable<ScoredRecord>): AsyncGenerator<string> {
  let open: ScoredRecord | undefined;
  for await (const scored of records) {
    const { record } = scored;
    if (record.side === undefined) {
      if (open) yield line(pointwiseRow(open));
      open = undefined;
      yield line(pointwiseRow(scored));
      continue;
    }
    if (open && open.record.pairId === record.pairId && open.record.side !== record.side) {
      const [chosen, rejected] = record.side === 'chosen' ? [scored, open] : [open, scored];
      yield line(pairRow(chosen, rejected));
      open = undefined;
      continue;
    }
    if (open) yield line(pointwiseRow(open));
    open = scored;
  }
  if (open) yield line(pointwiseRow(open));
}

function line(row: Record<string, unknown>): string {
  return `${JSON.stringify(row)}\n`;
}

function pointwiseRow({ record, reward, refRewards }: ScoredRecord): Record<string, unknown> {
  return {
    ...record.extra,
    prompt: record.prompt,
    completion: record.completion,
    ...(reward === undefined ? {} : { reward }),
    ...(refRewards === undefined ? {} : { ref_rewards: refRewards }),
    // A lone side of a pair keeps its side, so it is not mistaken for an independent completion.
    ...(record.side === undefined ? {} : { side: record.side, pair_id: record.pairId }),
  };
}

function pairRow(chosen: ScoredRecord, rejected: ScoredRecord): Record<string, unknown> {
  const refRewards = chosen.refRewards ?? rejected.refRewards;
  return {
    ...chosen.record.extra,
    prompt: chosen.record.prompt,
    chosen: chosen.record.completion,
    rejected: rejected.record.completion,
    ...(chosen.reward === undefined ? {} : { chosen_reward: chosen.reward }),
    ...(rejected.reward === undefined ? {} : { rejected_reward: rejected.reward }),
    ...(refRewards === undefined ? {} : { ref_rewards: refRewards }),
  };
}
