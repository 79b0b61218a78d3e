// Writes a prepared file: every record of a scored dataset with its quantile, transformed reward and target, as
// JSONL, then the summary beside it. Shared by `qrpo prepare` and the run's quantiles stage so that both produce
// the same files, which the quantile panel opens. The JSONL is written atomically and the summary after it, so a
// summary's presence means its JSONL is whole.
import { promises as fs } from 'node:fs';
import { resolve } from 'node:path';
import { promptKey } from '../data';
import { logPartition } from '../math';
import { writeFileAtomic, writeLinesAtomic } from './atomicFile';
import { preparedSummaryPath, type PreparedSummary } from './preparedSummary';
import { prepareQuantiles, type PrepareQuantilesOptions, type PreparedRecord } from './prepareQuantiles';

export const QUANTILE_HISTOGRAM_BINS = 10;

export interface WritePreparedFileOptions extends PrepareQuantilesOptions {
  /** Called after each record with the count so far (for progress and stop checks; throwing aborts the write). */
  onRecord?: (records: number) => void;
}

/** Index of the equal-width bin of [0, 1] that holds `value`; 1 falls in the last bin. */
export function unitIntervalBin(value: number, bins: number): number {
  return Math.min(bins - 1, Math.max(0, Math.floor(value * bins)));
}

function preparedLine(prepared: PreparedRecord): string {
  const { record } = prepared;
  return `${JSON.stringify({
    ...record.extra,
    prompt: record.prompt,
    completion: record.completion,
    reward: record.reward,
    ref_rewards: prepared.refRewards,
    ...(record.side === undefined ? {} : { side: record.side, pair_id: record.pairId }),
    quantile: prepared.quantile,
    transformed_reward: prepared.transformedReward,
    target: prepared.target,
  })}\n`;
}

export async function writePreparedFile(dataset: string, out: string, options: WritePreparedFileOptions): Promise<PreparedSummary> {
  const tally = { records: 0, invalid: 0, quantileSum: 0, targetSum: 0, pushedUp: 0 };
  const prompts = new Set<string>();
  const histogram = new Array<number>(QUANTILE_HISTOGRAM_BINS).fill(0);
  const records = prepareQuantiles(dataset, {
    ...options,
    onInvalid: (error) => {
      tally.invalid++;
      options.onInvalid?.(error);
    },
  });
  async function* lines(): AsyncGenerator<string> {
    for await (const prepared of records) {
      tally.records++;
      prompts.add(promptKey(prepared.record.prompt));
      tally.quantileSum += prepared.quantile;
      tally.targetSum += prepared.target;
      if (prepared.target > 0) tally.pushedUp++;
      histogram[unitIntervalBin(prepared.quantile, QUANTILE_HISTOGRAM_BINS)]++;
      options.onRecord?.(tally.records);
      yield preparedLine(prepared);
    }
  }
  const summaryPath = preparedSummaryPath(out);
  await fs.rm(summaryPath, { force: true });
  await writeLinesAtomic(out, lines());

  const { beta, transform, numRef, logZMode } = options;
  const perRecord = (sum: number) => (tally.records > 0 ? sum / tally.records : NaN);
  const summary: PreparedSummary = {
    dataset: resolve(dataset),
    records: tally.records,
    invalid: tally.invalid,
    prompts: prompts.size,
    beta,
    transform,
    numRef,
    logZMode,
    logZ: transform === 'scaled-normal-icdf' ? undefined : logPartition(transform, beta, { mode: logZMode }),
    meanQuantile: perRecord(tally.quantileSum),
    meanTarget: perRecord(tally.targetSum),
    pushedUpShare: perRecord(tally.pushedUp),
    histogram,
  };
  await writeFileAtomic(summaryPath, `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}
