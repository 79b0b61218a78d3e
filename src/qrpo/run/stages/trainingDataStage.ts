// The `training_data` stage of the off-policy regimes (qrpo.md §7 step 5): training pairs drawn from the reference
// samples instead of the dataset's completions, one pair per training prompt:
//   off-policy-best-worst    the best and the worst sample by reward (ties go to the lower sample index)
//   off-policy-random-pairs  two distinct samples drawn at random (seeded per prompt), the better one chosen
// Each pair keeps its prompt's reference rewards (the first num_ref_rewards, in sample order), so the quantiles
// stage reads stages/training_data/train.jsonl as it would read the scored dataset. Samples with an empty text
// cannot be trained on and are not drawn. Offline training uses the dataset's own records and has no such stage.
// Written atomically in one go (it is fast); complete when summary.json exists.
import { join } from 'node:path';
import { ConfigError } from '../../errors';
import { SeededRandom } from '../../sample';
import { writeLinesAtomic } from '../atomicFile';
import type { Stage, StageContext } from '../pipeline';
import { distinctPrompts, promptSeed } from './promptSet';
import { readReferenceSets } from './referenceSets';
import type { ScoredReferenceSample } from './rewardScoringStage';
import { stageOutputsComplete, writeStageSummary } from './stageSummary';

export const TRAINING_DATA_STAGE = 'training_data';
export const TRAINING_DATA_FILE = 'train.jsonl';

export function trainingDataFile(context: Pick<StageContext, 'folder'>): string {
  return join(context.folder.stageDir(TRAINING_DATA_STAGE), TRAINING_DATA_FILE);
}

export type OffPolicyRegime = 'off-policy-best-worst' | 'off-policy-random-pairs';

/** The (chosen, rejected) pair of one prompt's samples, or undefined when fewer than two can be trained on. */
export function offPolicyPair(
  samples: readonly ScoredReferenceSample[],
  regime: OffPolicyRegime,
  random: SeededRandom,
): { chosen: ScoredReferenceSample; rejected: ScoredReferenceSample } | undefined {
  const candidates = samples.filter((s) => s !== undefined && s.completion.length > 0);
  if (candidates.length < 2) return undefined;
  if (regime === 'off-policy-best-worst') {
    let best = candidates[0];
    let worst = candidates[0];
    for (const sample of candidates) {
      if (sample.reward > best.reward) best = sample;
      if (sample.reward < worst.reward) worst = sample;
    }
    // All rewards equal: still two distinct samples, so that the pair says something about the text.
    if (best === worst) worst = candidates[1];
    return { chosen: best, rejected: worst };
  }
  const first = random.nextUint32() % candidates.length;
  const second = (first + 1 + (random.nextUint32() % (candidates.length - 1))) % candidates.length;
  const [a, b] = [candidates[Math.min(first, second)], candidates[Math.max(first, second)]];
  return b.reward > a.reward ? { chosen: b, rejected: a } : { chosen: a, rejected: b };
}

export function trainingDataStage(): Stage {
  return {
    name: TRAINING_DATA_STAGE,
    isComplete: (context) => stageOutputsComplete(context.stageDir, [TRAINING_DATA_FILE]),
    async run(context) {
      const { config, progress, signal, log } = context;
      const regime = config.training_data;
      if (regime === 'offline') throw new ConfigError('the training_data stage builds off-policy data, but training_data is "offline"');
      const sets = await readReferenceSets(context.folder);
      const prompts = (await distinctPrompts({ dataset_name: config.dataset_name, eval_dataset_name: null }, signal)).map((p) => p.key);
      progress.start(prompts.length);
      const tally = { pairs: 0, skipped: 0, margin: 0 };
      async function* rows(): AsyncGenerator<string> {
        for (const key of prompts) {
          const set = sets.get(key);
          if (set === undefined) throw new ConfigError(`no scored reference samples for a training prompt (key ${key}); the reward_scoring output is incomplete`);
          const pair = offPolicyPair(set.samples, regime as OffPolicyRegime, new SeededRandom(promptSeed(config.seed, key), 1));
          progress.advance();
          if (pair === undefined) {
            tally.skipped++;
            continue;
          }
          tally.pairs++;
          tally.margin += pair.chosen.reward - pair.rejected.reward;
          if (tally.pairs % 256 === 0) signal.throwIfAborted();
          yield `${JSON.stringify({
            prompt: set.prompt,
            chosen: pair.chosen.completion,
            rejected: pair.rejected.completion,
            chosen_reward: pair.chosen.reward,
            rejected_reward: pair.rejected.reward,
            ref_rewards: set.samples.slice(0, config.num_ref_rewards).map((s) => s.reward),
            chosen_sample_index: pair.chosen.sample_index,
            rejected_sample_index: pair.rejected.sample_index,
          })}\n`;
        }
      }
      await writeLinesAtomic(join(context.stageDir, TRAINING_DATA_FILE), rows());
      if (tally.pairs === 0) throw new ConfigError(`training_data "${regime}" found no prompt with two non-empty reference samples`, 'Raise reference_sampling.max_new_tokens or num_samples');
      if (tally.skipped > 0) log.warn(`training_data: ${tally.skipped} prompts had fewer than two non-empty reference samples and give no pair`);
      await writeStageSummary(context.stageDir, { regime, pairs: tally.pairs, promptsWithoutPair: tally.skipped, meanRewardMargin: tally.margin / tally.pairs });
      log.info(`training_data: ${tally.pairs} ${regime} pairs`);
    },
  };
}
