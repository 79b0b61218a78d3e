// The `reward_scoring` stage (qrpo.md §7 steps 1 and 4): every reference sample and every dataset completion gets a
// reward from the run's reward source, and each dataset record gets its prompt's reference rewards: the rewards of
// the first num_ref_rewards reference samples, in sample order (the reference code uses the first n stored).
// Outputs in stages/reward_scoring/:
//   scored.jsonl             the dataset's rows with reward and ref_rewards (pairs stay pairs), which the
//                            quantiles stage reads
//   reference_samples.jsonl  the reference samples with their reward (evaluation and off-policy data read these)
//   summary.json             written last: the stage is complete
// With reward.source column nothing is scored: rewards and ref_rewards are the dataset's (reward/columnRewards.ts).
// Resumable: rewards are appended per batch to *.partial.jsonl journals in a fixed order (samples.jsonl's, then the
// dataset's), so a resumed stage scores only what is missing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promptKey, readDataset, type PointwiseRecord } from '../../data';
import { DatasetError } from '../../errors';
import { columnReward, createRewardSource, type RewardItem, type RewardSource } from '../../reward';
import { writeLinesAtomic } from '../atomicFile';
import { displayPath } from '../displayPath';
import type { Stage, StageContext } from '../pipeline';
import { JsonlJournal, readJsonLines } from './jsonlJournal';
import { referenceSamplesFile, type ReferenceSample } from './referenceSamplingStage';
import { scoredRowLines, type ScoredRecord } from './scoredRows';
import { stageDevice } from './stageDevice';
import { stageOutputsComplete, writeStageSummary } from './stageSummary';

export const REWARD_SCORING_STAGE = 'reward_scoring';
export const SCORED_FILE = 'scored.jsonl';
export const SCORED_SAMPLES_FILE = 'reference_samples.jsonl';
const SAMPLE_REWARDS = 'sample_rewards.partial.jsonl';
const DATASET_REWARDS = 'dataset_rewards.partial.jsonl';

/** A line of reference_samples.jsonl. */
export type ScoredReferenceSample = ReferenceSample & { reward: number };

export interface RewardScoringOptions {
  /** Whether workspace code may run: a reward module is loaded only when true. */
  readonly trusted: boolean;
}

export function scoredFile(context: Pick<StageContext, 'folder'>): string {
  return join(context.folder.stageDir(REWARD_SCORING_STAGE), SCORED_FILE);
}

export function scoredSamplesFile(context: Pick<StageContext, 'folder'>): string {
  return join(context.folder.stageDir(REWARD_SCORING_STAGE), SCORED_SAMPLES_FILE);
}

export function rewardScoringStage(options: RewardScoringOptions): Stage {
  return {
    name: REWARD_SCORING_STAGE,
    isComplete: (context) => stageOutputsComplete(context.stageDir, [SCORED_FILE]),
    async run(context) {
      const samples = referenceSamplesFile(context);
      const sampled = existsSync(samples);
      if (context.config.reward.source === 'column') {
        await writeScored(context, columnScores(context), undefined);
        return;
      }
      const device = await stageDevice(context.config);
      const source = await createRewardSource(context.config.reward, { trusted: options.trusted, ...device });
      try {
        if (!sampled) throw new DatasetError('no reference samples to score', displayPath(samples), undefined, undefined, { hint: 'The reference_sampling stage writes them; run it first' });
        context.log.info(`reward_scoring: scoring with ${source.description}`);
        await scoreAll(context, source, samples);
      } finally {
        await source.dispose();
      }
    },
  };
}

/** Rewards and reference rewards from the dataset itself. */
async function* columnScores(context: StageContext): AsyncGenerator<ScoredRecord> {
  const { config } = context;
  for await (const record of readDataset(config.dataset_name, { numRef: config.num_ref_rewards })) {
    const reward = columnReward(record, config.reward.column);
    if (config.loss_type === 'qrpo') requireScores(record, reward, record.refRewards);
    yield { record, reward, refRewards: record.refRewards };
  }
}

function requireScores(record: PointwiseRecord, reward: number | undefined, refRewards: readonly number[] | undefined): void {
  const { file, line, unit } = record.source;
  if (reward === undefined) throw new DatasetError('missing reward (reward.source is "column")', file, line, 'reward', { unit });
  if (refRewards === undefined) {
    throw new DatasetError('missing reference rewards (reward.source is "column", so ref_rewards must be in the dataset)', file, line, 'ref_rewards', {
      unit,
      hint: 'Add ref_rewards, or set reward.source to model or module so reference samples are drawn and scored',
    });
  }
}

async function scoreAll(context: StageContext, source: RewardSource, samplesPath: string): Promise<void> {
  const { config, stageDir, progress, signal } = context;
  const batchSize = config.reward.batch_size;
  const sampleRewards: number[] = [];
  const datasetRewards: number[] = [];
  const sampleJournal = await JsonlJournal.open<{ reward: number }>(join(stageDir, SAMPLE_REWARDS), (entry) => sampleRewards.push(entry.reward));
  const datasetJournal = await JsonlJournal.open<{ reward: number }>(join(stageDir, DATASET_REWARDS), (entry) => datasetRewards.push(entry.reward));
  try {
    let sampleCount = 0;
    for await (const _sample of readJsonLines<ReferenceSample>(samplesPath)) sampleCount++;
    let recordCount = 0;
    for await (const _record of readDataset(config.dataset_name)) if (++recordCount % 4096 === 0) signal.throwIfAborted();
    progress.start(sampleCount + recordCount, sampleRewards.length + datasetRewards.length);

    const shownSamples = displayPath(samplesPath);
    let index = 0;
    await scoreInBatches(
      (async function* () {
        for await (const sample of readJsonLines<ReferenceSample>(samplesPath)) {
          index++;
          if (index > sampleRewards.length) yield { prompt: sample.prompt, completion: sample.completion, origin: `${shownSamples} line ${index}` };
        }
      })(),
      async (rewards) => {
        await sampleJournal.append(rewards.map((reward) => ({ reward })));
        sampleRewards.push(...rewards);
      },
    );

    let recordIndex = 0;
    await scoreInBatches(
      (async function* () {
        for await (const record of readDataset(config.dataset_name)) {
          if (++recordIndex > datasetRewards.length) yield { prompt: record.prompt, completion: record.completion, origin: recordOrigin(record) };
        }
      })(),
      async (rewards) => {
        await datasetJournal.append(rewards.map((reward) => ({ reward })));
        datasetRewards.push(...rewards);
      },
    );
  } finally {
    await sampleJournal.close();
    await datasetJournal.close();
  }

  // Reference rewards per prompt: the first num_ref_rewards samples in sample order.
  const refRewards = new Map<string, number[]>();
  async function* scoredSamples(): AsyncGenerator<string> {
    let i = 0;
    for await (const sample of readJsonLines<ReferenceSample>(samplesPath)) {
      const reward = sampleRewards[i++];
      const list = refRewards.get(sample.prompt_key) ?? [];
      if (sample.sample_index < config.num_ref_rewards) list[sample.sample_index] = reward;
      refRewards.set(sample.prompt_key, list);
      yield `${JSON.stringify({ ...sample, reward })}\n`;
    }
  }
  await writeLinesAtomic(join(stageDir, SCORED_SAMPLES_FILE), scoredSamples());

  async function* records(): AsyncGenerator<ScoredRecord> {
    let i = 0;
    for await (const record of readDataset(config.dataset_name)) {
      const refs = refRewards.get(promptKey(record.prompt));
      if (refs === undefined || refs.length < config.num_ref_rewards) {
        const { file, line, unit } = record.source;
        throw new DatasetError(`the prompt has ${refs?.length ?? 0} scored reference samples, fewer than num_ref_rewards (${config.num_ref_rewards})`, file, line, 'prompt', { unit });
      }
      yield { record, reward: datasetRewards[i++], refRewards: refs };
    }
  }
  await writeScored(context, records(), source.description);

  async function scoreInBatches(items: AsyncIterable<RewardItem>, save: (rewards: number[]) => Promise<void>): Promise<void> {
    let batch: RewardItem[] = [];
    const flush = async () => {
      signal.throwIfAborted();
      const rewards = await source.score(batch);
      signal.throwIfAborted();
      await save(rewards);
      progress.advance(batch.length);
      batch = [];
    };
    for await (const item of items) {
      batch.push(item);
      if (batch.length === batchSize) await flush();
    }
    if (batch.length > 0) await flush();
  }
}

function recordOrigin(record: PointwiseRecord): string {
  const { file, line, unit } = record.source;
  return `${displayPath(file)} ${unit} ${line}${record.side ? ` (${record.side})` : ''}`;
}

async function writeScored(context: StageContext, records: AsyncIterable<ScoredRecord>, scoredBy: string | undefined): Promise<void> {
  const tally = { records: 0, rewards: 0, withRefRewards: 0, rewardSum: 0 };
  async function* counted(): AsyncGenerator<ScoredRecord> {
    for await (const scored of records) {
      tally.records++;
      if (scored.reward !== undefined) {
        tally.rewards++;
        tally.rewardSum += scored.reward;
      }
      if (scored.refRewards !== undefined) tally.withRefRewards++;
      if (tally.records % 256 === 0) context.signal.throwIfAborted();
      yield scored;
    }
  }
  await writeLinesAtomic(join(context.stageDir, SCORED_FILE), scoredRowLines(counted()));
  await writeStageSummary(context.stageDir, {
    rewardSource: scoredBy ?? `dataset column ${context.config.reward.column ?? 'reward'}`,
    records: tally.records,
    recordsWithReward: tally.rewards,
    recordsWithRefRewards: tally.withRefRewards,
    numRefRewards: context.config.num_ref_rewards,
    meanReward: tally.rewards > 0 ? tally.rewardSum / tally.rewards : null,
  });
  context.log.info(`reward_scoring: ${tally.records} records written to ${SCORED_FILE}${scoredBy ? ` (scored with ${scoredBy})` : ''}`);
}
