// Training tiny decoder models through trainer.ts with a ModelGradientSource on the CPU: QRPO lowers its loss on a
// GPT-2 and a Llama; the source's loss and metrics equal math/losses.ts qrpoLoss on log-probs scored independently;
// DPO trains on pairs; a run resumed from a checkpoint ends with the uninterrupted run's weights, bit for bit.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { dpoLoss, qrpoLoss } from '../../../src/qrpo/math';
import { SafetensorsFile } from '../../../src/qrpo/model';
import { initLoraAdapter, loraConfig, loraProjections } from '../../../src/qrpo/model/lora';
import { buildScoringGraph, packScoringBatch, scoringFeeds } from '../../../src/qrpo/model/graphs';
import { GraphSession } from '../../../src/qrpo/runtime/session';
import { Random, type TrainingArguments, type LogEntry, train } from '../../../src/qrpo/train';
import { DeviceModel, ModelGradientSource, type ModelTrainingSetup, trainOnDevice, type TrainingRecord, packMicroBatch, trainModel } from '../../../src/qrpo/train/modelTraining';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';
import { BETA, LOG_Z, maxAbsoluteDifference, setup, tinyModelFolder, trainingRecords } from './trainingFixtures';

const runs = temporaryFolder('qrpo-model-runs-');
// 6 examples (4 pairs, 2 singles), 3 per micro-batch, 2 micro-batches per step: one step is one epoch.
const ARGS: TrainingArguments = { numExamples: 6, perDeviceTrainBatchSize: 3, gradientAccumulationSteps: 2, learningRate: 3e-3, maxSteps: 5, lrSchedulerType: 'constant', seed: 7 };

/** Summed completion log-probs of each row of a micro-batch, scored by a forward-only graph on the given weights. */
async function scoredLogps(s: ModelTrainingSetup, indices: number[]): Promise<{ logp: number[]; rows: ReturnType<typeof packMicroBatch>['rows']; pairs: number }> {
  const packed = packMicroBatch(s.examples, indices, s.settings, s.padTokenId);
  const session = await GraphSession.create(buildScoringGraph(s.config, s.weights).graph);
  const out = await session.run(scoringFeeds(packScoringBatch(packed.rows.map((r) => ({ prompt: r.promptIds, completion: r.completionIds })), { padding: 'left' })));
  await session.release();
  return { logp: Array.from(out.logp.data as Float32Array), rows: packed.rows, pairs: packed.pairs };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
function close(actual: number | undefined, expected: number, what: string, tolerance = 1e-4): void {
  assert.ok(actual !== undefined && Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs expected ${expected}`);
}

for (const family of ['gpt2', 'llama'] as const) {
  describe(`QRPO on a tiny ${family}, CPU`, () => {
    let dir: string;
    let prepared: TrainingRecord[];
    before(async () => {
      dir = await tinyModelFolder(family);
      prepared = await trainingRecords(dir);
    });

    test('five steps lower the loss; loss and metrics equal qrpoLoss on independently scored log-probs', async (t) => {
      const s = await setup(dir, { kind: 'qrpo' }, prepared);
      const source = await ModelGradientSource.create(s);
      const logs: LogEntry[] = [];
      await train({ source, args: ARGS, onLog: (e) => void logs.push(e) });
      const losses = logs.map((e) => e.loss);
      assert.equal(losses.length, 5);
      t.diagnostic(`losses ${losses.map((l) => l.toFixed(5)).join(', ')}`);
      assert.ok(losses[4] < 0.7 * losses[0], `losses ${losses.join(', ')}`);
      assert.ok(logs.every((e) => e.num_tokens > 0 && e.grad_norm > 0));

      // After training, one micro-batch of every example: the source's numbers against the oracle's.
      const indices = [0, 1, 2, 3, 4, 5];
      const result = await source.computeGradients({ indices, step: 5, index: 0, count: 1, rng: Random.fromSeed(1) });
      const { logp, rows, pairs } = await scoredLogps(s, indices);
      const oracle = qrpoLoss({ policyLogps: logp, refLogps: rows.map((r) => r.refLogp!), targets: rows.map((r) => r.target!), beta: BETA });
      close(result.loss, oracle.loss, 'loss');
      const rewards = logp.map((lp, i) => BETA * (lp - rows[i].refLogp!));
      const m = result.metrics!;
      const side = (name: 'chosen' | 'rejected') => rows.map((_, i) => i).filter((i) => rows[i].side === name);
      close(m['rewards/chosen'], mean(side('chosen').map((i) => rewards[i])), 'rewards/chosen');
      close(m['rewards/rejected'], mean(side('rejected').map((i) => rewards[i])), 'rewards/rejected');
      close(m['logps/chosen'], mean(side('chosen').map((i) => logp[i])), 'logps/chosen');
      close(m['logps/rejected'], mean(side('rejected').map((i) => logp[i])), 'logps/rejected');
      close(m['percentile_rewards/chosen'], mean(side('chosen').map((i) => rows[i].quantile!)), 'percentile_rewards/chosen');
      close(m['rewards/margins'], mean(Array.from({ length: pairs }, (_, i) => rewards[i] - rewards[i + pairs])), 'rewards/margins');
      close(m['rewards/accuracies'], mean(Array.from({ length: pairs }, (_, i) => (rewards[i] > rewards[i + pairs] ? 1 : 0))), 'rewards/accuracies');
      close(m['modified_rewards/logZ'], LOG_Z, 'modified_rewards/logZ');
      close(m['modified_rewards/beta_logZ'], BETA * LOG_Z, 'modified_rewards/beta_logZ');
      assert.ok(rewards.some((r) => Math.abs(r) > 1e-2), 'training moved the policy away from the reference');
      const tokens = rows.reduce((n, r) => n + r.promptIds.length + r.completionIds.length, 0);
      assert.equal(result.numTokens, tokens);
      await source.release();
    });
  });
}

describe('DPO and resuming, tiny GPT-2 on the CPU', () => {
  let dir: string;
  let prepared: TrainingRecord[];
  before(async () => {
    dir = await tinyModelFolder('gpt2');
    prepared = await trainingRecords(dir);
  });

  test('DPO on the pairs lowers its loss, which equals dpoLoss on the same log-probs', async () => {
    const s = await setup(dir, { kind: 'dpo' }, prepared);
    assert.equal(s.examples.length, 4);
    const source = await ModelGradientSource.create(s);
    const logs: LogEntry[] = [];
    await train({ source, args: { ...ARGS, numExamples: 4, perDeviceTrainBatchSize: 2 }, onLog: (e) => void logs.push(e) });
    assert.ok(logs[4].loss < logs[0].loss, `losses ${logs.map((e) => e.loss).join(', ')}`);
    assert.ok(Math.abs(logs[0].loss - Math.log(2)) < 1e-4, 'the first step starts from π = π_ref: −log σ(0)');
    assert.ok(logs[4]['rewards/margins'] > 0 && logs[4]['rewards/accuracies'] > 0.5, JSON.stringify(logs[4]));
    const result = await source.computeGradients({ indices: [0, 1, 2, 3], step: 5, index: 0, count: 1, rng: Random.fromSeed(1) });
    const { logp, rows } = await scoredLogps(s, [0, 1, 2, 3]);
    const ref = rows.map((r) => r.refLogp!);
    const oracle = dpoLoss({ policyChosenLogps: logp.slice(0, 4), policyRejectedLogps: logp.slice(4), refChosenLogps: ref.slice(0, 4), refRejectedLogps: ref.slice(4), beta: BETA });
    close(result.loss, oracle.loss, 'DPO loss');
    close(result.metrics!['rewards/chosen'], mean(oracle.chosenRewards), 'rewards/chosen');
    await source.release();
  });

  test('gradients written into the trainer\'s arrays equal fresh ones, and are those arrays', async () => {
    const s = await setup(dir, { kind: 'dpo' }, prepared);
    const source = await ModelGradientSource.create(s);
    const microBatch = { indices: [0, 1], step: 0, index: 0, count: 1, rng: Random.fromSeed(1) };
    const fresh = await source.computeGradients(microBatch);
    const into = new Map([...fresh.grads].map(([name, g]) => [name, new Float32Array(g.length).fill(Number.NaN)]));
    const written = await source.computeGradients({ ...microBatch, into });
    assert.equal(written.loss, fresh.loss);
    for (const [name, g] of written.grads) {
      assert.equal(g, into.get(name), `${name}: the array passed in`);
      assert.deepEqual(g, fresh.grads.get(name), name);
    }
    await source.release();
  });

  test('LoRA: only the adapter trains, frozen base weights stay inside the session and unchanged', async () => {
    const s = await setup(dir, { kind: 'qrpo' }, prepared);
    const adapter = initLoraAdapter(s.config, loraConfig({ r: 4, alpha: 8, targetModules: ['c_attn', 'c_fc'] }), 1);
    const base = new Map([...s.weights].map(([name, w]) => [name, Float32Array.from(w.data)]));
    const source = await ModelGradientSource.create({ ...s, adapter: loraProjections(adapter), adapterWeights: adapter.weights });
    assert.deepEqual([...source.parameters.keys()].sort(), [...adapter.weights.keys()].sort());
    const logs: LogEntry[] = [];
    await train({ source, args: { ...ARGS, learningRate: 1e-2 }, onLog: (e) => void logs.push(e) });
    assert.ok(logs[4].loss < 0.8 * logs[0].loss, `losses ${logs.map((e) => e.loss).join(', ')}`);
    for (const [name, w] of s.weights) assert.deepEqual(w.data, base.get(name), name);
    assert.ok(source.parameters.get(adapter.targets[0].module + '.lora_B.weight')!.some((v) => v !== 0), 'B moved from its zero start');
    await source.release();
  });

  test('the device-resident path (deviceModel.ts) run on CPU tensors reproduces trainer.ts to float32 rounding', async () => {
    const args = { ...ARGS, perDeviceTrainBatchSize: 2, gradientAccumulationSteps: 3, maxSteps: 3, maxGradNorm: 0.05 };
    const cpu = await setup(dir, { kind: 'qrpo' }, prepared);
    const logs: LogEntry[][] = [[], []];
    await train({ source: await ModelGradientSource.create(cpu), args, onLog: (e) => void logs[0].push(e) });
    const device = await DeviceModel.create(await setup(dir, { kind: 'qrpo' }, prepared), 'cpu');
    await trainOnDevice({ device, args, onLog: (e) => void logs[1].push(e) });
    for (const key of ['loss', 'grad_norm', 'rewards/chosen', 'num_tokens']) {
      logs[0].forEach((e, i) => close(logs[1][i][key], e[key], `step ${i + 1} ${key}`, 1e-5));
    }
    const trained = await device.readParameters();
    for (const [name, values] of cpu.weights) assert.ok(maxAbsoluteDifference(trained.get(name)!, values.data) < 1e-6, name);
    await device.release();
  });

  test('a run resumed from its step-2 checkpoint ends with the uninterrupted run\'s weights', async () => {
    const args = { ...ARGS, maxSteps: 4, saveSteps: 2 };
    const whole = join(runs, 'whole');
    await trainModel({ setup: await setup(dir, { kind: 'qrpo' }, prepared), args, runDir: whole });
    const resumed = join(runs, 'resumed');
    await fs.mkdir(resumed, { recursive: true });
    await fs.cp(join(whole, 'checkpoint-2'), join(resumed, 'checkpoint-2'), { recursive: true });
    const logs: LogEntry[] = [];
    await trainModel({ setup: await setup(dir, { kind: 'qrpo' }, prepared), args, runDir: resumed, resume: true, onLog: (e) => void logs.push(e) });
    assert.deepEqual(logs.map((e) => e.step), [3, 4]);
    const [a, b] = await Promise.all([whole, resumed].map((r) => SafetensorsFile.open(join(r, 'checkpoint-4', 'model.safetensors'))));
    assert.ok(a.names().includes('h.0.attn.c_attn.weight') || a.names().includes('transformer.h.0.attn.c_attn.weight'));
    for (const name of a.names()) assert.deepEqual(await b.readFloat32(name), await a.readFloat32(name), name);
    const states = await Promise.all([whole, resumed].map(async (r) => JSON.parse(await fs.readFile(join(r, 'checkpoint-4', 'trainer_state.json'), 'utf8'))));
    assert.deepEqual(states[1].log_history, states[0].log_history);
  });
});
