// The `reference_logps` stage (qrpo.md §4, §7 step 6): log π_ref(y|x) of every training completion, summed over
// completion tokens by the reference model's scoring graph on the same token ids training uses (recordTokens.ts,
// with runTokenLimits), computed once so that training holds only the policy. Output:
// stages/reference_logps/train.jsonl, each input record's fields plus ref_logp and ref_num_tokens, which
// readTrainingRecords turns into the trainer's TrainingRecords.
// Resumable: lines are appended per batch to train.partial.jsonl in input order; a resumed stage skips as many
// input records as it holds; the finished journal is renamed to train.jsonl, then summary.json marks completion.
import { existsSync, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { readDataset, type PointwiseRecord } from '../../data';
import { loadFrozenModelWeights, readDecoderConfig } from '../../model';
import { buildScoringGraph, logSoftmaxFormFor, packScoringBatch, scoringFeeds } from '../../model/graphs';
import { checkVocabulary, loadTokenizer } from '../../model/tokenizer';
import { GraphSession } from '../../runtime';
import { recordTokenizer, type TokenLimits } from '../../train/modelTraining/recordTokens';
import type { TrainingRecord } from '../../train/modelTraining/trainingExamples';
import type { RunConfig } from '../config';
import type { Stage, StageContext } from '../pipeline';
import { JsonlJournal } from './jsonlJournal';
import { stageDevice } from './stageDevice';
import { stageOutputsComplete, writeStageSummary } from './stageSummary';

export const REFERENCE_LOGPS_STAGE = 'reference_logps';
export const REFERENCE_LOGPS_FILE = 'train.jsonl';
const PARTIAL_FILE = 'train.partial.jsonl';

export interface ReferenceLogpsOptions {
  /** The training records: the quantiles stage's prepared file, the training_data or reward_scoring output. */
  input: (context: StageContext) => string;
}

export function referenceLogpsFile(context: Pick<StageContext, 'folder'>): string {
  return join(context.folder.stageDir(REFERENCE_LOGPS_STAGE), REFERENCE_LOGPS_FILE);
}

/** The truncation every stage that tokenizes training records applies (qrpo.md §4), from the run config. */
export function runTokenLimits(config: Pick<RunConfig, 'max_prompt_length' | 'max_completion_length' | 'max_length'>): TokenLimits {
  return { maxPromptLength: config.max_prompt_length, maxCompletionLength: config.max_completion_length, maxLength: config.max_length };
}

/** A record's fields as a row: what it was read with, its side of a pair kept as side/pair_id. */
function recordFields(record: PointwiseRecord): Record<string, unknown> {
  return {
    ...record.extra,
    prompt: record.prompt,
    completion: record.completion,
    ...(record.reward === undefined ? {} : { reward: record.reward }),
    ...(record.refRewards === undefined ? {} : { ref_rewards: record.refRewards }),
    ...(record.side === undefined ? {} : { side: record.side, pair_id: record.pairId }),
  };
}

export function referenceLogpsStage(options: ReferenceLogpsOptions): Stage {
  return {
    name: REFERENCE_LOGPS_STAGE,
    isComplete: (context) => stageOutputsComplete(context.stageDir, [REFERENCE_LOGPS_FILE]),
    async run(context) {
      const { config, stageDir, progress, signal, log } = context;
      const input = options.input(context);
      const output = join(stageDir, REFERENCE_LOGPS_FILE);
      const partial = join(stageDir, PARTIAL_FILE);
      let total = 0;
      for await (const _record of readDataset(input)) if (++total % 4096 === 0) signal.throwIfAborted();
      // A run killed between the rename and the summary has its output whole already.
      if (!existsSync(output)) {
        const journal = await JsonlJournal.open<Record<string, unknown>>(partial);
        try {
          progress.start(total, journal.length);
          if (journal.length < total) await score(context, input, journal);
        } finally {
          await journal.close();
        }
        await fs.rename(partial, output);
      }
      await writeStageSummary(stageDir, { input, records: total, model: config.ref_model_name_or_path, tokenLimits: runTokenLimits(config) });
      log.info(`reference_logps: log π_ref of ${total} training completions`);
    },
  };
}

async function score(context: StageContext, input: string, journal: JsonlJournal<Record<string, unknown>>): Promise<void> {
  const { config, progress, signal } = context;
  const dir = config.ref_model_name_or_path;
  const modelConfig = await readDecoderConfig(dir);
  const tokenizer = await loadTokenizer(dir);
  checkVocabulary(tokenizer, modelConfig);
  const tokens = recordTokenizer(tokenizer, modelConfig, runTokenLimits(config));
  const weights = await loadFrozenModelWeights(dir, modelConfig, { tokenizerVocabSize: tokenizer.vocabSize });
  const device = await stageDevice(config);
  const graph = buildScoringGraph(modelConfig, weights, { logSoftmax: logSoftmaxFormFor(device.executionProvider) }).graph;
  const session = await GraphSession.create(graph, device);
  try {
    let batch: PointwiseRecord[] = [];
    const flush = async () => {
      signal.throwIfAborted();
      const examples = batch.map((record) => tokens.encode(record));
      const packed = packScoringBatch(examples.map((e) => ({ prompt: e.promptIds, completion: e.completionIds })), { padding: 'right', padTokenId: tokens.padTokenId });
      const out = await session.run(scoringFeeds(packed));
      signal.throwIfAborted();
      await journal.append(batch.map((record, i) => ({ ...recordFields(record), ref_logp: Number(out.logp.data[i]), ref_num_tokens: Number(out.num_tokens.data[i]) })));
      progress.advance(batch.length);
      batch = [];
    };
    let index = 0;
    for await (const record of readDataset(input)) {
      if (index++ < journal.length) continue;
      batch.push(record);
      if (batch.length === config.per_device_eval_batch_size) await flush();
    }
    if (batch.length > 0) await flush();
  } finally {
    await session.release();
  }
}

/**
 * The trainer's records from a reference_logps output: each record with its side of a pair restored (side,
 * pair_id), and ref_logp, target, quantile and transformed_reward where the file has them.
 */
export async function* readTrainingRecords(file: string): AsyncGenerator<TrainingRecord> {
  for await (const record of readDataset(file)) {
    const { side, pair_id, ref_logp, ref_num_tokens: _tokens, target, quantile, transformed_reward, ...rest } = record.extra ?? {};
    const restored: PointwiseRecord = { ...record, extra: Object.keys(rest).length > 0 ? rest : undefined };
    if (side === 'chosen' || side === 'rejected') {
      restored.side = side;
      if (typeof pair_id === 'number') restored.pairId = pair_id;
    }
    yield {
      record: restored,
      ...(typeof ref_logp === 'number' ? { refLogp: ref_logp } : {}),
      ...(typeof target === 'number' ? { target } : {}),
      ...(typeof quantile === 'number' ? { quantile } : {}),
      ...(typeof transformed_reward === 'number' ? { transformedReward: transformed_reward } : {}),
    };
  }
}
