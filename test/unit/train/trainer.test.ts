import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SafetensorsFile } from '../../../src/qrpo/model/safetensors';
import type { LogEntry, TrainerState } from '../../../src/qrpo/train/checkpoint';
import { TrainingError, planTraining, train } from '../../../src/qrpo/train/trainer';
import type { TrainingArguments } from '../../../src/qrpo/train/trainer';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';
import { MlpRegression, mlpTensorName } from './mlpRegression';

const root = temporaryFolder('qrpo-train-');
let runs = 0;
const runDir = () => join(root, `run-${++runs}`);
const sources: MlpRegression[] = [];
after(async () => Promise.all(sources.map((s) => s.release())));

async function mlp(options: { numExamples: number; labelNoise?: number }): Promise<MlpRegression> {
  const source = await MlpRegression.create(options);
  sources.push(source);
  return source;
}

/** 20 examples in micro-batches of 4, two per step: 3 steps per epoch (the last with one), 10 steps over 4 epochs. */
const RESUMABLE: TrainingArguments = {
  numExamples: 20,
  perDeviceTrainBatchSize: 4,
  gradientAccumulationSteps: 2,
  maxSteps: 10,
  learningRate: 0.05,
  lrSchedulerType: 'cosine',
  warmupRatio: 0.1,
  weightDecay: 0.01,
  maxGradNorm: 0.5,
  seed: 7,
};

function snapshot(source: MlpRegression): Map<string, Float32Array> {
  return new Map([...source.parameters].map(([name, values]) => [name, values.slice()]));
}

describe('train', () => {
  test('plans epochs without dropping examples: the last step of an epoch takes the leftover micro-batches', () => {
    assert.deepEqual(planTraining(RESUMABLE), { accumulationSteps: 2, microBatchesPerEpoch: 5, stepsPerEpoch: 3, numTrainEpochs: 1, maxSteps: 10, loggingSteps: 1 });
    assert.equal(planTraining({ ...RESUMABLE, maxSteps: undefined, numTrainEpochs: 2 }).maxSteps, 6);
    assert.throws(() => planTraining({ ...RESUMABLE, perDeviceTrainBatchSize: 0 }), /per_device_train_batch_size must be a positive integer, got 0/);
  });

  test('lowers the loss of a real onnxruntime MLP and logs TRL metric names', async () => {
    const source = await mlp({ numExamples: 32 });
    const logged: LogEntry[] = [];
    const result = await train({
      source,
      args: { numExamples: 32, perDeviceTrainBatchSize: 8, numTrainEpochs: 8, learningRate: 0.03, lrSchedulerType: 'constant', seed: 1 },
      onLog: (entry) => void logged.push(entry),
    });
    assert.equal(result.globalStep, 32);
    assert.equal(logged.length, 32);
    assert.deepEqual(Object.keys(logged[0]).sort(), ['epoch', 'examples/first', 'grad_norm', 'learning_rate', 'loss', 'num_tokens', 'rewards/chosen', 'step']);
    assert.deepEqual([logged[0].step, logged[0].epoch, logged[0].num_tokens, logged[0].learning_rate], [1, 0.25, 8, 0.03]);
    assert.equal(logged[31].num_tokens, 256);
    const mean = (entries: LogEntry[]) => entries.reduce((s, e) => s + e.loss, 0) / entries.length;
    assert.ok(mean(logged.slice(-4)) < 0.5 * mean(logged.slice(0, 4)), `loss ${mean(logged.slice(0, 4))} → ${mean(logged.slice(-4))}`);
  });

  test('4 micro-batches of 4 give the same steps as one batch of 16 (mean loss)', async () => {
    const run = async (batch: number, accumulation: number) => {
      const source = await mlp({ numExamples: 16 });
      const result = await train({
        source,
        args: { numExamples: 16, perDeviceTrainBatchSize: batch, gradientAccumulationSteps: accumulation, maxSteps: 3, learningRate: 0.05, lrSchedulerType: 'constant', shuffle: false },
      });
      return { losses: result.logHistory.map((e) => e.loss), norms: result.logHistory.map((e) => e.grad_norm), params: source.parameters };
    };
    const whole = await run(16, 1);
    const split = await run(4, 4);
    for (let i = 0; i < 3; i++) {
      assert.ok(Math.abs(whole.losses[i] - split.losses[i]) <= 1e-6 * whole.losses[i], `loss ${whole.losses[i]} vs ${split.losses[i]}`);
      assert.ok(Math.abs(whole.norms[i] - split.norms[i]) <= 1e-5 * whole.norms[i], `grad_norm ${whole.norms[i]} vs ${split.norms[i]}`);
    }
    for (const [name, values] of whole.params) {
      values.forEach((v, i) => assert.ok(Math.abs(v - split.params.get(name)![i]) <= 1e-5, `${name}[${i}] ${v} vs ${split.params.get(name)![i]}`));
    }
  });

  test('stopped after 4 steps and resumed for 6, a run has the losses and bit-identical weights of 10 straight steps', async () => {
    const straightSource = await mlp({ numExamples: 20, labelNoise: 0.2 });
    const straight = await train({ source: straightSource, args: RESUMABLE, runDir: runDir() });
    assert.equal(straight.globalStep, 10);

    const dir = runDir();
    const controller = new AbortController();
    const first = await mlp({ numExamples: 20, labelNoise: 0.2 });
    const firstLogs: LogEntry[] = [];
    const stopped = await train({
      source: first,
      args: RESUMABLE,
      runDir: dir,
      signal: controller.signal,
      checkpointOnStop: true,
      onLog: (entry) => {
        firstLogs.push(entry);
        if (entry.step === 4) controller.abort();
      },
    });
    assert.deepEqual([stopped.stopped, stopped.globalStep, stopped.lastCheckpoint], [true, 4, join(dir, 'checkpoint-4')]);

    // A fresh process would build the source from the start model again; resume restores everything else.
    const second = await mlp({ numExamples: 20, labelNoise: 0.2 });
    const secondLogs: LogEntry[] = [];
    const resumed = await train({ source: second, args: RESUMABLE, runDir: dir, resume: true, onLog: (entry) => void secondLogs.push(entry) });
    assert.deepEqual([resumed.stopped, resumed.globalStep], [false, 10]);
    assert.equal(second.calls, 10, 'steps 5–10 take two micro-batches each, except steps 6 and 9, which end an epoch with one');

    assert.deepEqual([...firstLogs, ...secondLogs], straight.logHistory);
    assert.deepEqual(resumed.logHistory, straight.logHistory);
    for (const [name, values] of straightSource.parameters) assert.deepEqual(second.parameters.get(name), values, name);
  });

  test('resuming from a checkpoint saved mid logging window logs the same averages', async () => {
    const args = { ...RESUMABLE, loggingSteps: 3, saveSteps: 4 };
    const straightDir = runDir();
    const straightSource = await mlp({ numExamples: 20, labelNoise: 0.2 });
    const straight = await train({ source: straightSource, args, runDir: straightDir });
    assert.deepEqual(straight.logHistory.map((e) => e.step), [3, 6, 9, 10]);
    assert.deepEqual(readdirSync(straightDir).sort(), ['checkpoint-10', 'checkpoint-4', 'checkpoint-8']);

    const resumedSource = await mlp({ numExamples: 20, labelNoise: 0.2 });
    const resumed = await train({ source: resumedSource, args, runDir: runDir(), resume: join(straightDir, 'checkpoint-4') });
    assert.deepEqual(resumed.logHistory, straight.logHistory);
    for (const [name, values] of straightSource.parameters) assert.deepEqual(resumedSource.parameters.get(name), values, name);
  });

  test('a stop request from a signal handler is honoured at the next step boundary', async () => {
    const source = await mlp({ numExamples: 16 });
    const controller = new AbortController();
    const onSignal = () => controller.abort();
    process.once('SIGUSR2', onSignal);
    try {
      const result = await train({
        source,
        args: { numExamples: 16, perDeviceTrainBatchSize: 4, maxSteps: 50, learningRate: 0.01 },
        signal: controller.signal,
        runDir: runDir(),
        onLog: (entry) => {
          if (entry.step === 2) process.kill(process.pid, 'SIGUSR2');
        },
      });
      assert.ok(result.stopped);
      assert.ok(result.globalStep >= 2 && result.globalStep <= 3, `stopped at step ${result.globalStep}`);
      assert.equal(result.lastCheckpoint, undefined, 'no checkpoint unless checkpointOnStop');
    } finally {
      process.off('SIGUSR2', onSignal);
    }
  });

  test('an abort queued during a step stops the run right after that step', async () => {
    const source = await mlp({ numExamples: 16 });
    const controller = new AbortController();
    const result = await train({
      source,
      args: { numExamples: 16, perDeviceTrainBatchSize: 4, maxSteps: 50, learningRate: 0.01 },
      signal: controller.signal,
      onLog: (entry) => {
        if (entry.step === 2) setImmediate(() => controller.abort());
      },
    });
    assert.deepEqual([result.stopped, result.globalStep], [true, 2]);
  });

  test('checkpoints carry HF tensor names, config.json, TRL log history and the resume state; save_total_limit prunes', async () => {
    const dir = runDir();
    const source = await mlp({ numExamples: 8 });
    const saved: string[] = [];
    await train({
      source,
      args: { numExamples: 8, perDeviceTrainBatchSize: 4, maxSteps: 6, learningRate: 0.01, saveSteps: 2, saveTotalLimit: 2, seed: 3 },
      runDir: dir,
      model: { config: { architectures: ['Mlp'], hidden: 8 }, tensorName: mlpTensorName },
      onCheckpoint: (path) => void saved.push(path),
    });
    assert.deepEqual(saved, [2, 4, 6].map((s) => join(dir, `checkpoint-${s}`)));
    assert.deepEqual(readdirSync(dir).sort(), ['checkpoint-4', 'checkpoint-6']);
    const folder = join(dir, 'checkpoint-6');
    assert.deepEqual(readdirSync(folder).sort(), ['config.json', 'model.safetensors', 'optimizer.safetensors', 'trainer_state.json']);
    const weights = await SafetensorsFile.open(join(folder, 'model.safetensors'));
    assert.deepEqual(weights.names().sort(), ['mlp.fc1.bias', 'mlp.fc1.weight', 'mlp.fc2.bias', 'mlp.fc2.weight']);
    assert.deepEqual(weights.info('mlp.fc1.weight')!.shape, [3, 8]);
    assert.deepEqual(await weights.readFloat32('mlp.fc1.weight'), source.parameters.get('fc1.weight'));
    assert.equal(weights.metadata.format, 'pt');
    const state = JSON.parse(readFileSync(join(folder, 'trainer_state.json'), 'utf8')) as TrainerState;
    assert.deepEqual([state.global_step, state.epoch, state.max_steps, state.num_input_tokens_seen, state.log_history.length], [6, 3, 6, 24, 6]);
    assert.deepEqual(state.qrpo.data, { epoch: 3, microBatches: 0, shuffle: true });
    assert.equal(state.qrpo.seed, 3);
    assert.equal(state.qrpo.rng.length, 4);
    assert.deepEqual(JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')), { architectures: ['Mlp'], hidden: 8 });
  });

  test('resuming with a different seed is refused', async () => {
    const dir = runDir();
    await train({ source: await mlp({ numExamples: 8 }), args: { numExamples: 8, perDeviceTrainBatchSize: 4, maxSteps: 2, learningRate: 0.01, seed: 1 }, runDir: dir });
    await assert.rejects(
      train({ source: await mlp({ numExamples: 8 }), args: { numExamples: 8, perDeviceTrainBatchSize: 4, maxSteps: 2, learningRate: 0.01, seed: 2 }, runDir: dir, resume: true }),
      /cannot resume from .*checkpoint-2: the run's settings changed \(seed 1 → 2\)/,
    );
  });

  test('a non-finite loss stops training with a TrainingError before any parameter changes', async () => {
    const source = await mlp({ numExamples: 8 });
    source.x[0] = Number.NaN;
    const before = snapshot(source);
    await assert.rejects(
      train({ source, args: { numExamples: 8, perDeviceTrainBatchSize: 8, maxSteps: 3, learningRate: 0.01 } }),
      (error: unknown) => error instanceof TrainingError && /step 1: the loss is NaN and the gradient norm NaN/.test(error.message),
    );
    assert.deepEqual(source.parameters, before);
  });
});
