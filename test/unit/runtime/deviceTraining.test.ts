// A whole training loop kept on the device: an MLP regression graph (loss + gradients by autodiff) and the AdamW
// graph, run five steps on WebGPU with parameters, gradients and moments never leaving the GPU, against the same
// loop on the CPU provider.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph, add, gradients, matmul, mul, reduceMean, sub, tanh } from '../../../src/qrpo/graph';
import { AdamwParameter, adamwGraph, adamwKeep, adamwNames, adamwScalars } from '../../../src/qrpo/runtime/adamwGraph';
import { ExecutionProvider } from '../../../src/qrpo/runtime/providers';
import { TensorStore, TensorStoreStats } from '../../../src/qrpo/runtime/tensorStore';
import { webgpuAvailable } from './webgpu';

const [BATCH, IN, HIDDEN] = [8, 3, 16];
const params: AdamwParameter[] = [
  { name: 'w1', shape: [IN, HIDDEN] },
  { name: 'b1', shape: [HIDDEN], decay: false },
  { name: 'w2', shape: [HIDDEN, 1] },
  { name: 'b2', shape: [1], decay: false },
];
const hyper = { lr: 0.05, weightDecay: 0.01 };
const STEPS = 5;

/** loss = mean((tanh(x·w1 + b1)·w2 + b2 − y)²), with ∂loss/∂p as outputs `p.grad`. */
function mlpTrainingGraph(): Graph {
  const g = new Graph();
  const x = g.input('x', 'float32', [BATCH, IN]);
  const y = g.input('y', 'float32', [BATCH, 1]);
  const [w1, b1, w2, b2] = params.map((p) => g.input(p.name, 'float32', p.shape));
  const residual = sub(add(matmul(tanh(add(matmul(x, w1), b1)), w2), b2), y);
  const loss = reduceMean(mul(residual, residual));
  g.output('loss', loss);
  gradients(loss, [w1, b1, w2, b2]).forEach((grad, i) => g.output(adamwNames.grad(params[i].name), grad));
  return g;
}

function wave(n: number, phase: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => scale * Math.sin(2.3 * i + phase));
}

const x = wave(BATCH * IN, 0.1, 1);
const y = Float32Array.from({ length: BATCH }, (_, i) => Math.cos(x[3 * i]) + 0.5 * x[3 * i + 1]);

interface TrainingResult {
  losses: number[];
  params: Record<string, Float32Array>;
  stats: TensorStoreStats;
  statsAfterDispose: TensorStoreStats;
}

async function train(provider: ExecutionProvider): Promise<TrainingResult> {
  const store = TensorStore.create({ executionProvider: provider });
  params.forEach(({ name, shape }, k) => {
    const dims = shape as number[];
    const n = dims.reduce((a, b) => a * b, 1);
    store.set(name, { data: wave(n, k, 0.5), dims });
    store.set(adamwNames.expAvg(name), { data: new Float32Array(n), dims });
    store.set(adamwNames.expAvgSq(name), { data: new Float32Array(n), dims });
  });
  await store.toDevice();
  const forwardBackward = await store.session(mlpTrainingGraph(), { keep: params.map((p) => adamwNames.grad(p.name)), read: ['loss'] });
  const optimizer = await store.session(adamwGraph(params), { keep: adamwKeep(params) });
  const losses: number[] = [];
  for (let step = 1; step <= STEPS; step++) {
    const { loss } = await forwardBackward.run({ x, y });
    losses.push(loss.data[0] as number);
    await optimizer.run(adamwScalars(step, hyper));
  }
  const trained: Record<string, Float32Array> = {};
  for (const { name } of params) trained[name] = (await store.read(name)).data as Float32Array;
  const stats = store.stats;
  await store.dispose();
  return { losses, params: trained, stats, statsAfterDispose: store.stats };
}

function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-3));
  return worst;
}

describe('a training loop kept on the device', () => {
  test('five MLP + AdamW steps on the CPU provider lower the loss', async () => {
    const { losses, stats } = await train('cpu');
    assert.ok(losses[STEPS - 1] < 0.8 * losses[0], `losses ${losses.join(', ')}`);
    assert.deepEqual(stats, { onDevice: 0, adopted: 0, disposed: 0 });
  });

  test('on WebGPU it matches the CPU provider: losses and final parameters within 1e-5, every replaced tensor disposed', async (t) => {
    if (!(await webgpuAvailable(t))) return;
    const [gpu, cpu] = [await train('webgpu'), await train('cpu')];
    const lossError = relativeError(gpu.losses, cpu.losses);
    assert.ok(lossError < 1e-5, `losses: webgpu ${gpu.losses.join(', ')} vs cpu ${cpu.losses.join(', ')}`);
    let paramError = 0;
    for (const { name } of params) {
      const error = relativeError(gpu.params[name], cpu.params[name]);
      assert.ok(error < 1e-5, `${name}: relative error ${error}`);
      paramError = Math.max(paramError, error);
    }
    t.diagnostic(`webgpu vs cpu, worst relative error: losses ${lossError.toExponential(1)}, parameters ${paramError.toExponential(1)}`);
    // 12 tensors uploaded (params and moments); each step keeps 4 gradients and 12 updated tensors, and disposes
    // what they replace (none of the gradients on step 1); the store ends holding 16 and frees them on dispose.
    const adopted = 12 + STEPS * 16;
    assert.deepEqual(gpu.stats, { onDevice: 16, adopted, disposed: adopted - 16 });
    assert.deepEqual(gpu.statsAfterDispose, { onDevice: 0, adopted, disposed: adopted });
  });
});
