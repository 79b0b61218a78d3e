// The WebGPU path (parameters, gradients and AdamW moments resident on the device; Mesa lavapipe without a GPU)
// against the CPU path on the same data: QRPO on a tiny GPT-2 and a tiny Llama, with three micro-batches per step
// so that gradients are summed on the device, and clipping active. Losses, gradient norms, metrics and the final
// checkpoint's weights agree to 1e-4 (absolute: weights here are ~0.02–0.1 and AdamW moves each by up to lr = 3e-3 a
// step whatever its gradient's size, so elements whose gradient is near zero carry float32 noise of the two
// devices' summation orders; the CPU-provider run of the same device code agrees with trainer.ts to 1e-6).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SafetensorsFile } from '../../../src/qrpo/model';
import type { LogEntry, TrainingArguments } from '../../../src/qrpo/train';
import { type TrainingDevice, trainModel } from '../../../src/qrpo/train/modelTraining';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';
import { webgpuAvailable } from '../runtime/webgpu';
import { maxAbsoluteDifference, relativeError, setup, tinyModelFolder, trainingRecords } from './trainingFixtures';

const runs = temporaryFolder('qrpo-webgpu-runs-');
// 6 examples, 2 per micro-batch, 3 micro-batches per step; max_grad_norm 0.05 so that clipping scales every step.
const ARGS: TrainingArguments = { numExamples: 6, perDeviceTrainBatchSize: 2, gradientAccumulationSteps: 3, learningRate: 3e-3, maxSteps: 4, lrSchedulerType: 'constant', seed: 3, maxGradNorm: 0.05 };

interface Run {
  logs: LogEntry[];
  stepMs: number[];
  weights: SafetensorsFile;
}

async function run(dir: string, device: TrainingDevice, name: string): Promise<Run> {
  const s = await setup(dir, { kind: 'qrpo' }, await trainingRecords(dir));
  const logs: LogEntry[] = [];
  const stepMs: number[] = [];
  let last = performance.now();
  const runDir = join(runs, name);
  await trainModel({
    setup: s,
    device,
    args: ARGS,
    runDir,
    onLog: (entry) => {
      logs.push(entry);
      const now = performance.now();
      stepMs.push(now - last);
      last = now;
    },
  });
  return { logs, stepMs, weights: await SafetensorsFile.open(join(runDir, 'checkpoint-4', 'model.safetensors')) };
}

describe('QRPO training on WebGPU matches the CPU', () => {
  for (const family of ['gpt2', 'llama'] as const) {
    test(`tiny ${family}: losses, grad norms, metrics and final weights within 1e-4`, async (t) => {
      if (!(await webgpuAvailable(t))) return;
      const dir = await tinyModelFolder(family);
      const cpu = await run(dir, 'cpu', `${family}-cpu`);
      const gpu = await run(dir, 'webgpu', `${family}-webgpu`);
      const series = (r: Run, key: string) => r.logs.map((e) => e[key]);
      const lossError = relativeError(series(gpu, 'loss'), series(cpu, 'loss'), 1e-6);
      assert.ok(lossError < 1e-4, `losses: webgpu ${series(gpu, 'loss').join(', ')} vs cpu ${series(cpu, 'loss').join(', ')}`);
      assert.ok(series(cpu, 'loss')[3] < series(cpu, 'loss')[0]);
      const normError = relativeError(series(gpu, 'grad_norm'), series(cpu, 'grad_norm'), 1e-6);
      assert.ok(normError < 1e-4, `grad norms: webgpu ${series(gpu, 'grad_norm').join(', ')} vs cpu ${series(cpu, 'grad_norm').join(', ')}`);
      assert.ok(series(cpu, 'grad_norm').every((n) => n > 0.05), 'clipping was active');
      for (const key of Object.keys(cpu.logs[3])) {
        assert.ok(relativeError([gpu.logs[3][key]], [cpu.logs[3][key]], 1e-2) < 1e-4, `${key}: webgpu ${gpu.logs[3][key]} vs cpu ${cpu.logs[3][key]}`);
      }
      let weightError = 0;
      for (const name of cpu.weights.names()) {
        const [onGpu, onCpu] = [await gpu.weights.readFloat32(name), await cpu.weights.readFloat32(name)];
        const error = maxAbsoluteDifference(onGpu, onCpu);
        assert.ok(error < 1e-4, `${name}: largest difference ${error}`);
        weightError = Math.max(weightError, error);
      }
      const ms = (r: Run) => r.stepMs.slice(1).map((x) => x.toFixed(0)).join(', ');
      t.diagnostic(`worst relative error webgpu vs cpu: losses ${lossError.toExponential(1)}, grad norms ${normError.toExponential(1)}, largest weight difference ${weightError.toExponential(1)}`);
      t.diagnostic(`step ms (steps 2-4, 3 micro-batches of 2 examples): cpu ${ms(cpu)}; webgpu (lavapipe) ${ms(gpu)}`);
    });
  }
});
