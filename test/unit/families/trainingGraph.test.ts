// The training graph's losses against the oracle in src/qrpo/math/losses.ts: the in-graph loss and ∂loss/∂logp
// (grad.logp) equal qrpoLoss, dpoLoss, simpoLoss, rebelLoss and the SFT mean token NLL on the graph's own logps.
// (Parameter gradients are checked against PyTorch in pytorchParity.test.ts.)
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { dpoLoss, qrpoLoss, rebelLoss, simpoLoss } from '../../../src/qrpo/math/losses';
import { buildTrainingGraph, packScoringBatch, scoringFeeds, type TrainingLoss } from '../../../src/qrpo/model/graphs';
import { GraphSession, type TensorValue } from '../../../src/qrpo/runtime/session';
import { type LoadedModel, sequences, tinyModel } from './familyFixtures';

const B = 4; // two pairs: rows 0, 1 chosen; rows 2, 3 rejected
const beta = 0.1;
const targets = [0.4, -0.7, 0.2, -0.1];
const refLogps = [-18, -22, -16, -25];
const rewards = [0.9, 0.6, 0.1, 0.3];
const gammaBetaRatio = 0.5;
const vec = (values: number[]): TensorValue => ({ data: Float32Array.from(values), dims: [values.length] });
const scalar = (value: number): TensorValue => ({ data: Float32Array.of(value), dims: [] });

interface Run {
  loss: number;
  logp: number[];
  numTokens: number[];
  gradLogp: number[];
  gradNames: string[];
}

async function train(model: LoadedModel, loss: TrainingLoss, feeds: Record<string, TensorValue>, trainable: 'none' | readonly string[] = 'none'): Promise<Run> {
  const { graph, parameterInputs } = buildTrainingGraph(model.config, model.weights, { loss, trainable });
  const session = await GraphSession.create(graph);
  const batch = packScoringBatch(sequences(B, 60, 9), { padding: 'left' });
  const params = Object.fromEntries(parameterInputs.map((n) => [n, { data: model.weights.get(n)!.data, dims: model.weights.get(n)!.shape }]));
  const out = await session.run({ ...scoringFeeds(batch), ...params, ...feeds });
  await session.release();
  return {
    loss: Number(out.loss.data[0]),
    logp: Array.from(out.logp.data as Float32Array),
    numTokens: Array.from(out.num_tokens.data as BigInt64Array, Number),
    gradLogp: Array.from(out['grad.logp'].data as Float32Array),
    gradNames: Object.keys(out).filter((k) => k.startsWith('grad.') && k !== 'grad.logp'),
  };
}

function close(actual: number[], expected: number[], what: string, tolerance = 1e-5): void {
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= tolerance * Math.max(1, Math.abs(expected[i])), `${what}[${i}]: ${a} vs oracle ${expected[i]}`));
}

describe('training graph losses equal math/losses.ts', () => {
  let model: LoadedModel;
  before(async () => {
    model = await tinyModel('llama');
  });
  const split = (x: number[]) => [x.slice(0, B / 2), x.slice(B / 2)];

  for (const lossType of ['mse', 'mae'] as const) {
    test(`QRPO ${lossType}: loss and ∂loss/∂logp`, async () => {
      const run = await train(model, { kind: 'qrpo', lossType }, { targets: vec(targets), ref_logps: vec(refLogps), beta: scalar(beta) });
      const oracle = qrpoLoss({ policyLogps: run.logp, refLogps, targets, beta, lossType });
      close([run.loss], [oracle.loss], 'loss');
      close(run.gradLogp, oracle.gradPolicyLogps, 'grad.logp');
    });
  }

  test('DPO: chosen rows first, rejected rows second', async () => {
    const run = await train(model, { kind: 'dpo' }, { ref_logps: vec(refLogps), beta: scalar(beta) });
    const [c, r] = split(run.logp);
    const [refC, refR] = split(refLogps);
    const oracle = dpoLoss({ policyChosenLogps: c, policyRejectedLogps: r, refChosenLogps: refC, refRejectedLogps: refR, beta });
    close([run.loss], [oracle.loss], 'loss');
    close(run.gradLogp, [...oracle.gradPolicyChosenLogps, ...oracle.gradPolicyRejectedLogps], 'grad.logp');
  });

  test('SimPO: lengths are the in-graph completion token counts', async () => {
    const run = await train(model, { kind: 'simpo' }, { beta: scalar(beta), gamma_beta_ratio: scalar(gammaBetaRatio) });
    const [c, r] = split(run.logp);
    const [lc, lr] = split(run.numTokens);
    const oracle = simpoLoss({ policyChosenLogps: c, policyRejectedLogps: r, chosenLengths: lc, rejectedLengths: lr, beta, gammaBetaRatio });
    close([run.loss], [oracle.loss], 'loss');
    close(run.gradLogp, [...oracle.gradPolicyChosenLogps, ...oracle.gradPolicyRejectedLogps], 'grad.logp');
  });

  test('REBEL: rewards and ref logps per row', async () => {
    const run = await train(model, { kind: 'rebel' }, { rewards: vec(rewards), ref_logps: vec(refLogps), beta: scalar(beta) });
    const [c, r] = split(run.logp);
    const [refC, refR] = split(refLogps);
    const [rc, rr] = split(rewards);
    const oracle = rebelLoss({ policyChosenLogps: c, policyRejectedLogps: r, refChosenLogps: refC, refRejectedLogps: refR, chosenRewards: rc, rejectedRewards: rr, beta });
    close([run.loss], [oracle.loss], 'loss');
    close(run.gradLogp, [...oracle.gradPolicyChosenLogps, ...oracle.gradPolicyRejectedLogps], 'grad.logp');
  });

  test('SFT: mean token NLL over the batch, every token weighted 1/N', async () => {
    const run = await train(model, { kind: 'sft' }, {});
    const tokens = run.numTokens.reduce((a, b) => a + b, 0);
    close([run.loss], [-run.logp.reduce((a, b) => a + b, 0) / tokens], 'loss');
    close(run.gradLogp, run.logp.map(() => -1 / tokens), 'grad.logp');
  });

  test('only the chosen parameters are graph inputs, each with a grad.<name> output', async () => {
    const chosen = ['layers.1.mlp.down_proj.weight', 'norm.weight'];
    const run = await train(model, { kind: 'sft' }, {}, chosen);
    assert.deepEqual(run.gradNames.sort(), chosen.map((n) => `grad.${n}`).sort());
  });
});
