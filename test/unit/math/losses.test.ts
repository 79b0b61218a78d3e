import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dpoLoss, logPartition, qrpoLoss, rebelLoss, simpoLoss } from '../../../src/qrpo/math';
import { assertArgumentError, assertClose } from './assertions';

// The worked pair of qrpo.md §4: refs [0.1, 0.2, 0.2, 0.5, 0.9], chosen q = 0.6, rejected q = 0, identity, β = 0.1.
const BETA = 0.1;
const PAIR = { policyChosen: -50, refChosen: -52, policyRejected: -80, refRejected: -79 };

function workedTargets(mode: 'exact' | 'simplified'): number[] {
  const betaLogZ = BETA * logPartition('identity', BETA, { mode });
  return [0.6 - betaLogZ, 0 - betaLogZ];
}

/** Central differences of a scalar loss along every coordinate of one input array. */
function finiteDifferences(values: readonly number[], loss: (values: number[]) => number): number[] {
  return values.map((value, i) => {
    const h = 1e-4 * Math.max(1, Math.abs(value));
    const plus = [...values];
    const minus = [...values];
    plus[i] = value + h;
    minus[i] = value - h;
    return (loss(plus) - loss(minus)) / (2 * h);
  });
}

function assertGradient(analytic: readonly number[], numeric: readonly number[], what: string): void {
  analytic.forEach((g, i) => assertClose(g, numeric[i], 1e-6, `${what}[${i}]`));
}

const logp = fc.double({ min: -100, max: -0.1, noNaN: true });
const shift = fc.double({ min: -5, max: 5, noNaN: true });
const betaArb = fc.double({ min: 0.01, max: 1, noNaN: true });
const pairs = fc.array(fc.tuple(logp, logp, shift, shift, fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true })), {
  minLength: 1,
  maxLength: 6,
});

describe('qrpoLoss', () => {
  test('reproduces the qrpo.md §4 pair loss and gradients', () => {
    const policyLogps = [PAIR.policyChosen, PAIR.policyRejected];
    const refLogps = [PAIR.refChosen, PAIR.refRejected];
    const simplified = qrpoLoss({ policyLogps, refLogps, targets: workedTargets('simplified'), beta: BETA });
    assertClose(simplified.loss, 0.292631217156, 1e-11);
    assertClose(simplified.gradPolicyLogps[0], 0.0369741490701, 1e-12);
    assertClose(simplified.gradPolicyLogps[1], 0.0669741490701, 1e-12);
    const exact = qrpoLoss({ policyLogps, refLogps, targets: workedTargets('exact'), beta: BETA });
    assertClose(exact.loss, 0.292626497824, 1e-11);
  });

  test('mae takes absolute residuals and a zero gradient at the kink', () => {
    const result = qrpoLoss({ policyLogps: [-1, -2], refLogps: [-1, -3], targets: [0.5, 0.1], beta: 0.1, lossType: 'mae' });
    assert.deepEqual(result.residuals, [0.5, 0]);
    assert.deepEqual(result.perSample, [0.5, 0]);
    assert.deepEqual(result.gradPolicyLogps, [-0.05, 0]);
  });

  test('gradients equal central finite differences (mse and mae)', () => {
    fc.assert(
      fc.property(pairs, betaArb, fc.constantFrom('mse' as const, 'mae' as const), (rows, beta, lossType) => {
        const policyLogps = rows.map((r) => r[0]);
        const refLogps = rows.map((r) => r[0] + r[2]);
        const targets = rows.map((r) => r[4]);
        const result = qrpoLoss({ policyLogps, refLogps, targets, beta, lossType });
        if (lossType === 'mae' && result.residuals.some((r) => Math.abs(r) < 1e-3)) return; // too close to the kink
        const numeric = finiteDifferences(policyLogps, (p) => qrpoLoss({ policyLogps: p, refLogps, targets, beta, lossType }).loss);
        assertGradient(result.gradPolicyLogps, numeric, 'gradPolicyLogps');
      }),
      { numRuns: 150 },
    );
  });
});

describe('dpoLoss', () => {
  test('reproduces the qrpo.md §6 value on the worked pair', () => {
    const result = dpoLoss({
      policyChosenLogps: [PAIR.policyChosen],
      policyRejectedLogps: [PAIR.policyRejected],
      refChosenLogps: [PAIR.refChosen],
      refRejectedLogps: [PAIR.refRejected],
      beta: BETA,
    });
    assertClose(result.loss, 0.554355244469, 1e-11);
    assertClose(result.chosenRewards[0], 0.2, 1e-14);
    assertClose(result.rejectedRewards[0], -0.1, 1e-14);
    // ∂/∂logp_c = −β·σ(−0.3).
    assertClose(result.gradPolicyChosenLogps[0], -0.1 / (1 + Math.exp(0.3)), 1e-15);
  });

  test('stays finite for huge margins', () => {
    const input = { policyChosenLogps: [0], refChosenLogps: [0], refRejectedLogps: [0], beta: 1 };
    assert.equal(dpoLoss({ ...input, policyRejectedLogps: [-1e4] }).loss, 0);
    assertClose(dpoLoss({ ...input, policyRejectedLogps: [1e4] }).loss, 1e4, 1e-15);
  });

  test('gradients equal central finite differences', () => {
    fc.assert(
      fc.property(pairs, betaArb, (rows, beta) => {
        const policyChosenLogps = rows.map((r) => r[0]);
        const policyRejectedLogps = rows.map((r) => r[1]);
        const refChosenLogps = rows.map((r) => r[0] + r[2]);
        const refRejectedLogps = rows.map((r) => r[1] + r[3]);
        const base = { policyChosenLogps, policyRejectedLogps, refChosenLogps, refRejectedLogps, beta };
        const result = dpoLoss(base);
        assertGradient(result.gradPolicyChosenLogps, finiteDifferences(policyChosenLogps, (p) => dpoLoss({ ...base, policyChosenLogps: p }).loss), 'chosen');
        assertGradient(result.gradPolicyRejectedLogps, finiteDifferences(policyRejectedLogps, (p) => dpoLoss({ ...base, policyRejectedLogps: p }).loss), 'rejected');
      }),
      { numRuns: 150 },
    );
  });
});

describe('simpoLoss', () => {
  test('is −log σ(β[logp_c/|y_c| − logp_r/|y_r|] − γ) with γ/β = 0.5 by default', () => {
    const result = simpoLoss({ policyChosenLogps: [-50], policyRejectedLogps: [-80], chosenLengths: [10], rejectedLengths: [20], beta: 2 });
    // margin = 2·(−5 + 4) − 1 = −3.
    assertClose(result.loss, 3 + Math.log1p(Math.exp(-3)), 1e-15);
    assertClose(result.chosenRewards[0], -10, 1e-15);
    const noMargin = simpoLoss({ policyChosenLogps: [-50], policyRejectedLogps: [-80], chosenLengths: [10], rejectedLengths: [20], beta: 2, gammaBetaRatio: 0 });
    assertClose(noMargin.loss, 2 + Math.log1p(Math.exp(-2)), 1e-15);
  });

  test('gradients equal central finite differences', () => {
    fc.assert(
      fc.property(pairs, betaArb, fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 12, maxLength: 12 }), (rows, beta, lengths) => {
        const policyChosenLogps = rows.map((r) => r[0]);
        const policyRejectedLogps = rows.map((r) => r[1]);
        const chosenLengths = rows.map((_, i) => lengths[i]);
        const rejectedLengths = rows.map((_, i) => lengths[i + 6]);
        const base = { policyChosenLogps, policyRejectedLogps, chosenLengths, rejectedLengths, beta, gammaBetaRatio: 0.3 };
        const result = simpoLoss(base);
        assertGradient(result.gradPolicyChosenLogps, finiteDifferences(policyChosenLogps, (p) => simpoLoss({ ...base, policyChosenLogps: p }).loss), 'chosen');
        assertGradient(result.gradPolicyRejectedLogps, finiteDifferences(policyRejectedLogps, (p) => simpoLoss({ ...base, policyRejectedLogps: p }).loss), 'rejected');
      }),
      { numRuns: 150 },
    );
  });
});

describe('rebelLoss', () => {
  test('regresses the log-ratio margin on the reward gap over β', () => {
    const result = rebelLoss({
      policyChosenLogps: [PAIR.policyChosen],
      policyRejectedLogps: [PAIR.policyRejected],
      refChosenLogps: [PAIR.refChosen],
      refRejectedLogps: [PAIR.refRejected],
      chosenRewards: [0.3],
      rejectedRewards: [0.05],
      beta: BETA,
    });
    // (0.25/0.1) − [2 − (−1)] = −0.5.
    assertClose(result.residuals[0], -0.5, 1e-14);
    assertClose(result.loss, 0.25, 1e-14);
    assertClose(result.gradPolicyChosenLogps[0], 1, 1e-14);
    assertClose(result.gradPolicyRejectedLogps[0], -1, 1e-14);
  });

  test('gradients equal central finite differences', () => {
    fc.assert(
      fc.property(pairs, betaArb, (rows, beta) => {
        const base = {
          policyChosenLogps: rows.map((r) => r[0]),
          policyRejectedLogps: rows.map((r) => r[1]),
          refChosenLogps: rows.map((r) => r[0] + r[2]),
          refRejectedLogps: rows.map((r) => r[1] + r[3]),
          chosenRewards: rows.map((r) => r[4]),
          rejectedRewards: rows.map((r) => r[5]),
          beta,
        };
        const result = rebelLoss(base);
        assertGradient(result.gradPolicyChosenLogps, finiteDifferences(base.policyChosenLogps, (p) => rebelLoss({ ...base, policyChosenLogps: p }).loss), 'chosen');
        assertGradient(result.gradPolicyRejectedLogps, finiteDifferences(base.policyRejectedLogps, (p) => rebelLoss({ ...base, policyRejectedLogps: p }).loss), 'rejected');
      }),
      { numRuns: 150 },
    );
  });
});

describe('loss arguments', () => {
  const dpo = { policyChosenLogps: [-1], policyRejectedLogps: [-2], refChosenLogps: [-1], refRejectedLogps: [-2], beta: 0.1 };

  test('every loss refuses β ≤ 0, NaN and Infinity', () => {
    assertArgumentError(() => qrpoLoss({ policyLogps: [-1], refLogps: [-1], targets: [0], beta: -1 }), 'beta must be a positive finite number, got -1');
    assertArgumentError(() => dpoLoss({ ...dpo, beta: 0 }), 'beta must be a positive finite number, got 0');
    assertArgumentError(
      () => simpoLoss({ policyChosenLogps: [-1], policyRejectedLogps: [-2], chosenLengths: [1], rejectedLengths: [1], beta: NaN }),
      'beta must be a positive finite number, got NaN',
    );
    assertArgumentError(() => rebelLoss({ ...dpo, chosenRewards: [1], rejectedRewards: [0], beta: Infinity }), 'beta must be a positive finite number, got Infinity');
  });

  test('losses refuse mismatched lengths, empty batches, non-finite log-probs and empty completions', () => {
    assertArgumentError(
      () => qrpoLoss({ policyLogps: [-1, -2], refLogps: [-1], targets: [0, 0], beta: 0.1 }),
      'policyLogps and refLogps must have the same length, got 2 and 1',
    );
    assertArgumentError(() => dpoLoss({ ...dpo, refRejectedLogps: [] }), 'policyChosenLogps and refRejectedLogps must have the same length, got 1 and 0');
    assertArgumentError(() => qrpoLoss({ policyLogps: [], refLogps: [], targets: [], beta: 0.1 }), 'policyLogps is empty; a loss needs at least one sample');
    assertArgumentError(() => dpoLoss({ ...dpo, policyChosenLogps: [NaN] }), 'policyChosenLogps[0] must be a finite number, got NaN');
    assertArgumentError(
      () => simpoLoss({ policyChosenLogps: [-1], policyRejectedLogps: [-2], chosenLengths: [1], rejectedLengths: [0], beta: 0.1 }),
      'rejectedLengths[0] must be at least 1 token, got 0',
    );
    assertArgumentError(
      () => qrpoLoss({ policyLogps: [-1], refLogps: [-1], targets: [0], beta: 0.1, lossType: 'huber' as never }),
      'lossType must be "mse" or "mae", got "huber"',
    );
  });
});
