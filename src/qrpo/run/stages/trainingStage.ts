// The `training` stage (qrpo.md §4, §7 step 6): trains the policy on stages/reference_logps/train.jsonl (records with
// ref_logp and, for QRPO, target) with the config's loss and hyper-parameters, through trainModel (train/). Every
// logged step goes to metrics.jsonl with TRL's names; checkpoint-<step>/ folders are HF model folders (with LoRA: a
// PEFT adapter, plus the merged weights that evaluation loads). Resumable: a rerun continues from the latest
// checkpoint and reproduces the uninterrupted run bit for bit (metricsLog.ts drops the steps it replays);
// stages/training/summary.json, written after the final checkpoint, marks completion.
import { existsSync, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { promptKey } from '../../data';
import { ConfigError } from '../../errors';
import { heldOutPrompts } from '../../eval/evalPrompts';
import { logPartition } from '../../math';
import { loadModelWeights, readDecoderConfig, type DecoderConfig, type ModelWeights } from '../../model';
import { ADAPTER_CONFIG_FILE, ADAPTER_WEIGHTS_FILE, initLoraAdapter, loraConfig, loraProjections, mergeLoraWeights, peftAdapterConfig, peftTensorName, type LoraAdapter } from '../../model/lora';
import { writeSafetensors, type WritableTensor } from '../../model/safetensorsWriter';
import { checkVocabulary, loadTokenizer } from '../../model/tokenizer';
import { MODEL_NAME, type LogEntry } from '../../train/checkpoint';
import { Random } from '../../train/random';
import type { TrainingArguments, TrainOptions, TrainResult } from '../../train/trainer';
import { checkpointTensorName, recordTokenizer, trainingExamples, trainModel, type ModelTrainingSetup, type TrainingDevice, type TrainingRecord } from '../../train/modelTraining';
import { writeFileAtomic } from '../atomicFile';
import type { RunConfig } from '../config';
import { displayPath } from '../displayPath';
import type { Stage, StageContext } from '../pipeline';
import { readTrainingRecords, referenceLogpsFile, runTokenLimits } from './referenceLogpsStage';
import { stageDevice } from './stageDevice';
import { readStageSummary, writeStageSummary } from './stageSummary';

export const TRAINING_STAGE = 'training';
/** Random side per pair (sample_selector random): a stream of the seed no epoch order uses. */
const SELECTOR_STREAM = 0x5e1ec7;

export interface TrainingSummary {
  readonly steps: number;
  readonly examples: number;
  readonly finalCheckpoint: string;
  readonly checkpoints: number[];
  /** The last logged loss. */
  readonly loss: number | null;
  readonly lora: boolean;
}

export interface TrainingStageOptions {
  /** The training records; default stages/reference_logps/train.jsonl. */
  readonly input?: (context: StageContext) => string;
  /** LoRA checkpoints also hold merged full weights (config.json + model.safetensors); default true: evaluation loads them. */
  readonly mergeLora?: boolean;
}

export async function readTrainingSummary(context: Pick<StageContext, 'folder'>): Promise<TrainingSummary | undefined> {
  return readStageSummary<TrainingSummary>(context.folder.stageDir(TRAINING_STAGE));
}

export function trainingStage(options: TrainingStageOptions = {}): Stage {
  return {
    name: TRAINING_STAGE,
    async isComplete(context) {
      // By step, not by the stored path, so that a run folder that was moved or copied stays complete.
      const summary = await readTrainingSummary(context);
      return summary !== undefined && existsSync(context.folder.checkpointDir(summary.steps));
    },
    async run(context) {
      const { config, folder, stageDir, log } = context;
      const input = (options.input ?? referenceLogpsFile)(context);
      const records = await trainingRecords(input, config);
      const result = await trainOnRecords(context, records, {
        modelDir: config.model_name_or_path,
        runDir: folder.dir,
        loss: config.loss_type,
        learningRate: config.learning_rate,
        numTrainEpochs: config.num_train_epochs,
        lora: config.use_peft,
        mergeLora: options.mergeLora ?? true,
      });
      const checkpoints = await folder.checkpoints();
      const loss = [...result.logHistory].reverse().find((entry) => typeof entry.loss === 'number')?.loss ?? null;
      await writeStageSummary(stageDir, {
        steps: result.globalStep,
        examples: result.examples,
        finalCheckpoint: result.lastCheckpoint,
        checkpoints,
        loss,
        lora: config.use_peft,
      });
      log.info(`training: ${result.globalStep} steps, final loss ${loss?.toFixed(6) ?? '—'}, ${displayPath(result.lastCheckpoint)}`);
    },
  };
}

/** The records training reads, minus the held-out eval prompts, with sample_selector applied. */
export async function trainingRecords(input: string, config: RunConfig): Promise<TrainingRecord[]> {
  const all: TrainingRecord[] = [];
  for await (const record of readTrainingRecords(input)) all.push(record);
  return selectSides(withoutHeldOutPrompts(all, await heldOutKeys(config), config), config);
}

/**
 * The keys training must leave out (eval/evalPrompts.ts): eval.num_prompts prompts of dataset_name, unless a
 * separate eval_dataset_name is given or nothing is evaluated.
 */
export async function heldOutKeys(config: RunConfig): Promise<Set<string>> {
  if (config.eval_dataset_name !== null || config.eval.checkpoints === 'none') return new Set();
  return new Set((await heldOutPrompts(config)).map((p) => p.key));
}

export function withoutHeldOutPrompts<T extends { record: TrainingRecord['record'] }>(records: T[], heldOut: ReadonlySet<string>, config: RunConfig): T[] {
  if (heldOut.size === 0) return records;
  const kept = records.filter((r) => !heldOut.has(promptKey(r.record.prompt)));
  if (kept.length === 0) {
    throw new ConfigError(
      `every prompt of dataset_name is held out for evaluation (eval.num_prompts is ${config.eval.num_prompts}), so nothing is left to train on`,
      'Lower eval.num_prompts, give an eval_dataset_name, or set eval.checkpoints to none',
    );
  }
  return kept;
}

/** sample_selector for the pointwise losses: both sides, one of them, or one at random per pair (seeded). */
function selectSides(records: TrainingRecord[], config: RunConfig): TrainingRecord[] {
  const selector = config.sample_selector;
  if (selector === 'both' || !(config.loss_type === 'qrpo' || config.loss_type === 'sft')) return records;
  const random = Random.fromSeed(config.seed, SELECTOR_STREAM);
  const picked = new Map<number, 'chosen' | 'rejected'>();
  return records.filter(({ record }) => {
    if (record.side === undefined || record.pairId === undefined) return true;
    if (selector !== 'random') return record.side === selector;
    if (!picked.has(record.pairId)) picked.set(record.pairId, random.nextUint32() % 2 === 0 ? 'chosen' : 'rejected');
    return picked.get(record.pairId) === record.side;
  });
}

export interface TrainOnRecordsOptions {
  readonly modelDir: string;
  /** Where checkpoint-<step>/ go. */
  readonly runDir: string;
  readonly loss: RunConfig['loss_type'];
  readonly learningRate: number;
  readonly numTrainEpochs: number;
  /** Overrides the config's max_steps (SFT passes -1: its length is sft.epochs). */
  readonly maxSteps?: number;
  readonly lora: boolean;
  readonly mergeLora?: boolean;
  /** Where logged steps go; default the run's metrics.jsonl (appendMetrics). */
  readonly onMetrics?: (step: number, metrics: Record<string, number>) => Promise<unknown>;
  /** Report the step to status.json and checkpoints as run events (default true; the SFT stage's are its own). */
  readonly runCheckpoints?: boolean;
}

/**
 * Trains `modelDir` on `records` with the run's settings, resuming from the latest checkpoint in `runDir`; logs to
 * metrics.jsonl (appendMetrics), reports progress and the step, checkpoints on a stop and then throws the abort.
 */
export async function trainOnRecords(context: StageContext, records: readonly TrainingRecord[], options: TrainOnRecordsOptions): Promise<TrainResult & { examples: number; lastCheckpoint: string }> {
  const { config, progress, signal } = context;
  const modelConfig = await readDecoderConfig(options.modelDir);
  const tokenizer = await loadTokenizer(options.modelDir);
  checkVocabulary(tokenizer, modelConfig);
  const tokens = recordTokenizer(tokenizer, modelConfig, runTokenLimits(config));
  const examples = trainingExamples(records, options.loss, tokens);
  if (examples.length === 0) throw new ConfigError(`no training examples: ${options.loss} found nothing to train on in the run's records`);
  const weights = await loadModelWeights(options.modelDir, modelConfig, { tokenizerVocabSize: tokenizer.vocabSize });
  const device = await stageDevice(config);
  const adapter = options.lora ? runLoraAdapter(modelConfig, config) : undefined;
  const setup: ModelTrainingSetup = {
    config: modelConfig,
    weights,
    examples,
    settings: { loss: options.loss === 'qrpo' ? { kind: 'qrpo', lossType: config.qrpo_loss_type } : { kind: options.loss }, beta: config.beta, gammaBetaRatio: config.simpo_gamma_beta_ratio },
    metrics: options.loss === 'qrpo' ? { logZ: logPartition(config.qrpo_transform_type, config.beta, { mode: config.log_z }) } : undefined,
    padTokenId: tokens.padTokenId,
    ...(device.threads !== undefined ? { threads: device.threads } : {}),
    ...(adapter ? { adapter: loraProjections(adapter), adapterWeights: adapter.weights } : {}),
  };
  const args = trainingArguments(config, examples.length, options);
  let started = false;
  const result = await trainModel({
    setup,
    device: trainingDevice(device.executionProvider),
    args,
    runDir: options.runDir,
    resume: true,
    checkpointOnStop: true,
    signal,
    model: { sourceFolder: options.modelDir, ...(adapter ? loraCheckpoint(modelConfig, weights, adapter, options) : {}) },
    onStep: (step, maxSteps) => {
      if (!started) progress.start(maxSteps, step);
      else progress.update(step);
      started = true;
      if (options.runCheckpoints !== false) context.setStep(step, maxSteps);
    },
    onLog: async (entry: LogEntry) => {
      const { step, ...metrics } = entry;
      await (options.onMetrics ?? context.appendMetrics)(step, metrics);
    },
    onCheckpoint: (path) => {
      if (options.runCheckpoints !== false) context.checkpointSaved(Number(/(\d+)$/.exec(path)![1]));
    },
  });
  if (result.stopped) signal.throwIfAborted();
  if (result.lastCheckpoint === undefined) throw new Error(`training ended at step ${result.globalStep} without a checkpoint`);
  return { ...result, examples: examples.length, lastCheckpoint: result.lastCheckpoint };
}

/** TrainingArguments from the config's TRL names. */
export function trainingArguments(config: RunConfig, numExamples: number, overrides: Pick<TrainOnRecordsOptions, 'learningRate' | 'numTrainEpochs' | 'maxSteps'>): TrainingArguments {
  return {
    numExamples,
    perDeviceTrainBatchSize: config.per_device_train_batch_size,
    gradientAccumulationSteps: config.gradient_accumulation_steps,
    numTrainEpochs: overrides.numTrainEpochs,
    maxSteps: overrides.maxSteps ?? config.max_steps,
    learningRate: overrides.learningRate,
    lrSchedulerType: config.lr_scheduler_type,
    warmupSteps: config.warmup_steps,
    warmupRatio: config.warmup_ratio,
    weightDecay: config.weight_decay,
    adamBeta1: config.adam_beta1,
    adamBeta2: config.adam_beta2,
    adamEpsilon: config.adam_epsilon,
    maxGradNorm: config.max_grad_norm,
    seed: config.seed,
    loggingSteps: config.logging_steps,
    saveSteps: config.save_steps,
  };
}

function trainingDevice(provider: string): TrainingDevice {
  if (provider === 'cpu' || provider === 'webgpu' || provider === 'cuda') return provider;
  throw new ConfigError(`training cannot run on the ${provider} execution provider`, 'Set device to cpu, webgpu or cuda');
}

/** A fresh adapter (PEFT's initialisation: B = 0, so training starts at the base model), seeded by the run's seed. */
function runLoraAdapter(model: DecoderConfig, config: RunConfig): LoraAdapter {
  const lora = loraConfig({ r: config.lora_r, alpha: config.lora_alpha, dropout: config.lora_dropout, targetModules: config.lora_target_modules ?? 'all-linear' });
  return initLoraAdapter(model, lora, config.seed);
}

/**
 * LoRA checkpoints: A and B under PEFT's names in adapter_model.safetensors (what a resume reads), with
 * adapter_config.json beside, so the folder is a PEFT adapter; and, unless mergeLora is false, the merged weights
 * as model.safetensors, so it is an HF model folder too.
 */
function loraCheckpoint(model: DecoderConfig, base: ModelWeights, adapter: LoraAdapter, options: TrainOnRecordsOptions): NonNullable<TrainOptions['model']> {
  const peftNames = new Map<string, string>();
  for (const target of adapter.targets) {
    peftNames.set(`${target.module}.lora_A.weight`, peftTensorName(target, 'A'));
    peftNames.set(`${target.module}.lora_B.weight`, peftTensorName(target, 'B'));
  }
  const hfName = checkpointTensorName(model);
  return {
    parametersFile: ADAPTER_WEIGHTS_FILE,
    tensorName: (name) => peftNames.get(name) ?? name,
    async extraFiles(folder, parameters) {
      const trained: LoraAdapter = { config: adapter.config, targets: adapter.targets, weights: new Map([...parameters].map(([name, value]) => [name, { shape: [...value.shape], data: value.data }])) };
      await writeFileAtomic(join(folder, ADAPTER_CONFIG_FILE), `${JSON.stringify(peftAdapterConfig(model, trained, { baseModelNameOrPath: options.modelDir }), null, 2)}\n`);
      if (options.mergeLora === false) {
        await fs.rm(join(folder, 'config.json'), { force: true });
        return;
      }
      const tensors: Record<string, WritableTensor> = {};
      for (const [name, value] of mergeLoraWeights(base, trained)) tensors[hfName(name)] = { dtype: 'F32', shape: value.shape, data: value.data };
      await writeSafetensors(join(folder, MODEL_NAME), tensors, { format: 'pt' });
    },
  };
}
