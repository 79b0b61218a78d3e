// train() (trainer.ts) for a model whose parameters and optimizer live on the device (deviceModel.ts): the same
// plan, data order, micro-batch generator, schedule, clipping, logging and checkpoints step for step, so a WebGPU
// run logs what a CPU run of the same data logs (to float32 rounding) and either resumes the other's checkpoints.
// Only the optimizer step differs: gradients are summed, normed and applied on the device.
import { ArgumentError, ConfigError } from '../../errors';
import type { LogEntry, TrainerState } from '../checkpoint';
import { latestCheckpoint, loadCheckpoint, removeStrayFolders, saveCheckpoint } from '../checkpoint';
import { clipCoefficient } from '../gradients';
import { Random } from '../random';
import { createSchedule } from '../schedule';
import { type TrainOptions, type TrainResult, type TrainingArguments, TrainingError, planTraining } from '../trainer';
import type { DeviceModel } from './deviceModel';

export type DeviceTrainOptions = Omit<TrainOptions, 'source' | 'optimizerKernel'> & {
  readonly device: DeviceModel;
};

/** Data order stream of epoch e is e + 1; stream 0 is the micro-batch generator (as trainer.ts). */
const MICRO_BATCH_STREAM = 0;

export async function trainOnDevice(options: DeviceTrainOptions): Promise<TrainResult> {
  const { device, args, runDir, signal } = options;
  const plan = planTraining(args);
  const schedule = createSchedule({ name: args.lrSchedulerType ?? 'linear', totalSteps: plan.maxSteps, warmupSteps: args.warmupSteps, warmupRatio: args.warmupRatio });
  const seed = args.seed ?? 42;
  const maxGradNorm = args.maxGradNorm ?? 1;
  const tensorName = options.model?.tensorName ?? ((name: string) => name);

  let globalStep = 0;
  let epoch = 0;
  let microBatchesDone = 0;
  let rng = Random.fromSeed(seed, MICRO_BATCH_STREAM);
  let numTokens = 0;
  let logHistory: LogEntry[] = [];
  let window = { steps: 0, sums: {} as Record<string, number> };
  let lastCheckpoint: string | undefined;
  let lastSavedStep = -1;

  const resumeFrom = await checkpointToResume(options);
  if (resumeFrom) {
    const parameters = new Map(device.params.map(({ name, shape }) => [name, new Float32Array((shape as number[]).reduce((a, b) => a * b, 1))]));
    const optimizer = device.emptyOptimizer(args.learningRate);
    const state = await loadCheckpoint(resumeFrom, { parameters, tensorName, optimizer });
    checkResumable(state, args, seed, plan.maxSteps, resumeFrom);
    await device.restore(parameters, optimizer);
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
    // The one moment parameters and moments come back to the CPU.
    const parameters = await device.readParameters();
    const weights = new Map(options.model?.frozen ?? []);
    for (const { name, shape } of device.params) weights.set(tensorName(name), { shape: shape as number[], data: parameters.get(name)! });
    lastCheckpoint = await saveCheckpoint({
      runDir,
      model: { weights, sourceFolder: options.model?.sourceFolder, config: options.model?.config },
      optimizer: await device.readOptimizer(args.learningRate),
      trainerState: trainerState(),
      saveTotalLimit: args.saveTotalLimit,
      afterFile: options.afterCheckpointFile,
    });
    lastSavedStep = globalStep;
    await options.onCheckpoint?.(lastCheckpoint);
  };

  while (globalStep < plan.maxSteps) {
    await new Promise(setImmediate);
    if (signal?.aborted) {
      if (options.checkpointOnStop && globalStep > 0) await checkpoint();
      return { globalStep, maxSteps: plan.maxSteps, stopped: true, lastCheckpoint, logHistory };
    }
    const step = globalStep;
    const learningRate = args.learningRate * schedule.factor(step);

    // 1. Forward and backward over this step's micro-batches; the gradients are summed on the device.
    const count = Math.min(plan.accumulationSteps, plan.microBatchesPerEpoch - microBatchesDone);
    let lossSum = 0;
    const metricSums: Record<string, number> = {};
    for (let index = 0; index < count; index++) {
      const start = (microBatchesDone + index) * args.perDeviceTrainBatchSize;
      const indices = Array.from(order.subarray(start, Math.min(start + args.perDeviceTrainBatchSize, args.numExamples)));
      const result = await device.computeGradients({ indices, step, index, count, rng });
      lossSum += result.loss;
      numTokens += result.numTokens;
      for (const [name, value] of Object.entries(result.metrics)) metricSums[name] = (metricSums[name] ?? 0) + value;
    }
    const loss = lossSum / count;

    // 2. Global-norm clipping from one scalar read back; 3. AdamW on the device.
    const accumulation = args.accumulation ?? 'mean';
    const gradNorm = await device.gradNorm(accumulation);
    if (!Number.isFinite(loss) || !Number.isFinite(gradNorm)) {
      throw new TrainingError(`step ${step + 1}: the loss is ${loss} and the gradient norm ${gradNorm}`, 'Lower the learning rate or check the data of this step');
    }
    const gradScale = maxGradNorm > 0 ? clipCoefficient(gradNorm, maxGradNorm) : 1;
    await device.step({ lr: learningRate, gradScale, accumulation });
    globalStep += 1;
    microBatchesDone += count;
    if (microBatchesDone === plan.microBatchesPerEpoch) {
      epoch += 1;
      microBatchesDone = 0;
      order = epochOrder(args, seed, epoch);
    }

    // 4. Log, as trainer.ts.
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

    // 5. Checkpoint.
    const saveSteps = args.saveSteps ?? 0;
    if ((saveSteps > 0 && globalStep % saveSteps === 0) || globalStep === plan.maxSteps) await checkpoint();
  }
  return { globalStep, maxSteps: plan.maxSteps, stopped: false, lastCheckpoint, logHistory };
}

function epochOrder(args: TrainingArguments, seed: number, epoch: number): Uint32Array {
  if (args.shuffle === false) return Uint32Array.from({ length: args.numExamples }, (_, i) => i);
  return Random.fromSeed(seed, epoch + 1).permutation(args.numExamples);
}

async function checkpointToResume(options: DeviceTrainOptions): Promise<string | undefined> {
  if (typeof options.resume === 'string') return options.resume;
  if (!options.resume) return undefined;
  if (!options.runDir) throw new ArgumentError('resuming from the latest checkpoint needs a run folder');
  await removeStrayFolders(options.runDir);
  return (await latestCheckpoint(options.runDir))?.path;
}

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
