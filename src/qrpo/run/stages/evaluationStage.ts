// The `evaluation` stage (qrpo.md §7 step 7): evaluates the checkpoints eval.checkpoints selects (all, or the last)
// and the start model as step 0 ("before", so panels show before/after), each into evals/<step>/ (eval/). An
// evaluation folder appears whole or not at all, so the stage is complete when every selected step has one, and a
// resumed run evaluates only the steps still missing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../errors';
import { evaluateCheckpoint, type EvalPrompt, type EvalRewardSource } from '../../eval/evaluateCheckpoint';
import { readEvalSummary, writeEvalFolder } from '../../eval/evalFolder';
import { runEvalPrompts } from '../../eval/evalPrompts';
import { createRewardSource, type RewardSource } from '../../reward';
import type { ExecutionProvider } from '../../runtime';
import type { RunConfig } from '../config';
import { displayPath } from '../displayPath';
import type { Stage, StageContext } from '../pipeline';
import type { RunFolder } from '../runFolder';
import { stageDevice } from './stageDevice';

export const EVALUATION_STAGE = 'evaluation';

/**
 * Eval sampling draws from its own streams: reference sampling uses `seed`, and at step 0 (policy = π_ref) the same
 * streams would reproduce the reference samples and bias the quantile upwards ((n+1)/2n instead of 1/2).
 */
export const EVAL_SEED_OFFSET = 7919;

export interface EvaluationStageOptions {
  /** Whether workspace code may run (a reward module); the CLI is trusted, the extension says per workspace. */
  readonly trusted: boolean;
  /** Opens the reward source; default: the config's reward block (openEvalRewardSource). The stage disposes it. */
  readonly rewardSource?: (context: StageContext, executionProvider: ExecutionProvider) => Promise<EvalRewardSource & { dispose?: () => Promise<void> }>;
  /** The held-out prompts with reference rewards and lengths; default: runEvalPrompts (eval/evalPrompts.ts). */
  readonly prompts?: (context: StageContext) => Promise<EvalPrompt[]>;
}

const COLUMN_CANNOT_EVALUATE = 'reward.source is column: a dataset column cannot score the completions a checkpoint samples';
const COLUMN_HINT = 'Set reward.source to model or module to evaluate checkpoints, or eval.checkpoints to none';

/** The config's reward source for scoring new completions; a column source cannot, and is refused. */
export async function openEvalRewardSource(config: RunConfig, options: { trusted: boolean; executionProvider?: ExecutionProvider }): Promise<RewardSource> {
  if (config.reward.source === 'column') throw new ConfigError(COLUMN_CANNOT_EVALUATE, COLUMN_HINT);
  return createRewardSource(config.reward, { trusted: options.trusted, executionProvider: options.executionProvider, threads: config.threads > 0 ? config.threads : undefined });
}

/** Steps to evaluate: 0 (the start model) and the checkpoints eval.checkpoints selects; none for `none`. */
export async function evaluationSteps(folder: RunFolder, config: RunConfig): Promise<number[]> {
  if (config.eval.checkpoints === 'none') return [];
  const checkpoints = await folder.checkpoints();
  const chosen = config.eval.checkpoints === 'last' ? checkpoints.slice(-1) : checkpoints;
  return [...new Set([0, ...chosen])].sort((a, b) => a - b);
}

/** The model folder of a step: checkpoint-<step>/, or for step 0 without a checkpoint the start model. */
export function policyDirOf(folder: RunFolder, config: RunConfig, step: number): string {
  const checkpoint = folder.checkpointDir(step);
  if (!existsSync(checkpoint)) {
    if (step === 0) return config.model_name_or_path;
    throw new ConfigError(`${displayPath(checkpoint)} does not exist`, `Evaluate one of the saved checkpoints`);
  }
  if (existsSync(join(checkpoint, 'adapter_config.json')) && !existsSync(join(checkpoint, 'config.json'))) {
    throw new ConfigError(`${displayPath(checkpoint)} holds a LoRA adapter; evaluation needs merged weights`, 'Export the checkpoint merged, or train without use_peft');
  }
  return checkpoint;
}

/** Steps among `steps` whose evals/<step>/ holds no complete evaluation. */
export async function pendingEvaluations(folder: RunFolder, steps: readonly number[]): Promise<number[]> {
  const pending: number[] = [];
  for (const step of steps) if ((await readEvalSummary(folder.evalDir(step))) === undefined) pending.push(step);
  return pending;
}

export interface EvaluateStepOptions {
  readonly prompts: readonly EvalPrompt[];
  readonly rewardSource: EvalRewardSource;
  readonly executionProvider?: ExecutionProvider;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

/** Evaluates one step of a run with the run's settings and writes evals/<step>/; shared with `qrpo eval`. */
export async function evaluateRunStep(folder: RunFolder, config: RunConfig, step: number, options: EvaluateStepOptions) {
  const evaluation = await evaluateCheckpoint({
    policyDir: policyDirOf(folder, config, step),
    refDir: config.ref_model_name_or_path ?? config.model_name_or_path,
    prompts: options.prompts,
    rewardSource: options.rewardSource,
    sampling: {
      temperature: config.reference_sampling.temperature,
      topP: config.reference_sampling.top_p,
      topK: config.reference_sampling.top_k,
      maxNewTokens: config.reference_sampling.max_new_tokens ?? config.max_completion_length,
      seed: config.seed + EVAL_SEED_OFFSET,
    },
    samplesPerPrompt: config.eval.samples_per_prompt,
    selectionSplit: config.eval.selection_split,
    maxPromptLength: config.max_prompt_length,
    step,
    batchSize: config.per_device_eval_batch_size,
    rewardBatchSize: config.reward.batch_size,
    ...(await stageDevice(config)),
    ...(options.executionProvider ? { executionProvider: options.executionProvider } : {}),
    signal: options.signal,
    onProgress: options.onProgress,
  });
  await writeEvalFolder(folder.evalDir(step), evaluation);
  return evaluation;
}

export function evaluationStage(options: EvaluationStageOptions): Stage {
  return {
    name: EVALUATION_STAGE,
    async isComplete({ folder, config }) {
      return (await pendingEvaluations(folder, await evaluationSteps(folder, config))).length === 0;
    },
    async run(context) {
      const { folder, config, progress, signal, log } = context;
      if (config.reward.source === 'column' && options.rewardSource === undefined) {
        const message = `evaluation skipped: ${COLUMN_CANNOT_EVALUATE}. ${COLUMN_HINT}`;
        log.warn(message);
        context.emit({ event: 'warning', message, stage: EVALUATION_STAGE });
        return;
      }
      const pending = await pendingEvaluations(folder, await evaluationSteps(folder, config));
      const prompts = await (options.prompts ?? ((c: StageContext) => runEvalPrompts(c.folder, c.config)))(context);
      const { executionProvider } = await stageDevice(config);
      const rewardSource = await (options.rewardSource?.(context, executionProvider) ?? openEvalRewardSource(config, { trusted: options.trusted, executionProvider }));
      try {
        const perStep = 4 * prompts.length * config.eval.samples_per_prompt;
        progress.start(pending.length * perStep);
        for (const [index, step] of pending.entries()) {
          signal.throwIfAborted();
          const { summary } = await evaluateRunStep(folder, config, step, {
            prompts,
            rewardSource,
            executionProvider,
            signal,
            onProgress: (done) => progress.update(index * perStep + done),
          });
          const shown = summary.splits.reporting ?? summary.splits.all!;
          log.info(
            `evaluation of step ${step}: mean reward ${shown.meanReward.toFixed(4)}, mean quantile ${shown.meanQuantile.toFixed(4)}, ` +
              `KL k3/seq ${shown.kl.k3.perSequence.toFixed(4)} (reporting split, ${shown.samples} samples) → ${displayPath(folder.evalDir(step))}`,
          );
        }
        progress.update(pending.length * perStep);
      } finally {
        await rewardSource.dispose?.();
      }
    },
  };
}
