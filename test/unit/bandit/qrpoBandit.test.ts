// The bandit test: one prompt, K completions with a known π_ref and distinct rewards, QRPO trained through
// the engine (banditPolicy.ts: the training graph's loss, autodiff, the trainer's AdamW) until it converges; the
// policy it reaches must be the closed-form optimum of qrpo.md §5, measured exactly on the finite support.
//
// Why it can converge to a formula at all: the regression target f(q) − β·log Z_f is built with the continuous Z_f
// (q ~ Uniform(0, 1) under π_ref), and with free logits the regression is solved by β·log(πθ/π_ref) = target, i.e.
// πθ ∝ π_ref·e^{f(q)/β}, which is the KL-regularised optimum. With K = 1000 completions the quantiles are a fine grid
// (each step is one completion's π_ref mass, ~1/K), so the discrete E[q] and KL differ from the continuous formulas
// by ~1e-3 (computed below and asserted), well inside the 1e-2 the test requires. The training data covers the
// support, each completion once per step: qrpo.md §1 allows any data, and where the target is reachable the
// minimiser does not depend on it.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { logPartition, transformQuantile, type QuantileTransform } from '../../../src/qrpo/math';
import { Random } from '../../../src/qrpo/train/random';
import { train } from '../../../src/qrpo/train/trainer';
import { BanditPolicy, type BanditSample } from './banditPolicy';

const K = 1000;
const TOLERANCE = 1e-2;

interface Bandit {
  /** log π_ref of each completion (a softmax of seeded logits, so not uniform). */
  readonly refLogits: Float32Array;
  readonly refLogps: Float64Array;
  /** q_k = π_ref(R ≤ R_k): the exact quantile of completion k's reward under π_ref. */
  readonly quantiles: Float64Array;
}

function makeBandit(seed: number): Bandit {
  const random = Random.fromSeed(seed, 3);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random.nextFloat())) * Math.cos(2 * Math.PI * random.nextFloat());
  const refLogits = Float32Array.from({ length: K }, () => 0.5 * normal());
  const max = Math.max(...refLogits);
  const logNormaliser = max + Math.log(refLogits.reduce((sum, l) => sum + Math.exp(l - max), 0));
  const refLogps = Float64Array.from(refLogits, (l) => l - logNormaliser);
  // Distinct rewards: a random ranking of the completions. Ascending reward order accumulates π_ref mass.
  const byReward = random.permutation(K);
  const quantiles = new Float64Array(K);
  let below = 0;
  for (const k of byReward) {
    below += Math.exp(refLogps[k]);
    quantiles[k] = Math.min(below, 1); // the last sum may round past 1
  }
  return { refLogits, refLogps, quantiles };
}

/** qrpo.md §5: E_{π*}[q] and KL(π*‖π_ref) of the continuous optimum. */
function closedForm(transform: 'identity' | 'log', beta: number): { expectedQuantile: number; kl: number } {
  if (transform === 'identity') {
    const expectedQuantile = 1 / -Math.expm1(-1 / beta) - beta;
    return { expectedQuantile, kl: expectedQuantile / beta - logPartition('identity', beta) };
  }
  const n = 1 + 1 / beta; // the best-of-N policy
  return { expectedQuantile: n / (n + 1), kl: Math.log(n) - (n - 1) / n };
}

/** E[q] and KL(π‖π_ref) of a distribution over the K completions, exactly. */
function onSupport(bandit: Bandit, logps: ArrayLike<number>): { expectedQuantile: number; kl: number } {
  let expectedQuantile = 0;
  let kl = 0;
  for (let k = 0; k < K; k++) {
    const p = Math.exp(logps[k]);
    expectedQuantile += p * bandit.quantiles[k];
    kl += p * (logps[k] - bandit.refLogps[k]);
  }
  return { expectedQuantile, kl };
}

/** The discrete optimum π ∝ π_ref·e^{f(q)/β} on this support: what the discretisation alone costs. */
function discreteOptimum(bandit: Bandit, transform: QuantileTransform, beta: number): Float64Array {
  const scores = Float64Array.from(bandit.refLogps, (l, k) => l + transformQuantile(bandit.quantiles[k], transform, { numRef: K }) / beta);
  const max = Math.max(...scores);
  const logNormaliser = max + Math.log(scores.reduce((sum, s) => sum + Math.exp(s - max), 0));
  return scores.map((s) => s - logNormaliser);
}

const bandit = makeBandit(2025);
const policies: BanditPolicy[] = [];
after(async () => Promise.all(policies.map((p) => p.release())));

async function trainQrpo(transform: 'identity' | 'log', beta: number): Promise<{ expectedQuantile: number; kl: number; loss: number }> {
  const betaLogZ = beta * logPartition(transform, beta);
  const samples: BanditSample[] = Array.from({ length: K }, (_, k) => ({
    completion: k,
    target: transformQuantile(bandit.quantiles[k], transform, { numRef: K }) - betaLogZ,
    refLogp: bandit.refLogps[k],
  }));
  const policy = await BanditPolicy.create({ refLogits: bandit.refLogits, samples, beta });
  policies.push(policy);
  const result = await train({
    source: policy,
    args: {
      numExamples: K,
      perDeviceTrainBatchSize: K,
      maxSteps: 600,
      learningRate: 0.3,
      lrSchedulerType: 'cosine',
      warmupSteps: 0,
      maxGradNorm: 0,
      shuffle: false,
      loggingSteps: 100,
    },
  });
  return { ...onSupport(bandit, policy.logProbabilities()), loss: Number(result.logHistory.at(-1)!.loss) };
}

describe('QRPO on a bandit with a known π_ref converges to the closed-form optimum (qrpo.md §5)', () => {
  for (const transform of ['identity', 'log'] as const) {
    for (const beta of [0.1, 1]) {
      test(`${transform} transform, β = ${beta}: E[q] and KL of the trained policy within ${TOLERANCE} of the formulas`, async (t) => {
        const expected = closedForm(transform, beta);
        const discrete = onSupport(bandit, discreteOptimum(bandit, transform, beta));
        // The support is fine enough that the formulas describe it: the discretisation costs a tenth of the tolerance.
        assert.ok(Math.abs(discrete.expectedQuantile - expected.expectedQuantile) < TOLERANCE / 10, `discrete E[q] ${discrete.expectedQuantile} vs ${expected.expectedQuantile}`);
        assert.ok(Math.abs(discrete.kl - expected.kl) < TOLERANCE / 10, `discrete KL ${discrete.kl} vs ${expected.kl}`);

        const trained = await trainQrpo(transform, beta);
        const report = `E[q] ${trained.expectedQuantile.toFixed(5)} (formula ${expected.expectedQuantile.toFixed(5)}), KL ${trained.kl.toFixed(5)} (formula ${expected.kl.toFixed(5)}), final loss ${trained.loss.toExponential(2)}`;
        t.diagnostic(report);
        assert.ok(Math.abs(trained.expectedQuantile - expected.expectedQuantile) < TOLERANCE, report);
        assert.ok(Math.abs(trained.kl - expected.kl) < TOLERANCE, report);
      });
    }
  }

  test('at β = 0.1 the identity optimum is the one qrpo.md §5 quotes', () => {
    const { expectedQuantile, kl } = closedForm('identity', 0.1);
    assert.ok(Math.abs(expectedQuantile - 0.900045402) < 1e-9);
    assert.ok(Math.abs(kl - 1.3030845139) < 1e-9);
  });
});
