// The one call the run pipeline makes to train a decoder model: `device` picks the path. cpu and cuda train the
// CPU arrays through trainer.ts with a ModelGradientSource (cuda runs the session on the GPU, copying in and out
// each run: Node has no device-resident CUDA I/O); webgpu keeps parameters, gradients and AdamW state on the GPU
// (deviceModel.ts, deviceTrainer.ts). Checkpoints are the same HF folders either way, under HF tensor names.
import { type TrainOptions, type TrainResult, train } from '../trainer';
import { DeviceModel } from './deviceModel';
import { trainOnDevice } from './deviceTrainer';
import { ModelGradientSource } from './modelGradientSource';
import { type ModelTrainingSetup, checkpointTensorName } from './modelSetup';

export type TrainingDevice = 'cpu' | 'webgpu' | 'cuda';

export type TrainModelOptions = Omit<TrainOptions, 'source'> & {
  readonly setup: ModelTrainingSetup;
  /** Default cpu. Resolve `auto` first with runtime/providers resolveExecutionProvider(). */
  readonly device?: TrainingDevice;
};

export async function trainModel(options: TrainModelOptions): Promise<TrainResult> {
  const { setup, device = 'cpu', ...rest } = options;
  const model = { ...rest.model, tensorName: rest.model?.tensorName ?? checkpointTensorName(setup.config) };
  if (device === 'webgpu') {
    const { args } = rest;
    const onDevice = await DeviceModel.create(setup, 'webgpu', {
      betas: [args.adamBeta1 ?? 0.9, args.adamBeta2 ?? 0.999],
      eps: args.adamEpsilon ?? 1e-8,
      weightDecay: args.weightDecay ?? 0,
    });
    try {
      return await trainOnDevice({ ...rest, model, device: onDevice });
    } finally {
      await onDevice.release();
    }
  }
  const source = await ModelGradientSource.create(setup, { executionProvider: device });
  try {
    return await train({ ...rest, model, source });
  } finally {
    await source.release();
  }
}
