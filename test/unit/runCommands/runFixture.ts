// A whole run, tiny but real, for the run-command tests and bench/crashSoak.ts: a generated GPT-2 policy (also
// π_ref), a pair dataset of ten prompts, a reward module (text hash plus a length term: continuous, so quantiles have
// no ties) and a YAML config that runs every stage (sampling, scoring, quantiles, reference log-probs, training with
// several checkpoints, evaluation of the last one) in a few seconds on one CPU thread.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeTinyGpt2 } from '../../fixtures/models/tinyModels';

export const REWARD_MODULE = `export function reward(prompt, completion) {
  let hash = 2166136261;
  for (const char of completion) {
    hash ^= char.codePointAt(0);
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return hash / 2 ** 32 + 0.01 * completion.length;
}
`;

const PAIRS: [prompt: string, chosen: string, rejected: string][] = [
  ['The user asks a question.', ' The assistant answers it helpfully.', ' No.'],
  ['Explain the quantile reward.', ' It is the share of reference rewards beaten.', ' A number.'],
  ['How close should the policy stay?', ' Close to the reference policy.', ' Far.'],
  ['What does the reward model do?', ' It scores completions.', ' Nothing.'],
  ['Name a colour.', ' Blue, like the sky.', ' Hm.'],
  ['Count to three.', ' One, two, three.', ' Two.'],
  ['Say hello.', ' Hello there, friend.', ' Bye.'],
  ['What is a checkpoint?', ' Saved weights and optimizer state.', ' A place.'],
  ['Why hold prompts out?', ' To measure what training did not see.', ' Why not.'],
  ['Is KL small?', ' Small when the policy stays near the reference.', ' Yes.'],
];

export interface RunFixture {
  /** The config file. */
  readonly config: string;
  /** Its run folder (output_dir). */
  readonly runDir: string;
}

export interface RunFixtureOptions {
  /** Optimizer steps (default 8); a checkpoint every save_steps (default 2). */
  readonly maxSteps?: number;
  readonly saveSteps?: number;
  /** Reference samples per prompt (default 3) and their length (default 8 tokens). */
  readonly numSamples?: number;
  readonly maxNewTokens?: number;
  /** More YAML lines; a top-level key here replaces the default one. */
  readonly extra?: string;
}

/** Writes the model, the data and the reward module into `dir` (once per folder). */
export async function writeRunWorkspace(dir: string): Promise<void> {
  await writeTinyGpt2(join(dir, 'models', 'policy'), { seed: 21 });
  writeRunData(dir);
}

/** data/pairs.jsonl and reward.mjs in `dir`: what a config of this fixture reads besides the model. */
export function writeRunData(dir: string): void {
  mkdirSync(join(dir, 'data'), { recursive: true });
  writeFileSync(join(dir, 'data', 'pairs.jsonl'), PAIRS.map(([prompt, chosen, rejected]) => JSON.stringify({ prompt, chosen, rejected })).join('\n') + '\n');
  writeFileSync(join(dir, 'reward.mjs'), REWARD_MODULE);
}

/** dir/<name>.yaml, whose run folder is dir/runs/<name>. */
export function writeRunConfig(dir: string, name: string, options: RunFixtureOptions = {}): RunFixture {
  const fields: Record<string, string> = {
    model_name_or_path: 'models/policy',
    dataset_name: 'data/pairs.jsonl',
    output_dir: `runs/${name}`,
    device: 'cpu',
    threads: '1',
    seed: '11',
    beta: '0.1',
    learning_rate: '0.01',
    lr_scheduler_type: 'cosine',
    max_steps: String(options.maxSteps ?? 8),
    per_device_train_batch_size: '2',
    gradient_accumulation_steps: '1',
    logging_steps: '1',
    save_steps: String(options.saveSteps ?? 2),
    max_length: '48',
    max_prompt_length: '24',
    max_completion_length: '16',
    num_ref_rewards: String(options.numSamples ?? 3),
    per_device_eval_batch_size: '4',
  };
  const blocks = [
    'reward:\n  source: module\n  path: reward.mjs\n  batch_size: 8',
    `reference_sampling:\n  num_samples: ${options.numSamples ?? 3}\n  max_new_tokens: ${options.maxNewTokens ?? 8}`,
    'eval:\n  num_prompts: 2\n  samples_per_prompt: 2\n  checkpoints: last\n  selection_split: 0',
  ];
  const extra = options.extra ?? '';
  const overridden = new Set(extra.split('\n').map((line) => /^(\w+):/.exec(line)?.[1]).filter(Boolean));
  const lines = [
    ...Object.entries(fields).filter(([key]) => !overridden.has(key)).map(([key, value]) => `${key}: ${value}`),
    ...blocks.filter((block) => !overridden.has(block.split(':')[0])),
    extra,
  ];
  const config = join(dir, `${name}.yaml`);
  writeFileSync(config, lines.join('\n') + '\n');
  return { config, runDir: join(dir, 'runs', name) };
}
