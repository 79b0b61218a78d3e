// The quantile stage of a QRPO run (qrpo.md §2–4): for every record of a scored dataset, its quantile against the
// prompt's reference rewards, the transformed reward f(q) and the regression target f(q) − β·log Z_f.
// Streams the dataset; only the scaled-normal-icdf transform needs a first pass (σ_x is normalised by the mean
// reference-reward spread over all prompts, as in the reference code).
import { DatasetError, ConfigError } from '../errors';
import { logPartition, quantileReward, transformQuantile, standardDeviation, type QuantileTransform } from '../math';
import { promptKey, readDataset, type PointwiseRecord, type ReadDatasetOptions } from '../data';

export type LogZMode = 'exact' | 'simplified';

export interface PrepareQuantilesOptions {
  beta: number;
  transform: QuantileTransform;
  /** Use the first numRef reference rewards of each record (the reference code's rule; the reader keeps those). */
  numRef?: number;
  logZMode: LogZMode;
  skipInvalid?: boolean;
  onInvalid?: (error: DatasetError) => void;
}

export interface PreparedRecord {
  record: PointwiseRecord;
  refRewards: number[];
  quantile: number;
  transformedReward: number;
  target: number;
}

/** β·log Z_f for the options, validated once up front so a bad β or transform fails before any reading. */
export function betaLogPartition(options: Pick<PrepareQuantilesOptions, 'beta' | 'transform' | 'logZMode'>, sigma = 1): number {
  return options.beta * logPartition(options.transform, options.beta, { mode: options.logZMode, sigma });
}

function requireScores(record: PointwiseRecord): { reward: number; refRewards: number[] } {
  const { file, line, unit } = record.source;
  if (record.reward === undefined) {
    throw new DatasetError('missing reward', file, line, 'reward', { unit, hint: 'Quantile rewards need a reward per completion: score the dataset first' });
  }
  if (record.refRewards === undefined || record.refRewards.length === 0) {
    throw new DatasetError('missing reference rewards', file, line, 'ref_rewards', { unit, hint: 'Quantile rewards need the rewards of reference completions for the same prompt' });
  }
  return { reward: record.reward, refRewards: record.refRewards };
}

/** σ_x of scaled-normal-icdf: this prompt's reference spread relative to the mean spread over prompts. */
function relativeSpread(record: PointwiseRecord, refRewards: number[], spreadScale: number): number {
  const spread = refRewards.length < 2 ? 0 : standardDeviation(refRewards, 1);
  if (!(spread > 0)) {
    const { file, line, unit } = record.source;
    throw new DatasetError('reference rewards do not vary, so scaled-normal-icdf has no scale for this prompt', file, line, 'ref_rewards', {
      unit,
      hint: 'Use at least 2 distinct reference rewards per prompt, or another transform',
    });
  }
  return spread / spreadScale;
}

function datasetOptions(options: PrepareQuantilesOptions, onInvalid: (error: DatasetError) => void): ReadDatasetOptions {
  return { skipInvalid: options.skipInvalid, onInvalid, numRef: options.numRef };
}

/** Mean over prompts of std(ref rewards, ddof = 1): the scale that σ_x is divided by for scaled-normal-icdf. */
async function meanReferenceSpread(path: string, options: PrepareQuantilesOptions): Promise<number> {
  const spreadByPrompt = new Map<string, number>();
  for await (const record of readDataset(path, datasetOptions(options, () => undefined))) {
    if (record.refRewards === undefined || record.refRewards.length < 2) continue;
    spreadByPrompt.set(promptKey(record.prompt), standardDeviation(record.refRewards, 1));
  }
  const spreads = [...spreadByPrompt.values()];
  const mean = spreads.reduce((sum, s) => sum + s, 0) / spreads.length;
  if (!(mean > 0)) {
    throw new ConfigError(`scaled-normal-icdf needs reference rewards that vary within prompts, but every prompt in ${path} has a constant reference set`, 'Use the normal-icdf or identity transform');
  }
  return mean;
}

/**
 * Yields each record with its quantile and target. Rows the reader rejects, and records without scores, are
 * thrown as DatasetError, or passed to onInvalid and skipped when skipInvalid is set.
 */
export async function* prepareQuantiles(path: string, options: PrepareQuantilesOptions): AsyncGenerator<PreparedRecord> {
  const onInvalid = options.onInvalid ?? (() => undefined);
  const scaled = options.transform === 'scaled-normal-icdf';
  const betaLogZUnscaled = scaled ? 0 : betaLogPartition(options);
  const spreadScale = scaled ? await meanReferenceSpread(path, options) : 1;

  for await (const record of readDataset(path, datasetOptions(options, onInvalid))) {
    let scores: { reward: number; refRewards: number[] };
    let sigma: number | undefined;
    try {
      scores = requireScores(record);
      if (scaled) sigma = relativeSpread(record, scores.refRewards, spreadScale);
    } catch (error) {
      if (options.skipInvalid && error instanceof DatasetError) {
        onInvalid(error);
        continue;
      }
      throw error;
    }
    const numRef = scores.refRewards.length;
    const quantile = quantileReward(scores.refRewards, scores.reward);
    const transformedReward = transformQuantile(quantile, options.transform, { numRef, sigma });
    const betaLogZ = scaled ? betaLogPartition(options, sigma) : betaLogZUnscaled;
    yield { record, refRewards: scores.refRewards, quantile, transformedReward, target: transformedReward - betaLogZ };
  }
}
