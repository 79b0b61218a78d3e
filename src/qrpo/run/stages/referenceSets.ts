// A prompt's scored reference samples, grouped: what off-policy training data is drawn from and what evaluation
// compares checkpoint samples with (their rewards, and their lengths for the length-controlled reward and the
// length-bias x). Read from stages/reward_scoring/reference_samples.jsonl.
import type { Text } from '../../data';
import type { RunFolder } from '../runFolder';
import { readJsonLines } from './jsonlJournal';
import { REWARD_SCORING_STAGE, SCORED_SAMPLES_FILE, type ScoredReferenceSample } from './rewardScoringStage';
import { join } from 'node:path';

export interface ReferenceSet {
  readonly promptKey: string;
  readonly prompt: Text;
  /** In sample order (sample_index 0, 1, …). */
  readonly samples: ScoredReferenceSample[];
}

/** Reference sets by prompt key, in the order prompts were sampled. */
export async function readReferenceSets(folder: RunFolder): Promise<Map<string, ReferenceSet>> {
  const sets = new Map<string, ReferenceSet>();
  for await (const sample of readJsonLines<ScoredReferenceSample>(join(folder.stageDir(REWARD_SCORING_STAGE), SCORED_SAMPLES_FILE))) {
    let set = sets.get(sample.prompt_key);
    if (set === undefined) {
      set = { promptKey: sample.prompt_key, prompt: sample.prompt, samples: [] };
      sets.set(sample.prompt_key, set);
    }
    set.samples[sample.sample_index] = sample;
  }
  return sets;
}
