// The demo's QRPO and DPO runs, through the same pipeline as `qrpo run`: the demo writes its datasets, then each
// method's config (a template from samples/demo/ with paths pointed into the demo's folder and the scale's
// overrides), and runs every stage (reference sampling → reward scoring → off-policy pairs → quantiles → reference
// log-probs → training → evaluation) into a run folder the extension opens like any other.
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError } from '../errors';
import { loadRunConfig } from '../run/config';
import type { RunEventListener } from '../run/events';
import type { RunFolder } from '../run/runFolder';
import { startRun } from '../run/startRun';
import { runStages } from '../run/stages/runStages';
import { Random } from '../train/random';
import { type DemoPrompt, type DemoRewardModule, corpusAnswer } from './demoTask';

export interface DemoPaths {
  /** The demo's output folder (default demo-runs/). */
  readonly out: string;
  /** samples/demo/: the config templates and reward.js. */
  readonly samples: string;
}

export const demoLayout = (out: string) => ({
  data: join(out, 'data'),
  trainData: join(out, 'data', 'train.jsonl'),
  heldOutData: join(out, 'data', 'heldout.jsonl'),
  configs: join(out, 'configs'),
  initialModel: join(out, 'models', 'initial'),
  sftRun: join(out, 'models', 'sft-training'),
  model: join(out, 'models', 'sft'),
  run: (method: string) => join(out, method),
  summaryJson: join(out, 'summary.json'),
  summaryMarkdown: join(out, 'summary.md'),
});

/**
 * The runs' datasets: one answer from the corpus distribution per prompt ({prompt, completion}). Training uses the
 * prompts (its pairs are drawn from π_ref's own samples, the paper's off-policy regime); the answers are scored and
 * kept for reference.
 */
export async function writeDemoData(out: string, prompts: { train: readonly DemoPrompt[]; heldOut: readonly DemoPrompt[] }, categories: DemoRewardModule['categories'], seed: number): Promise<void> {
  const layout = demoLayout(out);
  const random = Random.fromSeed(seed, 13);
  const lines = (list: readonly DemoPrompt[]) => list.map((p) => `${JSON.stringify({ prompt: p.prompt, completion: corpusAnswer(p, categories, random) })}\n`).join('');
  await fs.mkdir(layout.data, { recursive: true });
  await fs.writeFile(layout.trainData, lines(prompts.train));
  await fs.writeFile(layout.heldOutData, lines(prompts.heldOut));
}

/**
 * `<out>/configs/<method>.json`: samples/demo/<method>.json with the demo folder's model, data, run folder and the
 * reward module as absolute paths, the seed, and the scale's overrides. Returns its path.
 */
export async function writeDemoConfig(paths: DemoPaths, method: string, seed: number, overrides: Readonly<Record<string, unknown>>): Promise<string> {
  const template = join(paths.samples, `${method}.json`);
  const config = JSON.parse(await fs.readFile(template, 'utf8')) as Record<string, unknown>;
  const layout = demoLayout(paths.out);
  delete config.$schema;
  Object.assign(config, {
    model_name_or_path: resolve(layout.model),
    dataset_name: resolve(layout.trainData),
    eval_dataset_name: resolve(layout.heldOutData),
    output_dir: resolve(layout.run(method)),
    seed,
  });
  const reward = config.reward as Record<string, unknown> | undefined;
  if (reward?.path !== undefined) reward.path = resolve(paths.samples, String(reward.path));
  for (const [path, value] of Object.entries(overrides)) setField(config, path.split('.'), value, template);
  await fs.mkdir(layout.configs, { recursive: true });
  const file = join(layout.configs, `${method}.json`);
  await fs.writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

function setField(config: Record<string, unknown>, path: readonly string[], value: unknown, template: string): void {
  let block = config;
  for (const name of path.slice(0, -1)) {
    const next = block[name];
    if (typeof next !== 'object' || next === null) throw new ConfigError(`the demo overrides ${path.join('.')}, but ${template} has no "${name}" block`);
    block = next as Record<string, unknown>;
  }
  block[path.at(-1)!] = value;
}

/** Runs every stage of the config's run; throws if the run failed. */
export async function runDemoMethod(configFile: string, options: { onEvent?: RunEventListener; signal?: AbortSignal } = {}): Promise<{ folder: RunFolder; state: 'done' | 'stopped' }> {
  const { config } = await loadRunConfig(configFile);
  const { folder, outcome } = await startRun(configFile, () => runStages(config, { trusted: true }), options);
  if (outcome.state === 'failed') {
    if (outcome.cause instanceof Error) throw outcome.cause;
    throw new ConfigError(`the demo's ${config.run_name} run failed${outcome.error ? `: ${outcome.error}` : ''}`, `See ${join(folder.dir, 'run.log')}`);
  }
  return { folder, state: outcome.state };
}
