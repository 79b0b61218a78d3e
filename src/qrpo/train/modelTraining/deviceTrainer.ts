// train() (trainer.ts) for a model whose parameters and optimizer live on the device (deviceModel.ts): the same loop
// (plan, data order, micro-batch generator, schedule, clipping, logging, checkpoints) through a TrainingStepper whose
// gradients are summed, normed and applied on the device, so a WebGPU run logs what a CPU run of the same data logs
// (to float32 rounding) and either resumes the other's checkpoints.
import { loadCheckpoint } from '../checkpoint';
import { type LoopOptions, type TrainResult, type TrainingStepper, trainWith } from '../trainer';
import type { DeviceModel } from './deviceModel';

export type DeviceTrainOptions = LoopOptions & {
  readonly device: DeviceModel;
};

export async function trainOnDevice(options: DeviceTrainOptions): Promise<TrainResult> {
  const { device, ...loop } = options;
  return trainWith(deviceStepper(device, options.args.learningRate), loop);
}

/** The step's work on the device; parameters and moments come back to the CPU only for checkpoints. */
export function deviceStepper(device: DeviceModel, learningRate: number): TrainingStepper {
  const shapeOf = new Map(device.params.map(({ name, shape }) => [name, shape as number[]]));
  return {
    computeGradients: (microBatch) => device.computeGradients(microBatch),
    gradNorm: (accumulation) => device.gradNorm(accumulation),
    step: ({ lr, gradScale, accumulation }) => device.step({ lr, gradScale, accumulation }),
    async snapshot() {
      const parameters = await device.readParameters();
      return {
        parameters: new Map([...parameters].map(([name, data]) => [name, { shape: shapeOf.get(name)!, data }])),
        optimizer: await device.readOptimizer(learningRate),
      };
    },
    async restore(folder, { tensorName, weightsFile }) {
      const parameters = new Map([...shapeOf].map(([name, shape]) => [name, new Float32Array(shape.reduce((a, b) => a * b, 1))]));
      const optimizer = device.emptyOptimizer(learningRate);
      const state = await loadCheckpoint(folder, { parameters, tensorName, optimizer, weightsFile });
      await device.restore(parameters, optimizer);
      return state;
    },
  };
}
