// Shared by the stage tests: tiny models written once per test file (a GPT-2 policy, which is also π_ref, and a
// GPT-2 reward model), a small pair dataset (4 prompts, one repeated), a run config over them, and helpers that
// run stages through the real pipeline, including a stop requested after a given amount of progress.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeTinyGpt2 } from '../../fixtures/models/tinyModels';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';
import { parseConfigDocument, resolveRunConfig, type RunConfig } from '../../../src/qrpo/run/config';
import { runPipeline, type RunOutcome, type Stage } from '../../../src/qrpo/run/pipeline';
import { RunFolder } from '../../../src/qrpo/run/runFolder';

export const PAIRS = [
  { prompt: 'The user asks a question.', chosen: ' The assistant answers it helpfully.', rejected: ' No.' },
  { prompt: 'Explain the quantile reward.', chosen: ' It is the fraction of reference rewards beaten.', rejected: ' A number.' },
  { prompt: 'How close should the policy stay?', chosen: ' Close to the reference policy.', rejected: ' Far.' },
  { prompt: 'The user asks a question.', chosen: ' The assistant answers it briefly.', rejected: ' Maybe.' },
  { prompt: 'What does the reward model do?', chosen: ' It scores completions.', rejected: ' Nothing.' },
];
export const DISTINCT_PROMPTS = 4;

export interface StageWorkspace {
  readonly dir: string;
  readonly policy: string;
  readonly rewardModel: string;
  readonly dataset: string;
}

let workspace: Promise<StageWorkspace> | undefined;

/** The models and dataset, written once per process. */
export function stageWorkspace(): Promise<StageWorkspace> {
  workspace ??= (async () => {
    const dir = temporaryFolder('qrpo-stages-');
    const policy = join(dir, 'models', 'policy');
    const rewardModel = join(dir, 'models', 'rm');
    await writeTinyGpt2(policy, { seed: 21 });
    await writeTinyGpt2(rewardModel, { seed: 22, head: 'sequence-classification' });
    const dataset = join(dir, 'data', 'pairs.jsonl');
    mkdirSync(join(dir, 'data'), { recursive: true });
    writeFileSync(dataset, PAIRS.map((row) => JSON.stringify(row)).join('\n') + '\n');
    return { dir, policy, rewardModel, dataset };
  })();
  return workspace;
}

let runs = 0;

/** A resolved config in a fresh run folder of the workspace; `extra` YAML lines override or add fields. */
export async function stageConfig(extra = '', options: { dataset?: string } = {}): Promise<RunConfig> {
  const ws = await stageWorkspace();
  const base = [
    `model_name_or_path: ${ws.policy}`,
    `dataset_name: ${options.dataset ?? ws.dataset}`,
    `output_dir: ${join(ws.dir, 'runs', `run-${++runs}`)}`,
    'num_ref_rewards: 3',
    'device: cpu',
    'max_length: 48',
    'max_prompt_length: 24',
    'max_completion_length: 16',
    'per_device_eval_batch_size: 2',
  ];
  const overridden = new Set(extra.split('\n').map((line) => /^(\w+):/.exec(line)?.[1]).filter(Boolean));
  const reward = overridden.has('reward') ? [] : ['reward:', '  source: model', `  path: ${ws.rewardModel}`, '  batch_size: 4'];
  const sampling = overridden.has('reference_sampling') ? [] : ['reference_sampling:', '  num_samples: 3', '  max_new_tokens: 8'];
  const lines = [...base.filter((line) => !overridden.has(line.split(':')[0])), ...reward, ...sampling, extra];
  return resolveRunConfig(parseConfigDocument(lines.join('\n'), join(ws.dir, 'run.yaml')));
}

export async function newRun(extra = '', options: { dataset?: string } = {}): Promise<RunFolder> {
  return RunFolder.create(await stageConfig(extra, options));
}

/** Runs the stages; a failure is thrown with its message, so a test shows why. */
export async function runStages(folder: RunFolder, stages: readonly Stage[], signal?: AbortSignal): Promise<RunOutcome> {
  const outcome = await runPipeline(folder, stages, { signal, stopPollMs: 60_000 });
  if (outcome.state === 'failed') throw Object.assign(new Error(`run failed: ${outcome.error}`), { cause: outcome.cause });
  return outcome;
}

/**
 * The stage, with a stop requested once its progress has advanced `after` times: what `qrpo stop` (or a kill, for
 * the files on disk) does mid-stage.
 */
export function stoppedAfter(stage: Stage, after: number, controller: AbortController): Stage {
  return {
    name: stage.name,
    isComplete: (context) => stage.isComplete(context),
    run(context) {
      const advance = context.progress.advance.bind(context.progress);
      let count = 0;
      context.progress.advance = (amount = 1) => {
        advance(amount);
        if (++count === after) controller.abort();
      };
      return stage.run(context);
    },
  };
}

export function readLines<T = Record<string, unknown>>(file: string): T[] {
  return readFileSync(file, 'utf8').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as T);
}
