// The distinct prompts a run samples references for: those of the training dataset, then those of the eval dataset
// not already seen, in first-appearance order; and each prompt's sampling seed. The seed depends only on the run's
// seed and the prompt, never on its position or batch, so a resumed stage, a reordered dataset or another batch size
// draws the same reference samples for it.
import { createHash } from 'node:crypto';
import { promptKey, type Text } from '../../data';
import { readPrompts } from '../../sample';
import type { RunConfig } from '../config';

export interface RunPrompt {
  readonly key: string;
  readonly prompt: Text;
  /** Where it is used: training prompts include the held-out ones drawn from dataset_name. */
  readonly split: 'train' | 'eval';
}

export async function distinctPrompts(config: Pick<RunConfig, 'dataset_name' | 'eval_dataset_name'>, signal?: AbortSignal): Promise<RunPrompt[]> {
  const seen = new Set<string>();
  const prompts: RunPrompt[] = [];
  const sources: [string | null, RunPrompt['split']][] = [[config.dataset_name, 'train'], [config.eval_dataset_name, 'eval']];
  for (const [path, split] of sources) {
    if (path === null) continue;
    for await (const row of readPrompts(path)) {
      const key = promptKey(row.prompt);
      if (seen.has(key)) continue;
      seen.add(key);
      prompts.push({ key, prompt: row.prompt, split });
      if (prompts.length % 1024 === 0) signal?.throwIfAborted();
    }
  }
  return prompts;
}

/** A 48-bit seed from the run's seed and the prompt's key (SHA-256, stable across platforms). */
export function promptSeed(seed: number, key: string): number {
  return createHash('sha256').update(`qrpo-reference-sample:${seed}:${key}`).digest().readUIntBE(0, 6);
}
