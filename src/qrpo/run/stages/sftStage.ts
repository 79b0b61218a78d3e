// The optional `sft` stage (qrpo.md §7 step 2, config sft.enabled): supervised fine-tuning of the reference on the
// dataset's chosen completions (every completion where the data has no pairs), held-out eval prompts left out,
// before anything samples from π_ref. Its checkpoints stay in stages/sft/ (they are not the run's checkpoints) and
// its log in stages/sft/metrics.jsonl; the final weights are copied whole into stages/sft/model/, which then is both
// π_ref and the policy's start for every later stage (withSftModel). summary.json marks completion.
import { existsSync, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { readDataset, type PointwiseRecord } from '../../data';
import { ConfigError } from '../../errors';
import { MODEL_NAME, TOKENIZER_FILES } from '../../train/checkpoint';
import type { TrainingRecord } from '../../train/modelTraining';
import { writeDirectoryAtomic } from '../atomicDirectory';
import type { RunConfig } from '../config';
import { displayPath } from '../displayPath';
import { MetricsLog } from '../metricsLog';
import type { Stage, StageContext } from '../pipeline';
import type { RunFolder } from '../runFolder';
import { stageOutputsComplete, writeStageSummary } from './stageSummary';
import { heldOutKeys, trainOnRecords, withoutHeldOutPrompts } from './trainingStage';

export const SFT_STAGE = 'sft';
export const SFT_MODEL = 'model';
const SFT_METRICS = 'metrics.jsonl';

/** stages/sft/model/: π_ref (and the policy's start) of a run with sft.enabled. */
export function sftModelDir(folder: RunFolder): string {
  return join(folder.stageDir(SFT_STAGE), SFT_MODEL);
}

export function sftStage(): Stage {
  return {
    name: SFT_STAGE,
    isComplete: (context) => stageOutputsComplete(context.stageDir, [SFT_MODEL]),
    async run(context) {
      const { config, stageDir, folder, log } = context;
      const records = withoutHeldOutPrompts(await sftRecords(config), await heldOutKeys(config), config);
      const metrics = await MetricsLog.open(join(stageDir, SFT_METRICS));
      let result;
      try {
        result = await trainOnRecords(context, records, {
          modelDir: config.ref_model_name_or_path,
          runDir: stageDir,
          loss: 'sft',
          learningRate: config.sft.learning_rate,
          numTrainEpochs: config.sft.epochs,
          maxSteps: -1,
          lora: false,
          onMetrics: (step, record) => metrics.append(step, record),
          runCheckpoints: false,
        });
      } finally {
        await metrics.close();
      }
      const model = sftModelDir(folder);
      // A kill between the copy and the summary leaves the model whole; it is simply copied again.
      await writeDirectoryAtomic(model, async (temporary) => {
        for (const name of ['config.json', MODEL_NAME, ...TOKENIZER_FILES]) {
          const from = join(result.lastCheckpoint, name);
          if (existsSync(from)) await fs.copyFile(from, join(temporary, name));
        }
      });
      await writeStageSummary(stageDir, { steps: result.globalStep, examples: result.examples, model, from: config.ref_model_name_or_path });
      log.info(`sft: ${result.globalStep} steps on ${result.examples} chosen completions → ${displayPath(model)} is π_ref`);
    },
  };
}

/** The chosen completions of the dataset (all completions of a dataset without pairs). */
async function sftRecords(config: RunConfig): Promise<TrainingRecord[]> {
  const all: PointwiseRecord[] = [];
  for await (const record of readDataset(config.dataset_name)) all.push(record);
  const paired = all.some((record) => record.side !== undefined);
  const chosen = paired ? all.filter((record) => record.side === 'chosen') : all;
  if (chosen.length === 0) throw new ConfigError(`sft.enabled: ${displayPath(config.dataset_name)} has no chosen completion to fine-tune on`);
  // SFT trains single records; the pair identity is dropped so each completion stands alone.
  return chosen.map((record) => ({ record: { ...record, side: undefined, pairId: undefined } }));
}

/**
 * `stage` as it runs after SFT: its config's model_name_or_path and ref_model_name_or_path are stages/sft/model/,
 * so sampling, scoring, reference log-probs, training and evaluation all start from the fine-tuned reference.
 */
export function withSftModel(stage: Stage): Stage {
  const adjusted = (context: StageContext): StageContext => {
    const model = sftModelDir(context.folder);
    return { ...context, config: { ...context.config, model_name_or_path: model, ref_model_name_or_path: model } };
  };
  return {
    name: stage.name,
    isComplete: (context) => stage.isComplete(adjusted(context)),
    run: (context) => stage.run(adjusted(context)),
  };
}
