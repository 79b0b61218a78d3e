// The data stages of a run, in order and wired together (design.md: reference sampling → reward scoring → quantile
// rewards → reference log-probs); training and evaluation are appended after them.
//   reference_sampling  stages/reference_sampling/samples.jsonl      (skipped for reward.source column)
//   reward_scoring      stages/reward_scoring/scored.jsonl, reference_samples.jsonl
//   training_data       stages/training_data/train.jsonl             (off-policy regimes only)
//   quantiles           stages/quantiles/train.prepared.jsonl        (reads training_data's or reward_scoring's output)
//   reference_logps     stages/reference_logps/train.jsonl           (what training reads: readTrainingRecords)
// training_data comes before quantiles because off-policy pairs need their quantiles and targets too.
import type { RunConfig } from '../config';
import type { Stage, StageContext } from '../pipeline';
import { preparedFile, quantilesStage } from './quantilesStage';
import { referenceLogpsStage } from './referenceLogpsStage';
import { referenceSamplingStage } from './referenceSamplingStage';
import { rewardScoringStage, scoredFile } from './rewardScoringStage';
import { trainingDataFile, trainingDataStage } from './trainingDataStage';

export interface DefaultStagesOptions {
  /**
   * Whether the workspace is trusted to run its own code (a reward.source module). The CLI passes true (the user
   * ran it); the extension passes vscode.workspace.isTrusted.
   */
  readonly trusted: boolean;
}

/** Whether the run computes quantile targets: QRPO needs them; other losses get them when rewards are scored here. */
export function computesQuantiles(config: Pick<RunConfig, 'loss_type' | 'reward'>): boolean {
  return config.loss_type === 'qrpo' || config.reward.source !== 'column';
}

export function defaultStages(config: RunConfig, options: DefaultStagesOptions): Stage[] {
  const offPolicy = config.training_data !== 'offline';
  const records = offPolicy ? trainingDataFile : scoredFile;
  const stages: Stage[] = [referenceSamplingStage(), rewardScoringStage({ trusted: options.trusted })];
  if (offPolicy) stages.push(trainingDataStage());
  const quantiles = computesQuantiles(config);
  if (quantiles) stages.push(quantilesStage({ input: records }));
  stages.push(referenceLogpsStage({ input: (context: StageContext) => (quantiles ? preparedFile(context) : records(context)) }));
  return stages;
}

export { quantilesStage, preparedFile, QUANTILES_STAGE, PREPARED_FILE, type QuantilesStageOptions } from './quantilesStage';
export {
  referenceSamplingStage,
  referenceSamplesFile,
  referenceSamplingSkipReason,
  REFERENCE_SAMPLING_STAGE,
  SAMPLES_FILE,
  type ReferenceSample,
  type ReferenceSamplingSummary,
} from './referenceSamplingStage';
export { rewardScoringStage, scoredFile, scoredSamplesFile, REWARD_SCORING_STAGE, SCORED_FILE, SCORED_SAMPLES_FILE, type ScoredReferenceSample, type RewardScoringOptions } from './rewardScoringStage';
export { trainingDataStage, trainingDataFile, offPolicyPair, TRAINING_DATA_STAGE, TRAINING_DATA_FILE, type OffPolicyRegime } from './trainingDataStage';
export { referenceLogpsStage, referenceLogpsFile, readTrainingRecords, runTokenLimits, REFERENCE_LOGPS_STAGE, REFERENCE_LOGPS_FILE, type ReferenceLogpsOptions } from './referenceLogpsStage';
export { readReferenceSets, type ReferenceSet } from './referenceSets';
export { distinctPrompts, promptSeed, type RunPrompt } from './promptSet';
export { JsonlJournal, readJsonLines } from './jsonlJournal';
export { readStageSummary, writeStageSummary, stageOutputsComplete, STAGE_SUMMARY } from './stageSummary';
