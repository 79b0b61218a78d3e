// Every stage of a run, in order (design.md): [sft →] reference sampling → reward scoring → [training data →]
// quantiles → reference log-probs → training → evaluation. The data stages come from defaultStages (index.ts); with
// sft.enabled, the SFT stage runs first and every later stage sees its model as π_ref and the policy's start.
import type { RunConfig } from '../config';
import type { Stage } from '../pipeline';
import { evaluationStage } from './evaluationStage';
import { defaultStages, type DefaultStagesOptions } from './index';
import { sftStage, withSftModel } from './sftStage';
import { trainingStage, type TrainingStageOptions } from './trainingStage';

export interface RunStagesOptions extends DefaultStagesOptions {
  readonly training?: TrainingStageOptions;
}

export function runStages(config: RunConfig, options: RunStagesOptions): Stage[] {
  const stages = [...defaultStages(config, options), trainingStage(options.training), evaluationStage({ trusted: options.trusted })];
  return config.sft.enabled ? [sftStage(), ...stages.map(withSftModel)] : stages;
}
