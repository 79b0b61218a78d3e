// Which prompts a run evaluates on, and their reference rewards and lengths, read from the run folder: the
// reward-scoring stage's scored reference samples (stages/reward_scoring/reference_samples.jsonl: prompt_key,
// num_tokens, reward, sample_index; run/stages/referenceSets.ts). Held-out prompts are those of
// eval_dataset_name, or else eval.num_prompts prompts of dataset_name chosen by key hash (heldOutPromptKeys), the
// one definition that training must leave out and reference sampling must cover.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { promptKey, type Text } from '../data';
import { ConfigError } from '../errors';
import type { RunConfig } from '../run/config';
import { displayPath } from '../run/displayPath';
import type { RunFolder } from '../run/runFolder';
import { readReferenceSets } from '../run/stages/referenceSets';
import { REWARD_SCORING_STAGE, SCORED_SAMPLES_FILE } from '../run/stages/rewardScoringStage';
import { readPrompts } from '../sample';
import type { EvalPrompt } from './evaluateCheckpoint';

export interface PromptReference {
  readonly prompt: Text;
  readonly rewards: number[];
  /** Completion lengths in tokens (num_tokens), aligned with rewards. */
  readonly lengths: number[];
}

/**
 * The `count` keys with the smallest hash position: deterministic, independent of dataset order, and stable when
 * prompts are added (a prompt held out stays held out unless enough new prompts rank before it).
 */
export function heldOutPromptKeys(keys: Iterable<string>, count: number): Set<string> {
  const distinct = [...new Set(keys)];
  const rank = (key: string) => createHash('sha256').update(`qrpo-eval-holdout:${key}`).digest('hex');
  const ranked = distinct.map((key) => ({ key, rank: rank(key) })).sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
  return new Set(ranked.slice(0, count).map((r) => r.key));
}

/** The run's held-out prompts in dataset order (distinct, at most eval.num_prompts). */
export async function heldOutPrompts(config: RunConfig): Promise<{ key: string; prompt: Text }[]> {
  const all: { key: string; prompt: Text }[] = [];
  const seen = new Set<string>();
  const source = config.eval_dataset_name ?? config.dataset_name;
  for await (const row of readPrompts(source)) {
    const key = promptKey(row.prompt);
    if (seen.has(key)) continue;
    seen.add(key);
    all.push({ key, prompt: row.prompt });
    if (config.eval_dataset_name !== null && all.length === config.eval.num_prompts) break;
  }
  if (config.eval_dataset_name !== null) return all;
  const chosen = heldOutPromptKeys(all.map((p) => p.key), config.eval.num_prompts);
  return all.filter((p) => chosen.has(p.key));
}

/** Reference rewards and lengths per prompt key, from the reward-scoring stage's scored reference samples. */
export async function readReferenceSet(folder: RunFolder): Promise<Map<string, PromptReference>> {
  const file = folder.path('stages', REWARD_SCORING_STAGE, SCORED_SAMPLES_FILE);
  if (!existsSync(file)) {
    throw new ConfigError(`${displayPath(file)} does not exist: evaluation compares with scored reference samples`, 'Run the reference-sampling and reward-scoring stages first (qrpo resume RUN_DIR)');
  }
  const references = new Map<string, PromptReference>();
  for (const [key, set] of await readReferenceSets(folder)) {
    const samples = set.samples.filter((sample) => sample !== undefined);
    references.set(key, { prompt: set.prompt, rewards: samples.map((s) => s.reward), lengths: samples.map((s) => s.num_tokens) });
  }
  return references;
}

/** The held-out prompts with their reference rewards and lengths; an error names a prompt without references. */
export async function runEvalPrompts(folder: RunFolder, config: RunConfig): Promise<EvalPrompt[]> {
  const references = await readReferenceSet(folder);
  const prompts = await heldOutPrompts(config);
  const missing = prompts.filter((p) => !references.has(p.key));
  if (missing.length > 0) {
    throw new ConfigError(
      `${missing.length} of the ${prompts.length} held-out eval prompts have no reference samples (first: ${JSON.stringify(missing[0].prompt).slice(0, 100)})`,
      'Reference sampling must cover the eval prompts; rerun it (delete stages/reference_sampling and resume)',
    );
  }
  return prompts.map((p) => {
    const reference = references.get(p.key)!;
    return { key: p.key, prompt: p.prompt, refRewards: reference.rewards, refLengths: reference.lengths };
  });
}
