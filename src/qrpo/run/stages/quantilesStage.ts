// The `quantiles` stage (qrpo.md §2–4): each training record's quantile against its prompt's reference rewards,
// f(q) and the regression target, written to stages/quantiles/train.prepared.jsonl with a summary beside it (the
// same files `qrpo prepare` writes, so the quantile panel opens them). Complete when both files exist; the JSONL is
// written atomically and the summary after it, so the summary's presence means the JSONL is whole.
import { existsSync, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { unitIntervalBin } from '../../cli/terminalHistogram';
import { logPartition } from '../../math';
import { promptKey, readDataset } from '../../data';
import { writeFileAtomic, writeLinesAtomic } from '../atomicFile';
import type { Stage, StageContext } from '../pipeline';
import { preparedSummaryPath, type PreparedSummary } from '../preparedSummary';
import { prepareQuantiles, type PreparedRecord } from '../prepareQuantiles';

export const QUANTILES_STAGE = 'quantiles';
export const PREPARED_FILE = 'train.prepared.jsonl';
const HISTOGRAM_BINS = 10;
/** Records between two progress reports and stop checks. */
const CHECK_EVERY = 256;

export interface QuantilesStageOptions {
  /**
   * The scored dataset to read; default: the config's dataset_name (rewards and ref_rewards already in it). The
   * reward-scoring stage points this at its own output.
   */
  input?: (context: StageContext) => string;
}

export function preparedFile(context: Pick<StageContext, 'folder'>): string {
  return join(context.folder.stageDir(QUANTILES_STAGE), PREPARED_FILE);
}

export function quantilesStage(options: QuantilesStageOptions = {}): Stage {
  const inputOf = options.input ?? ((context: StageContext) => context.config.dataset_name);
  return {
    name: QUANTILES_STAGE,
    async isComplete(context) {
      const output = preparedFile(context);
      return existsSync(output) && (await readSummary(preparedSummaryPath(output))) !== undefined;
    },
    async run(context) {
      const { config, progress, signal } = context;
      const input = inputOf(context);
      const output = preparedFile(context);
      const numRef = config.num_ref_rewards;
      progress.start(await countRecords(input, numRef, signal));

      const tally = newTally();
      const records = prepareQuantiles(input, { beta: config.beta, transform: config.qrpo_transform_type, numRef, logZMode: config.log_z });
      async function* lines(): AsyncGenerator<string> {
        for await (const prepared of records) {
          addToTally(tally, prepared);
          if (tally.records % CHECK_EVERY === 0) {
            signal.throwIfAborted();
            progress.update(tally.records);
          }
          yield preparedLine(prepared);
        }
      }
      await fs.rm(preparedSummaryPath(output), { force: true });
      await writeLinesAtomic(output, lines());
      progress.update(tally.records);

      const transform = config.qrpo_transform_type;
      const summary: PreparedSummary = {
        dataset: input,
        records: tally.records,
        invalid: 0,
        prompts: tally.prompts.size,
        beta: config.beta,
        transform,
        numRef,
        logZMode: config.log_z,
        logZ: transform === 'scaled-normal-icdf' ? undefined : logPartition(transform, config.beta, { mode: config.log_z }),
        meanQuantile: tally.quantileSum / Math.max(1, tally.records),
        meanTarget: tally.targetSum / Math.max(1, tally.records),
        pushedUpShare: tally.pushedUp / Math.max(1, tally.records),
        histogram: tally.histogram,
      };
      await writeFileAtomic(preparedSummaryPath(output), `${JSON.stringify(summary, null, 2)}\n`);
      context.log.info(`quantiles: ${tally.records} records from ${tally.prompts.size} prompts, mean quantile ${summary.meanQuantile.toFixed(4)}`);
    },
  };
}

async function readSummary(path: string): Promise<PreparedSummary | undefined> {
  try {
    const summary = JSON.parse(await fs.readFile(path, 'utf8')) as PreparedSummary;
    return typeof summary.records === 'number' ? summary : undefined;
  } catch {
    return undefined;
  }
}

/** Records in the dataset, for the progress total; a first pass is cheap next to what it enables (an ETA). */
async function countRecords(path: string, numRef: number, signal: AbortSignal): Promise<number> {
  let count = 0;
  for await (const _record of readDataset(path, { numRef })) {
    if (++count % 4096 === 0) signal.throwIfAborted();
  }
  return count;
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

interface Tally {
  records: number;
  prompts: Set<string>;
  quantileSum: number;
  targetSum: number;
  pushedUp: number;
  histogram: number[];
}

function newTally(): Tally {
  return { records: 0, prompts: new Set(), quantileSum: 0, targetSum: 0, pushedUp: 0, histogram: new Array<number>(HISTOGRAM_BINS).fill(0) };
}

function addToTally(tally: Tally, prepared: PreparedRecord): void {
  tally.records++;
  tally.prompts.add(promptKey(prepared.record.prompt));
  tally.quantileSum += prepared.quantile;
  tally.targetSum += prepared.target;
  if (prepared.target > 0) tally.pushedUp++;
  tally.histogram[unitIntervalBin(prepared.quantile, HISTOGRAM_BINS)]++;
}
