import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { averageRanks, klEstimates, lengthControlledReward, linearFit, mean, spearman, standardDeviation, std } from '../../../src/qrpo/math';
import { assertArgumentError, assertClose } from './assertions';

describe('statistics', () => {
  test('mean and std with ddof', () => {
    const values = [2, 4, 4, 4, 5, 5, 7, 9];
    assert.equal(mean(values), 5);
    assert.equal(std(values), 2);
    assert.equal(standardDeviation(values, 1), std(values, 1));
    assertClose(std(values, 1), Math.sqrt(32 / 7), 1e-15);
    assertArgumentError(() => std([1], 1), 'variance with ddof = 1 needs at least 2 values, got 1');
    assertArgumentError(() => mean([]), 'values is empty; a mean needs at least one value');
  });

  test('averageRanks gives tied values the mean of their ranks', () => {
    assert.deepEqual(averageRanks([3, 1, 3, 2]), [3.5, 1, 3.5, 2]);
    assert.deepEqual(averageRanks([7, 7, 7]), [2, 2, 2]);
  });

  test('spearman matches a hand-computed value with ties', () => {
    // ranks of y: [1, 2, 3.5, 5, 3.5]; ρ = 8/√(10·9.5).
    assertClose(spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]), 8 / Math.sqrt(95), 1e-15);
    assert.equal(spearman([1, 2, 3], [30, 20, 10]), -1);
    assert.equal(spearman([1, 2, 3], [4, 4, 4]), 0);
  });

  test('spearman is invariant under monotone maps and lies in [−1, 1]', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: -20, max: 20 }), fc.integer({ min: -20, max: 20 })), { minLength: 2, maxLength: 30 }), (rows) => {
        const x = rows.map((r) => r[0]);
        const y = rows.map((r) => r[1]);
        const rho = spearman(x, y);
        assert.ok(rho >= -1 && rho <= 1);
        assertClose(spearman(x.map((v) => Math.exp(v / 5)), y.map((v) => v ** 3)), rho, 1e-12);
      }),
      { numRuns: 150 },
    );
  });

  test('linearFit matches a hand-computed least-squares line', () => {
    const fit = linearFit([0, 1, 2, 3], [1, 3, 7, 9]);
    assertClose(fit.slope, 2.8, 1e-15);
    assertClose(fit.intercept, 0.8, 1e-15);
    assertClose(fit.r2, 0.98, 1e-15);
    assert.deepEqual(linearFit([0, 1], [2, 2]), { slope: 0, intercept: 2, r2: 0 });
  });

  test('spearman and linearFit refuse short, mismatched or degenerate input', () => {
    assertArgumentError(() => spearman([1], [2]), 'spearman needs at least 2 (x, y) pairs, got 1');
    assertArgumentError(() => spearman([1, 2], [2]), 'x and y must have the same length, got 2 and 1');
    assertArgumentError(() => spearman([1, NaN], [2, 3]), 'x[1] must be a finite number, got NaN');
    assertArgumentError(() => linearFit([1, 1], [2, 3]), 'linearFit needs at least two distinct x values, got a constant x');
  });
});

describe('klEstimates', () => {
  test('matches hand-computed k1 and k3, per sequence and per token', () => {
    // logr per token: [−0.5, 1] and [0]; per sequence: 0.5 and 0.
    const kl = klEstimates({ policyTokenLogps: [[-1, -2], [-0.5]], refTokenLogps: [[-1.5, -1], [-0.5]] });
    assertClose(kl.k1.perSequence, -0.25, 1e-15);
    assertClose(kl.k1.perToken, -1 / 6, 1e-15);
    assertClose(kl.k3.perSequence, (Math.exp(0.5) - 1.5) / 2, 1e-15);
    assertClose(kl.k3.perToken, (Math.exp(-0.5) - 0.5 + Math.E - 2) / 3, 1e-15);
  });

  test('k3 keeps its digits when the policy equals the reference up to 1e-9', () => {
    const kl = klEstimates({ policyTokenLogps: [[-1]], refTokenLogps: [[-1 + 1e-9]] });
    assertClose(kl.k3.perToken / 5e-19, 1, 1e-6);
  });

  test('refuses ragged or empty input', () => {
    assertArgumentError(() => klEstimates({ policyTokenLogps: [], refTokenLogps: [] }), 'policyTokenLogps is empty; a KL estimate needs at least one sampled sequence');
    assertArgumentError(
      () => klEstimates({ policyTokenLogps: [[-1, -2]], refTokenLogps: [[-1]] }),
      'policyTokenLogps[0] and refTokenLogps[0] must have the same length, got 2 and 1',
    );
    assertArgumentError(() => klEstimates({ policyTokenLogps: [[]], refTokenLogps: [[]] }), 'policyTokenLogps[0] is empty; every sampled sequence needs at least one token');
  });
});

describe('lengthControlledReward', () => {
  const A = { refRewards: [0, 1, 2], refLengths: [10, 20, 30] }; // μr 1, σr 1, μl 20, σl 10
  const B = { refRewards: [0, 2, 4], refLengths: [0, 50, 100] }; // μr 2, σr 2, μl 50, σl 50

  test('fits one pooled slope on standardised rewards and lengths and removes it', () => {
    const { slope, lcRewards } = lengthControlledReward([
      { ...A, reward: 2, length: 30 }, // (x, y) = (1, 1)
      { ...B, reward: 2, length: 0 }, // (−1, 0)
      { ...A, reward: 1, length: 20 }, // (0, 0)
      { refRewards: [0, 1, 2], refLengths: [5, 5, 5], reward: 3, length: 7 }, // σl = 0: out of the fit, no correction
      { refRewards: [1, 1, 1], refLengths: [10, 20, 30], reward: 4, length: 30 }, // σr = 0: out of the fit
    ]);
    assertClose(slope, 0.5, 1e-15);
    const expected = [1.5, 3, 1, 3, 4];
    lcRewards.forEach((value, i) => assertClose(value, expected[i], 1e-15, `lcRewards[${i}]`));
  });

  test('needs two reference completions per sample', () => {
    assertArgumentError(
      () => lengthControlledReward([{ refRewards: [1], refLengths: [3], reward: 1, length: 2 }]),
      'samples[0] needs at least 2 reference completions (a std with ddof = 1), got 1',
    );
  });
});
