// The demo's synthetic task: prompts such as "list 4 fruits:" and a corpus of answers of every quality, generated
// from the categories the reward module defines (samples/demo/reward.js), so the model, the reward and the data
// agree on what a fruit is. The corpus is deliberately noisy (lists too short and too long, repeated items, items
// of other categories, made-up words, missing full stops): a model trained on it samples answers whose rewards
// spread widely, which is what reference sampling, quantiles and preference training need.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { ConfigError } from '../errors';
import { Random } from '../train/random';

export interface DemoRewardModule {
  readonly categories: Readonly<Record<string, readonly string[]>>;
  reward(prompt: string, completion: string): number;
}

/** Loads the reward module the demo's runs score with, for its categories (and for scoring the demo's corpus). */
export function loadDemoRewardModule(path: string): DemoRewardModule {
  const loaded = createRequire(resolve(path))(resolve(path)) as Partial<DemoRewardModule>;
  if (typeof loaded.reward !== 'function' || typeof loaded.categories !== 'object' || loaded.categories === null) {
    throw new ConfigError(`${path} must export reward(prompt, completion) and categories (category → items)`);
  }
  return loaded as DemoRewardModule;
}

export interface DemoPrompt {
  readonly prompt: string;
  readonly category: string;
  readonly count: number;
}

const TEMPLATES = ['list {n} {c}:', 'name {n} {c}:', 'give me {n} {c}:', 'write {n} {c}:'];
const COUNTS = [2, 3, 4, 5, 6];
/** Syllables of made-up words: garbage the reward penalises and the model has to learn to avoid. */
const SYLLABLES = ['zo', 'bli', 'ka', 'mur', 'te', 'quo', 'vin', 'da', 'rup', 'sel'];

/** Every prompt of the task: template × count × category. */
export function demoPrompts(categories: DemoRewardModule['categories']): DemoPrompt[] {
  const prompts: DemoPrompt[] = [];
  for (const category of Object.keys(categories)) {
    for (const count of COUNTS) {
      for (const template of TEMPLATES) prompts.push({ prompt: template.replace('{n}', String(count)).replace('{c}', category), category, count });
    }
  }
  return prompts;
}

/**
 * A seeded split of the prompts into held-out ones and training ones (at most `trainCount`, default all the rest);
 * every category, count and template appears on both sides.
 */
export function splitPrompts(prompts: readonly DemoPrompt[], heldOut: number, seed: number, trainCount = prompts.length): { train: DemoPrompt[]; heldOut: DemoPrompt[] } {
  const order = Array.from(Random.fromSeed(seed, 11).permutation(prompts.length));
  const pick = (indices: number[]) => indices.sort((a, b) => a - b).map((i) => prompts[i]);
  return { train: pick(order.slice(heldOut, heldOut + trainCount)), heldOut: pick(order.slice(0, heldOut)) };
}

/**
 * One answer of the corpus: about as many items as asked (from two fewer to three more), each an item of the
 * category (72%), of another category (15%) or a made-up word (13%), drawn with replacement so repeats happen;
 * ", " between items and a full stop 60% of the time.
 */
export function corpusAnswer(prompt: DemoPrompt, categories: DemoRewardModule['categories'], random: Random): string {
  const names = Object.keys(categories);
  const pick = <T>(xs: readonly T[]) => xs[random.nextInt(xs.length)];
  const length = Math.max(1, prompt.count - 2 + random.nextInt(6));
  const words: string[] = [];
  for (let i = 0; i < length; i++) {
    const roll = random.nextFloat();
    if (roll < 0.72) words.push(pick(categories[prompt.category]));
    else if (roll < 0.87) words.push(pick(categories[pick(names.filter((n) => n !== prompt.category))]));
    else words.push(Array.from({ length: 1 + random.nextInt(2) }, () => pick(SYLLABLES)).join(''));
  }
  return ` ${words.join(', ')}${random.nextFloat() < 0.6 ? '.' : ''}`;
}

/** `perPrompt` corpus answers for each prompt, seeded: the SFT data. */
export function demoCorpus(prompts: readonly DemoPrompt[], categories: DemoRewardModule['categories'], perPrompt: number, seed: number): { prompt: string; completion: string }[] {
  const random = Random.fromSeed(seed, 12);
  return prompts.flatMap((p) => Array.from({ length: perPrompt }, () => ({ prompt: p.prompt, completion: corpusAnswer(p, categories, random) })));
}
