// The training loop, readable top to bottom: for each optimizer step, forward and backward over the step's
// micro-batches (summing gradients), clip by global norm, one AdamW update at the scheduled learning rate, log,
// checkpoint. It trains any GradientSource (a graph session that returns a loss and gradients for a micro-batch);
// the QRPO, DPO… losses live in the sources. Where gradients are summed, normed and applied is a TrainingStepper:
// CPU arrays here (cpuStepper), the GPU in modelTraining/deviceTrainer.ts; the loop is the same for both. Data
// order, the micro-batch generator and every counter are saved in each checkpoint, so a run resumed from one
// reproduces the uninterrupted run's losses and weights bit for bit.
import { ArgumentError, ConfigError, QrpoError } from '../errors';
import { AdamW } from './adamw';
import { latestCheckpoint, loadCheckpoint, removeStrayFolders, saveCheckpoint } from './checkpoint';
import type { CheckpointModel, LogEntry, TrainerState } from './checkpoint';
import { GradientAccumulator, clipCoefficient, globalGradNorm } from './gradients';
import type { AccumulationMode, Gradients } from './gradients';
import { Random } from './random';
import { createSchedule } from './schedule';
import type { ScheduleName } from './schedule';

/** The examples of one micro-batch, and where it sits in training. */
export interface MicroBatch {
  /** Dataset indices, in data order. The last micro-batch of an epoch may be shorter. */
  readonly indices: readonly number[];
  /** The 0-based optimizer step this micro-batch contributes to. */
  readonly step: number;
  /** Its position among the step's micro-batches, and how many the step has. */
  readonly index: number;
  readonly count: number;
  /** Seeded randomness for the source (dropout, sampling); its state is checkpointed. */
  readonly rng: Random;
  /**
   * Arrays, by parameter name, that the source may write this micro-batch's gradients into and return as its
   * grads (the trainer's accumulation buffers, reused every step). A source that cannot returns arrays of its own.
   */
  readonly into?: ReadonlyMap<string, Float32Array>;
}

export interface GradientResult {
  /** The micro-batch's mean loss. */
  readonly loss: number;
  /** ∂loss/∂parameter for every trainable parameter. Handed over: the trainer scales these arrays in place. */
  readonly grads: ReadonlyMap<string, Float32Array>;
  /** Extra metrics with TRL names (`rewards/chosen`, `logps/rejected`…), averaged over micro-batches and log steps. */
  readonly metrics?: Readonly<Record<string, number>>;
  /** Tokens the micro-batch trained on, summed into `num_tokens`. */
  readonly numTokens?: number;
}

/** Anything trainable: parameters updated in place by the trainer, and their gradients on a micro-batch. */
export interface GradientSource {
  readonly parameters: ReadonlyMap<string, Float32Array>;
  /** Parameter shapes, for checkpoints; a parameter without one is saved flat. */
  readonly shapes?: ReadonlyMap<string, readonly number[]>;
  computeGradients(microBatch: MicroBatch): Promise<GradientResult>;
}

/** What one micro-batch's forward and backward report; its gradients stay with the stepper. */
export interface MicroBatchOutcome {
  readonly loss: number;
  readonly metrics?: Readonly<Record<string, number>>;
  readonly numTokens?: number;
}

/** A parameter as a checkpoint stores it. */
export interface ParameterValue {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

/**
 * The seam between the loop and the hardware: where the step's gradients are summed, how their global norm is
 * found, and how AdamW applies them. The loop calls, per step: computeGradients for each micro-batch, gradNorm once,
 * then step once.
 */
export interface TrainingStepper {
  /** Forward and backward of one micro-batch; its gradients are added to the step's. */
  computeGradients(microBatch: MicroBatch): Promise<MicroBatchOutcome>;
  /** The 2-norm of the step's gradients, after `accumulation` (mean: the sum over micro-batches divided by their count). */
  gradNorm(accumulation: AccumulationMode): Promise<number>;
  /** One AdamW update at `lr` with the gradients scaled by `gradScale` (the clip coefficient). */
  step(update: { readonly lr: number; readonly gradScale: number; readonly accumulation: AccumulationMode }): Promise<void>;
  /** The trainable parameters and the optimizer state on the CPU, for a checkpoint. */
  snapshot(): Promise<{ readonly parameters: ReadonlyMap<string, ParameterValue>; readonly optimizer: AdamW }>;
  /** Restores parameters and optimizer state from a checkpoint folder and returns its trainer state. */
  restore(folder: string, options: { readonly tensorName?: (name: string) => string; readonly weightsFile?: string }): Promise<TrainerState>;
}

/** Hyper-parameters, named after TRL/HF TrainingArguments (camelCase here: `learningRate` is `learning_rate`). */
export interface TrainingArguments {
  /** Examples in the training set; micro-batches hold their indices. */
  readonly numExamples: number;
  readonly perDeviceTrainBatchSize: number;
  readonly gradientAccumulationSteps?: number;
  readonly numTrainEpochs?: number;
  /** Overrides numTrainEpochs when > 0. */
  readonly maxSteps?: number;
  readonly learningRate: number;
  readonly lrSchedulerType?: ScheduleName;
  readonly warmupSteps?: number;
  readonly warmupRatio?: number;
  readonly weightDecay?: number;
  readonly adamBeta1?: number;
  readonly adamBeta2?: number;
  readonly adamEpsilon?: number;
  /** Clip the global gradient norm to this (HF default 1.0); 0 turns clipping off. */
  readonly maxGradNorm?: number;
  readonly seed?: number;
  /** Shuffle the examples each epoch (default true). */
  readonly shuffle?: boolean;
  readonly loggingSteps?: number;
  /** Save a checkpoint every N steps (0: only at the end). */
  readonly saveSteps?: number;
  readonly saveTotalLimit?: number;
  readonly accumulation?: AccumulationMode;
}

export interface TrainOptions {
  readonly source: GradientSource;
  readonly args: TrainingArguments;
  /** Where checkpoint-<step>/ folders go; without it nothing is saved. */
  readonly runDir?: string;
  /** Resume from the latest checkpoint in runDir (true) or from a given checkpoint folder. */
  readonly resume?: boolean | string;
  /** What checkpoints carry besides the trainable parameters. */
  readonly model?: {
    readonly sourceFolder?: string;
    readonly config?: Readonly<Record<string, unknown>>;
    /** Parameter name → HF tensor name (e.g. via huggingFaceTensorName); default the same. */
    readonly tensorName?: (name: string) => string;
    /** Frozen weights saved alongside, under their HF names. */
    readonly frozen?: CheckpointModel['weights'];
    /** The file the trainable parameters are saved to and resumed from (default model.safetensors). */
    readonly parametersFile?: string;
    /** Writes more files into each checkpoint folder before it is renamed into place, from the step's parameters. */
    readonly extraFiles?: (folder: string, parameters: ReadonlyMap<string, ParameterValue>) => Promise<void>;
  };
  readonly onLog?: (entry: LogEntry) => void | Promise<void>;
  /** After every optimizer step (and once at the start, with the step resumed from): for progress. */
  readonly onStep?: (step: number, maxSteps: number) => void;
  readonly onCheckpoint?: (path: string) => void | Promise<void>;
  /** Aborting stops the run between steps. */
  readonly signal?: AbortSignal;
  /** On a stop request, save a checkpoint of the current step first (unless no step was taken). */
  readonly checkpointOnStop?: boolean;
  readonly optimizerKernel?: 'auto' | 'wasm' | 'js';
  /** Passed to saveCheckpoint; tests throw here to simulate a crash mid-save. */
  readonly afterCheckpointFile?: (name: string) => void | Promise<void>;
}

/** What the loop needs besides a stepper. */
export type LoopOptions = Omit<TrainOptions, 'source' | 'optimizerKernel'>;

export interface TrainResult {
  readonly globalStep: number;
  readonly maxSteps: number;
  readonly stopped: boolean;
  readonly lastCheckpoint?: string;
  readonly logHistory: readonly LogEntry[];
}

/** Training that cannot go on: a non-finite loss or gradient. */
export class TrainingError extends QrpoError {}

/** Data order stream of epoch e is e + 1; stream 0 is the micro-batch generator. */
const MICRO_BATCH_STREAM = 0;

/** Trains a GradientSource's CPU arrays in place. */
export async function train(options: TrainOptions): Promise<TrainResult> {
  const { source, optimizerKernel, ...loop } = options;
  return trainWith(cpuStepper(source, options.args, optimizerKernel), loop);
}

/** The loop itself, over any stepper. */
export async function trainWith(stepper: TrainingStepper, options: LoopOptions): Promise<TrainResult> {
  const { args, runDir, signal } = options;
  const plan = planTraining(args);
  const schedule = createSchedule({
    name: args.lrSchedulerType ?? 'linear',
    totalSteps: plan.maxSteps,
    warmupSteps: args.warmupSteps,
    warmupRatio: args.warmupRatio,
  });
  const seed = args.seed ?? 42;
  const maxGradNorm = args.maxGradNorm ?? 1;
  const accumulation = args.accumulation ?? 'mean';
  const tensorName = options.model?.tensorName ?? ((name: string) => name);
  const weightsFile = options.model?.parametersFile;

  // Where training stands; everything here goes into trainer_state.json.
  let globalStep = 0;
  let epoch = 0;
  let microBatchesDone = 0; // of the current epoch
  let rng = Random.fromSeed(seed, MICRO_BATCH_STREAM);
  let numTokens = 0;
  let logHistory: LogEntry[] = [];
  let window = { steps: 0, sums: {} as Record<string, number> };
  let lastCheckpoint: string | undefined;
  let lastSavedStep = -1;

  const resumeFrom = await checkpointToResume(options);
  if (resumeFrom) {
    const state = await stepper.restore(resumeFrom, { tensorName, weightsFile });
    checkResumable(state, args, seed, plan.maxSteps, resumeFrom);
    globalStep = state.global_step;
    ({ epoch, microBatches: microBatchesDone } = state.qrpo.data);
    rng = Random.fromState(state.qrpo.rng);
    numTokens = state.num_input_tokens_seen;
    logHistory = [...state.log_history];
    window = { steps: state.qrpo.log_window.steps, sums: { ...state.qrpo.log_window.sums } };
    lastCheckpoint = resumeFrom;
    lastSavedStep = globalStep;
  }
  let order = epochOrder(args, seed, epoch);
  options.onStep?.(globalStep, plan.maxSteps);

  const trainerState = (): TrainerState => ({
    global_step: globalStep,
    epoch: globalStep / plan.stepsPerEpoch,
    max_steps: plan.maxSteps,
    num_train_epochs: plan.numTrainEpochs,
    logging_steps: plan.loggingSteps,
    save_steps: args.saveSteps ?? 0,
    train_batch_size: args.perDeviceTrainBatchSize,
    num_input_tokens_seen: numTokens,
    best_metric: null,
    best_model_checkpoint: null,
    log_history: logHistory,
    qrpo: {
      seed,
      rng: rng.state,
      data: { epoch, microBatches: microBatchesDone, shuffle: args.shuffle ?? true },
      schedule: { name: schedule.name, base_learning_rate: args.learningRate, total_steps: schedule.totalSteps, warmup_steps: schedule.warmupSteps },
      log_window: window,
    },
  });
  const checkpoint = async () => {
    if (!runDir || lastSavedStep === globalStep) return;
    const { parameters, optimizer } = await stepper.snapshot();
    const weights = new Map(options.model?.frozen ?? []);
    for (const [name, value] of parameters) weights.set(tensorName(name), value);
    const extraFiles = options.model?.extraFiles;
    lastCheckpoint = await saveCheckpoint({
      runDir,
      model: { weights, sourceFolder: options.model?.sourceFolder, config: options.model?.config, weightsFile },
      optimizer,
      trainerState: trainerState(),
      saveTotalLimit: args.saveTotalLimit,
      afterFile: options.afterCheckpointFile,
      extraFiles: extraFiles && ((folder) => extraFiles(folder, parameters)),
    });
    lastSavedStep = globalStep;
    await options.onCheckpoint?.(lastCheckpoint);
  };

  while (globalStep < plan.maxSteps) {
    // Between steps: let signal handlers run, then honour a stop request.
    await new Promise(setImmediate);
    if (signal?.aborted) {
      if (options.checkpointOnStop && globalStep > 0) await checkpoint();
      return { globalStep, maxSteps: plan.maxSteps, stopped: true, lastCheckpoint, logHistory };
    }
    const step = globalStep;
    const learningRate = args.learningRate * schedule.factor(step);

    // 1. Forward and backward over this step's micro-batches, their gradients summed by the stepper.
    const count = Math.min(plan.accumulationSteps, plan.microBatchesPerEpoch - microBatchesDone);
    let lossSum = 0;
    const metricSums: Record<string, number> = {};
    for (let index = 0; index < count; index++) {
      const start = (microBatchesDone + index) * args.perDeviceTrainBatchSize;
      const indices = Array.from(order.subarray(start, Math.min(start + args.perDeviceTrainBatchSize, args.numExamples)));
      const result = await stepper.computeGradients({ indices, step, index, count, rng });
      lossSum += result.loss;
      numTokens += result.numTokens ?? 0;
      for (const [name, value] of Object.entries(result.metrics ?? {})) metricSums[name] = (metricSums[name] ?? 0) + value;
    }
    const loss = lossSum / count;

    // 2. Global-norm clipping; the clip factor is applied inside the AdamW pass.
    const gradNorm = await stepper.gradNorm(accumulation);
    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
      throw new TrainingError(`step ${step + 1}: the loss is ${loss} and the gradient norm ${gradNorm}`, 'Lower the learning rate or check the data of this step');
    }
    const gradScale = maxGradNorm > 0 ? clipCoefficient(gradNorm, maxGradNorm) : 1;

    // 3. AdamW at the scheduled learning rate.
    await stepper.step({ lr: learningRate, gradScale, accumulation });
    globalStep += 1;
    microBatchesDone += count;
    if (microBatchesDone === plan.microBatchesPerEpoch) {
      epoch += 1;
      microBatchesDone = 0;
      order = epochOrder(args, seed, epoch);
    }

    // 4. Log: loss and metrics averaged since the last log line; grad_norm and learning_rate of this step, as HF.
    window.steps += 1;
    window.sums.loss = (window.sums.loss ?? 0) + loss;
    for (const [name, sum] of Object.entries(metricSums)) window.sums[name] = (window.sums[name] ?? 0) + sum / count;
    if (globalStep % plan.loggingSteps === 0 || globalStep === plan.maxSteps) {
      const averages = Object.fromEntries(Object.entries(window.sums).map(([name, sum]) => [name, sum / window.steps]));
      const entry: LogEntry = { ...averages, grad_norm: gradNorm, learning_rate: learningRate, epoch: globalStep / plan.stepsPerEpoch, step: globalStep, num_tokens: numTokens };
      window = { steps: 0, sums: {} };
      logHistory.push(entry);
      await options.onLog?.(entry);
    }

    // 5. Checkpoint every saveSteps steps and at the end.
    const saveSteps = args.saveSteps ?? 0;
    if ((saveSteps > 0 && globalStep % saveSteps === 0) || globalStep === plan.maxSteps) await checkpoint();
    options.onStep?.(globalStep, plan.maxSteps);
  }
  return { globalStep, maxSteps: plan.maxSteps, stopped: false, lastCheckpoint, logHistory };
}

/** Gradients summed in JavaScript arrays, AdamW as the WebAssembly kernel (or its JS fallback), in place. */
export function cpuStepper(source: GradientSource, args: TrainingArguments, kernel?: TrainOptions['optimizerKernel']): TrainingStepper {
  const optimizer = new AdamW(source.parameters, {
    lr: args.learningRate,
    betas: [args.adamBeta1 ?? 0.9, args.adamBeta2 ?? 0.999],
    eps: args.adamEpsilon ?? 1e-8,
    weightDecay: args.weightDecay ?? 0,
    kernel,
  });
  // One accumulator for the whole run: its arrays are written by the source and summed into step after step.
  const accumulator = new GradientAccumulator();
  let grads: Gradients | undefined;
  return {
    async computeGradients(microBatch) {
      const result = await source.computeGradients({ ...microBatch, into: accumulator.target() });
      accumulator.add(result.grads);
      return result;
    },
    async gradNorm(accumulation) {
      grads = accumulator.finish(accumulation);
      return globalGradNorm(grads);
    },
    async step({ lr, gradScale }) {
      if (!grads) throw new Error('step() before gradNorm(): the step has no gradients');
      optimizer.step(grads, { lr, gradScale });
      grads = undefined;
    },
    async snapshot() {
      const parameters = new Map([...source.parameters].map(([name, data]) => [name, { shape: source.shapes?.get(name) ?? [data.length], data }]));
      return { parameters, optimizer };
    },
    restore(folder, { tensorName, weightsFile }) {
      return loadCheckpoint(folder, { parameters: source.parameters, tensorName, optimizer, weightsFile });
    },
  };
}

export interface TrainingPlan {
  readonly accumulationSteps: number;
  readonly microBatchesPerEpoch: number;
  /** Optimizer steps per epoch; the last step of an epoch may have fewer micro-batches (no example is dropped). */
  readonly stepsPerEpoch: number;
  readonly numTrainEpochs: number;
  readonly maxSteps: number;
  readonly loggingSteps: number;
}

export function planTraining(args: TrainingArguments): TrainingPlan {
  const positiveInteger = (value: number | undefined, name: string, fallback: number) => {
    const v = value ?? fallback;
    if (!Number.isInteger(v) || v < 1) throw new ConfigError(`${name} must be a positive integer, got ${v}`);
    return v;
  };
  const examples = positiveInteger(args.numExamples, 'the number of training examples', 0);
  const batch = positiveInteger(args.perDeviceTrainBatchSize, 'per_device_train_batch_size', 0);
  const accumulationSteps = positiveInteger(args.gradientAccumulationSteps, 'gradient_accumulation_steps', 1);
  const loggingSteps = positiveInteger(args.loggingSteps, 'logging_steps', 1);
  const microBatchesPerEpoch = Math.ceil(examples / batch);
  const stepsPerEpoch = Math.ceil(microBatchesPerEpoch / accumulationSteps);
  const numTrainEpochs = args.numTrainEpochs ?? 1;
  if (!(numTrainEpochs > 0)) throw new ConfigError(`num_train_epochs must be > 0, got ${numTrainEpochs}`);
  const maxSteps = args.maxSteps && args.maxSteps > 0 ? positiveInteger(args.maxSteps, 'max_steps', 1) : Math.ceil(numTrainEpochs * stepsPerEpoch);
  if (!(args.learningRate >= 0)) throw new ConfigError(`learning_rate must be ≥ 0, got ${args.learningRate}`);
  return { accumulationSteps, microBatchesPerEpoch, stepsPerEpoch, numTrainEpochs, maxSteps, loggingSteps };
}

/** The example order of `epoch`: a seeded shuffle (stream epoch + 1 of the seed), or 0..n−1 without shuffling. */
function epochOrder(args: TrainingArguments, seed: number, epoch: number): Uint32Array {
  if (args.shuffle === false) return Uint32Array.from({ length: args.numExamples }, (_, i) => i);
  return Random.fromSeed(seed, epoch + 1).permutation(args.numExamples);
}

async function checkpointToResume(options: LoopOptions): Promise<string | undefined> {
  if (typeof options.resume === 'string') return options.resume;
  if (!options.resume) return undefined;
  if (!options.runDir) throw new ArgumentError('resuming from the latest checkpoint needs a run folder');
  await removeStrayFolders(options.runDir);
  return (await latestCheckpoint(options.runDir, { weightsFile: options.model?.parametersFile }))?.path;
}

/** A resumed run reproduces the original only with the same seed, data and step plan. */
function checkResumable(state: TrainerState, args: TrainingArguments, seed: number, maxSteps: number, folder: string): void {
  const differences: string[] = [];
  if (state.qrpo.seed !== seed) differences.push(`seed ${state.qrpo.seed} → ${seed}`);
  if (state.max_steps !== maxSteps) differences.push(`max steps ${state.max_steps} → ${maxSteps}`);
  if (state.train_batch_size !== args.perDeviceTrainBatchSize) differences.push(`per_device_train_batch_size ${state.train_batch_size} → ${args.perDeviceTrainBatchSize}`);
  if (state.qrpo.data.shuffle !== (args.shuffle ?? true)) differences.push(`shuffle ${state.qrpo.data.shuffle} → ${args.shuffle ?? true}`);
  if (differences.length > 0) {
    throw new ConfigError(`cannot resume from ${folder}: the run's settings changed (${differences.join(', ')})`, 'Resume with the settings the checkpoint was trained with, or start a new run');
  }
}
