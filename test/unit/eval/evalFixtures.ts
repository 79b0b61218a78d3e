// Tiny GPT-2 policies for the evaluation tests: the fixture model with its weights spread 20× wider (so that
// distributions are far from uniform and two seeds give clearly different policies) and its EOS row of the
// untied output head scaled up, so that whether a completion ends early depends on context: completion lengths
// then vary within a prompt, which the length statistics need. Also a deterministic, continuous reward.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { writeSafetensors } from '../../../src/qrpo/model/safetensorsWriter';
import type { EvalRewardSource } from '../../../src/qrpo/eval';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';
import { writeTinyGpt2 } from '../../fixtures/models/tinyModels';

export const scratch = temporaryFolder('qrpo-eval-');

const written = new Map<number, Promise<string>>();

/** A policy folder per seed, written once per test process. */
export function evalModel(seed: number): Promise<string> {
  if (!written.has(seed)) written.set(seed, writeEvalModel(join(scratch, `gpt2-${seed}`), seed));
  return written.get(seed)!;
}

/** A copy of a model folder under another path: same weights, separately loaded. */
export function copyModel(dir: string, name: string): string {
  const target = join(scratch, name);
  cpSync(dir, target, { recursive: true });
  return target;
}

async function writeEvalModel(dir: string, seed: number): Promise<string> {
  const model = await writeTinyGpt2(dir, { seed, tied: false });
  const eos = model.specialIds['<|endoftext|>'];
  const tensors: Record<string, { dtype: 'F32'; shape: number[]; data: Float32Array }> = {};
  for (const [name, { shape, data }] of model.tensors) {
    const centre = /(ln_\d|ln_f)\.weight$/.test(name) ? 1 : 0;
    const spread = data.map((v) => centre + (v - centre) * 20);
    if (name === 'lm_head.weight') for (let j = 0; j < shape[1]; j++) spread[eos * shape[1] + j] *= 3;
    tensors[name] = { dtype: 'F32', shape, data: spread };
  }
  await writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
  return dir;
}

/** FNV-1a of the text in [0, 1) plus 0.01 per character: continuous (ties only for equal texts), partly length-driven. */
export function textReward(completion: string): number {
  let hash = 2166136261;
  for (const char of completion) {
    hash ^= char.codePointAt(0)!;
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return hash / 2 ** 32 + 0.01 * completion.length;
}

export const textRewardSource: EvalRewardSource = {
  description: 'test reward (text hash + length)',
  score: async (items) => items.map((item) => textReward(typeof item.completion === 'string' ? item.completion : JSON.stringify(item.completion))),
};

/** The same reward as a workspace module, for reward.source: module. */
export const REWARD_MODULE = `export function reward(prompt, completion) {
  let hash = 2166136261;
  for (const char of completion) {
    hash ^= char.codePointAt(0);
    hash = Math.imul(hash, 16777619) >>> 0;
  }
  return hash / 2 ** 32 + 0.01 * completion.length;
}
`;

export const PROMPTS = [
  'The reference policy',
  'A quantile reward is',
  'Length bias means',
  'Checkpoints are chosen',
  'KL divergence measures',
  'The reward model says',
  'Held-out prompts give',
  'Sampling at temperature one',
];
