// The `reference_sampling` stage (qrpo.md §7 step 3): for each distinct prompt of the training (and eval) data,
// reference_sampling.num_samples completions from π_ref with the configured sampling (the paper: temperature 1,
// top-p 1), each with log π_ref(y|x) at temperature 1, appended to stages/reference_sampling/samples.jsonl.
//
// Resumable: a prompt's samples are appended in one flushed write once all of them are drawn, so the file is a
// sequence of whole prompts (a torn or partial last prompt is cut away on resume) and completed prompts are never
// drawn again. Each prompt draws from its own seed (promptSet.ts), so a resumed stage writes exactly what an
// uninterrupted one would. Complete when summary.json exists. Skipped when reward.source is column: rewards and
// reference rewards then come from the dataset and nothing could score new samples (reward/columnRewards.ts).
import { join } from 'node:path';
import type { Text } from '../../data';
import { ConfigError } from '../../errors';
import { chatTemplateOf, encodePrompt } from '../../model/chatTemplate';
import { generateBatches, loadGenerator, type FinishReason, type GeneratedSequence } from '../../sample';
import type { RunConfig } from '../config';
import type { Stage, StageContext } from '../pipeline';
import { JsonlJournal } from './jsonlJournal';
import { distinctPrompts, promptSeed, type RunPrompt } from './promptSet';
import { stageDevice } from './stageDevice';
import { readStageSummary, writeStageSummary } from './stageSummary';

export const REFERENCE_SAMPLING_STAGE = 'reference_sampling';
export const SAMPLES_FILE = 'samples.jsonl';

/** One line of samples.jsonl. */
export interface ReferenceSample {
  prompt_key: string;
  prompt: Text;
  /** Decoded without special tokens; the EOS that ended it is not part of the text. */
  completion: string;
  /** log π_ref(completion tokens | prompt) at temperature 1, EOS included: a sum over tokens. */
  logp: number;
  /** Completion tokens, the EOS that ended it included. */
  num_tokens: number;
  finish_reason: FinishReason;
  sample_index: number;
  /** The prompt's sampling seed (from the run's seed and the prompt). */
  seed: number;
}

export interface ReferenceSamplingSummary {
  skipped?: string;
  prompts: number;
  trainPrompts: number;
  evalPrompts: number;
  samples: number;
  numSamples: number;
  model: string;
  seed: number;
  sampling: { temperature: number; top_p: number; top_k: number; max_new_tokens: number };
  finishReasons: Record<FinishReason, number>;
  meanNumTokens: number;
}

export function referenceSamplesFile(context: Pick<StageContext, 'folder'>): string {
  return join(context.folder.stageDir(REFERENCE_SAMPLING_STAGE), SAMPLES_FILE);
}

/** Why the stage does not sample for this config, or undefined when it does. */
export function referenceSamplingSkipReason(config: Pick<RunConfig, 'reward'>): string | undefined {
  if (config.reward.source === 'column') return 'reward.source is "column": rewards and ref_rewards come from the dataset, and no reward source could score new samples';
  return undefined;
}

export function referenceSamplingStage(): Stage {
  return {
    name: REFERENCE_SAMPLING_STAGE,
    async isComplete(context) {
      if (referenceSamplingSkipReason(context.config) !== undefined) return true;
      return (await readStageSummary(context.stageDir)) !== undefined;
    },
    async run(context) {
      const skip = referenceSamplingSkipReason(context.config);
      if (skip !== undefined) {
        context.log.info(`reference_sampling skipped: ${skip}`);
        return;
      }
      await sampleReferences(context);
    },
  };
}

async function sampleReferences(context: StageContext): Promise<void> {
  const { config, progress, signal, log } = context;
  const sampling = config.reference_sampling;
  const n = sampling.num_samples;
  const maxNewTokens = sampling.max_new_tokens;
  const prompts = await distinctPrompts(config, signal);
  const tally = { samples: 0, tokens: 0, reasons: { eos: 0, stop: 0, length: 0 } as Record<FinishReason, number> };
  const count = (sample: ReferenceSample) => {
    tally.samples++;
    tally.tokens += sample.num_tokens;
    tally.reasons[sample.finish_reason]++;
  };

  // Whole prompts already written: runs of n lines of one key with sample_index 0..n−1. Appends are whole prompts, so
  // only the last run can be short (a torn write); everything from the first short or odd run on is cut away.
  const done = new Set<string>();
  let group: ReferenceSample[] = [];
  let keep = 0;
  let broken = false;
  const journal = await JsonlJournal.open<ReferenceSample>(join(context.stageDir, SAMPLES_FILE), (sample) => {
    if (broken) return;
    if (sample.sample_index !== group.length || (group.length > 0 && sample.prompt_key !== group[0].prompt_key)) {
      broken = true;
      return;
    }
    group.push(sample);
    if (group.length < n) return;
    if (done.has(sample.prompt_key)) {
      broken = true;
      return;
    }
    done.add(sample.prompt_key);
    group.forEach(count);
    keep += n;
    group = [];
  });
  try {
    if (journal.repairedBytes > 0 || journal.length > keep) {
      log.warn(`reference_sampling: resuming after an interrupted write; ${journal.length - keep} lines of an unfinished prompt were cut from ${SAMPLES_FILE}`);
    }
    await journal.truncate(keep);
    const remaining = prompts.filter((p) => !done.has(p.key));
    progress.start(prompts.length, prompts.length - remaining.length);
    if (remaining.length > 0) {
      const device = await stageDevice(config);
      const { config: modelConfig, tokenizer, decoder } = await loadGenerator(config.ref_model_name_or_path, device);
      try {
        const template = chatTemplateOf(tokenizer);
        const eos = new Set(tokenizer.eosTokenIds);
        for (const prompt of remaining) {
          signal.throwIfAborted();
          const full = encodePrompt(tokenizer, template, prompt.prompt);
          // Training keeps a prompt's last max_prompt_length tokens (qrpo.md §4); π_ref sees the same prompt.
          const ids = full.length > config.max_prompt_length ? full.slice(full.length - config.max_prompt_length) : full;
          if (modelConfig.family === 'gpt2' && ids.length + maxNewTokens > modelConfig.maxPositions) {
            throw new ConfigError(
              `a prompt of ${ids.length} tokens plus reference_sampling.max_new_tokens ${maxNewTokens} exceeds the ${modelConfig.maxPositions} positions of ${config.ref_model_name_or_path}`,
              'Lower reference_sampling.max_new_tokens or max_prompt_length',
            );
          }
          const seed = promptSeed(config.seed, prompt.key);
          const sequences: GeneratedSequence[] = [];
          for await (const batch of generateBatches(decoder.step, {
            prompts: [ids],
            numReturnSequences: n,
            maxNewTokens,
            sampling: { temperature: sampling.temperature, topP: sampling.top_p, topK: sampling.top_k },
            seed,
            eosTokenIds: tokenizer.eosTokenIds,
            padTokenId: tokenizer.padTokenId ?? 0,
            batchSize: config.per_device_eval_batch_size,
            cancelled: () => signal.aborted,
          })) {
            sequences.push(...batch);
          }
          signal.throwIfAborted();
          const lines = sequences.map((sequence): ReferenceSample => {
            const textIds = sequence.finishReason === 'eos' && eos.has(sequence.tokenIds.at(-1)!) ? sequence.tokenIds.slice(0, -1) : sequence.tokenIds;
            return {
              prompt_key: prompt.key,
              prompt: prompt.prompt,
              completion: tokenizer.decode(textIds, { skipSpecialTokens: true }),
              logp: sequence.modelLogProbs.reduce((a, b) => a + b, 0),
              num_tokens: sequence.tokenIds.length,
              finish_reason: sequence.finishReason,
              sample_index: sequence.sampleIndex,
              seed,
            };
          });
          await journal.append(lines);
          lines.forEach(count);
          progress.advance();
        }
      } finally {
        await decoder.release();
      }
    }
  } finally {
    await journal.close();
  }

  const summary: ReferenceSamplingSummary = {
    prompts: prompts.length,
    trainPrompts: prompts.filter((p: RunPrompt) => p.split === 'train').length,
    evalPrompts: prompts.filter((p: RunPrompt) => p.split === 'eval').length,
    samples: tally.samples,
    numSamples: n,
    model: config.ref_model_name_or_path,
    seed: config.seed,
    sampling: { temperature: sampling.temperature, top_p: sampling.top_p, top_k: sampling.top_k, max_new_tokens: maxNewTokens },
    finishReasons: tally.reasons,
    meanNumTokens: tally.samples > 0 ? tally.tokens / tally.samples : 0,
  };
  await writeStageSummary(context.stageDir, summary as unknown as Record<string, unknown>);
  log.info(`reference_sampling: ${tally.samples} samples of ${prompts.length} prompts, ${summary.meanNumTokens.toFixed(1)} tokens on average`);
}
