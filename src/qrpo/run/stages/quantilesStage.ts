// The `quantiles` stage (qrpo.md §2–4): each training record's quantile against its prompt's reference rewards,
// f(q) and the regression target, written to stages/quantiles/train.prepared.jsonl with a summary beside it (the
// same files `qrpo prepare` writes, so the quantile panel opens them). Complete when both files exist; the JSONL is
// written atomically and the summary after it, so the summary's presence means the JSONL is whole.
import { existsSync, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { readDataset } from '../../data';
import type { Stage, StageContext } from '../pipeline';
import { writePreparedFile } from '../preparedFile';
import { preparedSummaryPath, type PreparedSummary } from '../preparedSummary';

export const QUANTILES_STAGE = 'quantiles';
export const PREPARED_FILE = 'train.prepared.jsonl';
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
      const numRef = config.num_ref_rewards;
      progress.start(await countRecords(input, numRef, signal));
      const summary = await writePreparedFile(input, preparedFile(context), {
        beta: config.beta,
        transform: config.qrpo_transform_type,
        numRef,
        logZMode: config.log_z,
        onRecord: (records) => {
          if (records % CHECK_EVERY !== 0) return;
          signal.throwIfAborted();
          progress.update(records);
        },
      });
      progress.update(summary.records);
      context.log.info(`quantiles: ${summary.records} records from ${summary.prompts} prompts, mean quantile ${summary.meanQuantile.toFixed(4)}`);
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
