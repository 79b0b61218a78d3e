// Evaluation of one policy (a checkpoint, or the start model as "before") on held-out prompts, as the paper
// measures it (qrpo.md §8): samples from the policy, their rewards, each reward's quantile against the prompt's
// reference rewards, KL estimates, lengths, the length-controlled reward and the length bias. The models are held
// one at a time (decoder, then the policy's scoring graph, then the reference's), so a run needs no more memory
// for evaluation than for sampling.
import { resolve } from 'node:path';
import { promptKey, type Text } from '../data';
import { ConfigError, QrpoError } from '../errors';
import { chatTemplateOf, encodePrompt } from '../model/chatTemplate';
import type { ExecutionProvider } from '../runtime';
import { generateBatches, loadGenerator, type FinishReason, type GeneratedSequence } from '../sample';
import { evalSplitOf, requireSelectionShare, type EvalSplit } from './evalSplit';
import { evaluationStatistics, type EvalSplitSummaries } from './evalStatistics';
import { loadTokenScorer } from './tokenScorer';
import { requireFiniteRewards, type RewardItem, type RewardSource } from '../reward/rewardSource';

/**
 * A held-out prompt and what its reference completions scored: rewards and lengths in tokens, one per completion.
 * Quantiles use all of them (every stored reference sample), not only the first num_ref_rewards training uses:
 * more references give a finer quantile, and the law under π_ref is uniform either way.
 */
export interface EvalPrompt {
  /** Default: promptKey(prompt), the key reference samples are grouped by. */
  readonly key?: string;
  readonly prompt: Text;
  readonly refRewards: readonly number[];
  readonly refLengths: readonly number[];
}

/** What evaluation needs of a reward source (reward/rewardSource.ts); the caller opens and disposes it. */
export type EvalRewardSource = Pick<RewardSource, 'score' | 'description'>;

export interface EvalSampling {
  /** Default 1, as the paper samples (reference samples must have been drawn the same way for quantiles to mean anything). */
  readonly temperature?: number;
  /** Default 1 (off). */
  readonly topP?: number;
  /** Default 0 (off). */
  readonly topK?: number;
  readonly maxNewTokens: number;
  /** Default 0. The same seed for every checkpoint of a run gives common random numbers: differences are the model's. */
  readonly seed?: number;
}

export interface EvaluateCheckpointOptions {
  readonly policyDir: string;
  readonly refDir: string;
  readonly prompts: readonly EvalPrompt[];
  readonly rewardSource: EvalRewardSource;
  readonly sampling: EvalSampling;
  readonly samplesPerPrompt: number;
  /** Share of prompts (by key hash) in the selection split; the rest report (evalSplit.ts). */
  readonly selectionSplit: number;
  /** Keep each prompt's last this many tokens, as training and reference sampling do. */
  readonly maxPromptLength?: number;
  /** The training step this policy is (0 for the start model); recorded in the summary. */
  readonly step?: number;
  readonly batchSize?: number;
  readonly rewardBatchSize?: number;
  readonly executionProvider?: ExecutionProvider;
  readonly threads?: number;
  /** Checked between batches; an abort throws its reason. */
  readonly signal?: AbortSignal;
  /** Work done of the total: sampled sequences, then rewards, then policy and reference scores. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** One line of evals/<step>/samples.jsonl. */
export interface EvalSampleRow {
  prompt_key: string;
  prompt: Text;
  sample_index: number;
  completion: string;
  finish_reason: FinishReason;
  split: EvalSplit;
  reward: number;
  quantile: number;
  /** Completion tokens, EOS included. */
  length: number;
  length_z: number | null;
  logp_policy: number;
  logp_ref: number;
  /** logp_policy − logp_ref (the length-bias y). */
  implicit_reward: number;
  lc_reward: number;
}

/** evals/<step>/summary.json. */
export interface EvalSummary {
  step: number | null;
  policy: string;
  reference: string;
  createdAt: string;
  seconds: number;
  prompts: number;
  samplesPerPrompt: number;
  selectionSplit: number;
  sampling: Required<EvalSampling>;
  /** Per split; null for a split without prompts (selection, when selection_split is 0). */
  splits: EvalSplitSummaries;
}

export interface CheckpointEvaluation {
  samples: EvalSampleRow[];
  summary: EvalSummary;
}

export async function evaluateCheckpoint(options: EvaluateCheckpointOptions): Promise<CheckpointEvaluation> {
  const started = Date.now();
  checkOptions(options);
  const { prompts, samplesPerPrompt, signal } = options;
  const sampling: Required<EvalSampling> = { temperature: 1, topP: 1, topK: 0, seed: 0, ...options.sampling };
  const keys = prompts.map((p) => p.key ?? promptKey(p.prompt));
  const splits = keys.map((key) => evalSplitOf(key, options.selectionSplit));
  const total = prompts.length * samplesPerPrompt;
  let done = 0;
  const advance = (count: number) => {
    done += count;
    options.onProgress?.(done, 4 * total);
  };

  const { sequences, promptIds, texts } = await sampleCompletions(options, sampling, advance);
  signal?.throwIfAborted();
  const rewardItems = sequences.map((s, i): RewardItem => ({
    prompt: prompts[s.promptIndex].prompt,
    completion: texts[i],
    origin: `eval sample ${s.sampleIndex} of prompt ${s.promptIndex}`,
  }));
  const rewards = await scoreRewards(options, rewardItems, advance);
  const tokenized = sequences.map((s) => ({ prompt: promptIds[s.promptIndex], completion: s.tokenIds }));
  const policyTokenLogps = await scoreTokens(options.policyDir, tokenized, options, advance);
  const refTokenLogps = await scoreTokens(options.refDir, tokenized, options, advance);

  const statistics = evaluationStatistics(
    sequences.map((s, i) => ({
      split: splits[s.promptIndex],
      reward: rewards[i],
      length: s.tokenIds.length,
      policyTokenLogps: policyTokenLogps[i],
      refTokenLogps: refTokenLogps[i],
      refRewards: prompts[s.promptIndex].refRewards,
      refLengths: prompts[s.promptIndex].refLengths,
    })),
    sequences.map((s) => s.promptIndex),
  );
  const samples = sequences.map((s, i): EvalSampleRow => {
    const stats = statistics.samples[i];
    return {
      prompt_key: keys[s.promptIndex],
      prompt: prompts[s.promptIndex].prompt,
      sample_index: s.sampleIndex,
      completion: texts[i],
      finish_reason: s.finishReason,
      split: splits[s.promptIndex],
      reward: rewards[i],
      quantile: stats.quantile,
      length: s.tokenIds.length,
      length_z: stats.lengthZ,
      logp_policy: stats.logpPolicy,
      logp_ref: stats.logpRef,
      implicit_reward: stats.implicitReward,
      lc_reward: stats.lcReward,
    };
  });
  return {
    samples,
    summary: {
      step: options.step ?? null,
      policy: resolve(options.policyDir),
      reference: resolve(options.refDir),
      createdAt: new Date().toISOString(),
      seconds: (Date.now() - started) / 1000,
      prompts: prompts.length,
      samplesPerPrompt,
      selectionSplit: options.selectionSplit,
      sampling,
      splits: statistics.splits,
    },
  };
}

function checkOptions(options: EvaluateCheckpointOptions): void {
  const { prompts, samplesPerPrompt } = options;
  if (prompts.length === 0) throw new ConfigError('evaluation needs at least one held-out prompt');
  if (!(Number.isInteger(samplesPerPrompt) && samplesPerPrompt >= 1)) throw new ConfigError(`eval.samples_per_prompt must be a positive integer, got ${samplesPerPrompt}`);
  requireSelectionShare(options.selectionSplit);
  prompts.forEach((p, i) => {
    const where = `eval prompt ${i}${p.key ? ` (key ${p.key})` : ''}`;
    if (p.refRewards.length === 0) throw new ConfigError(`${where} has no reference rewards`, 'Each evaluated prompt needs reference samples with rewards to compute quantiles against');
    if (p.refRewards.length !== p.refLengths.length) throw new ConfigError(`${where} has ${p.refRewards.length} reference rewards but ${p.refLengths.length} reference lengths`);
    if (!p.refRewards.every(Number.isFinite)) throw new ConfigError(`${where} has a reference reward that is not a finite number`);
  });
}

async function sampleCompletions(
  options: EvaluateCheckpointOptions,
  sampling: Required<EvalSampling>,
  advance: (count: number) => void,
): Promise<{ sequences: GeneratedSequence[]; promptIds: number[][]; texts: string[] }> {
  const { config, tokenizer, decoder } = await loadGenerator(options.policyDir, { executionProvider: options.executionProvider, threads: options.threads });
  try {
    const template = chatTemplateOf(tokenizer);
    const limit = options.maxPromptLength;
    const promptIds = options.prompts.map((p) => {
      const ids = encodePrompt(tokenizer, template, p.prompt);
      return limit !== undefined && ids.length > limit ? ids.slice(ids.length - limit) : ids;
    });
    // GPT-2's learned positions end at n_positions; RoPE models extrapolate (transformers allows it, with a warning).
    const longest = Math.max(...promptIds.map((ids) => ids.length));
    if (config.family === 'gpt2' && longest + sampling.maxNewTokens > config.maxPositions) {
      throw new ConfigError(
        `an eval prompt has ${longest} tokens; with max_new_tokens ${sampling.maxNewTokens} it exceeds the model's ${config.maxPositions} positions`,
        'Lower reference_sampling.max_new_tokens or max_prompt_length',
      );
    }
    const eos = new Set(tokenizer.eosTokenIds);
    const sequences: GeneratedSequence[] = [];
    const batches = generateBatches(decoder.step, {
      prompts: promptIds,
      numReturnSequences: options.samplesPerPrompt,
      maxNewTokens: sampling.maxNewTokens,
      sampling: { temperature: sampling.temperature, topP: sampling.topP, topK: sampling.topK },
      seed: sampling.seed,
      eosTokenIds: tokenizer.eosTokenIds,
      padTokenId: tokenizer.padTokenId ?? 0,
      batchSize: options.batchSize,
      cancelled: () => options.signal?.aborted ?? false,
    });
    for await (const batch of batches) {
      sequences.push(...batch);
      advance(batch.length);
    }
    options.signal?.throwIfAborted();
    // The completion text a reward model reads, as `qrpo generate` writes it: the EOS that ended it is not text.
    const texts = sequences.map((s) => {
      const ids = s.finishReason === 'eos' && eos.has(s.tokenIds.at(-1)!) ? s.tokenIds.slice(0, -1) : s.tokenIds;
      return tokenizer.decode(ids, { skipSpecialTokens: true });
    });
    return { sequences, promptIds, texts };
  } finally {
    await decoder.release();
  }
}

async function scoreRewards(options: EvaluateCheckpointOptions, items: readonly RewardItem[], advance: (count: number) => void): Promise<number[]> {
  const batchSize = options.rewardBatchSize ?? 8;
  const { rewardSource } = options;
  const rewards: number[] = [];
  for (let first = 0; first < items.length; first += batchSize) {
    options.signal?.throwIfAborted();
    const batch = items.slice(first, first + batchSize);
    const scores = await rewardSource.score(batch);
    if (scores.length !== batch.length) throw new QrpoError(`${rewardSource.description} returned ${scores.length} rewards for ${batch.length} completions`);
    rewards.push(...requireFiniteRewards(scores, batch, rewardSource.description));
    advance(batch.length);
  }
  return rewards;
}

async function scoreTokens(
  dir: string,
  sequences: readonly { prompt: number[]; completion: number[] }[],
  options: EvaluateCheckpointOptions,
  advance: (count: number) => void,
): Promise<number[][]> {
  options.signal?.throwIfAborted();
  const scorer = await loadTokenScorer(dir, { executionProvider: options.executionProvider, threads: options.threads, batchSize: options.batchSize });
  try {
    return await scorer.score(sequences, (count) => {
      options.signal?.throwIfAborted();
      advance(count);
    });
  } finally {
    await scorer.release();
  }
}
