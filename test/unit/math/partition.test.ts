import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { QUANTILE_TRANSFORMS, QuantileTransform, logPartition } from '../../../src/qrpo/math';
import { assertArgumentError, assertClose, assertRelative } from './assertions';
import { integrate } from './quadrature';

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * log ∫₀¹ e^{f(t)/β} dt by quadrature, in log space: the integrand is e^{f(t)/β − M} with M = f(1)/β, the largest
 * exponent for these increasing f. The normal transforms integrate φ(z)·e^{(μ+σz)/β} over z instead, since in t the
 * integrand is unbounded at t = 1.
 */
function quadratureLogPartition(transform: QuantileTransform, beta: number, mu = 0, sigma = 1): number {
  const f: Record<string, (t: number) => number> = {
    identity: (t) => t,
    log: (t) => Math.log(t),
    sqrt: (t) => Math.sqrt(t),
    square: (t) => t * t,
  };
  if (transform === 'normal-icdf' || transform === 'scaled-normal-icdf') {
    const s = transform === 'normal-icdf' ? 1 : sigma;
    const m = transform === 'normal-icdf' ? 0 : mu;
    const peak = s / beta;
    const top = m / beta + (s * s) / (2 * beta * beta);
    const integrand = (z: number) => Math.exp(-0.5 * z * z - LOG_SQRT_2PI + (m + s * z) / beta - top);
    return top + Math.log(integrate(integrand, peak - 40, peak + 40));
  }
  const top = f[transform](1) / beta;
  return top + Math.log(integrate((t) => Math.exp(f[transform](t) / beta - top), 0, 1));
}

describe('logPartition', () => {
  test('identity matches the qrpo.md §3 values, exact and simplified', () => {
    assertClose(logPartition('identity', 0.001), 993.092244721, 1e-12);
    assertClose(logPartition('identity', 0.01), 95.394829814, 1e-11);
    assertClose(logPartition('identity', 0.1), 7.697369506, 1e-10);
    assertClose(logPartition('identity', 1), 0.5413248546, 1e-10);
    assertClose(logPartition('identity', 0.1, { mode: 'simplified' }), 7.697414907, 1e-10);
    assertClose(logPartition('identity', 1, { mode: 'simplified' }), 1, 1e-15);
    assert.equal(logPartition('identity', 0.001, { mode: 'simplified' }), logPartition('identity', 0.001));
  });

  test('log transform is log(β/(1+β))', () => {
    assertClose(logPartition('log', 0.1), -2.3978952728, 1e-10);
    assertClose(logPartition('log', 1), -0.6931471806, 1e-10);
    assert.equal(logPartition('log', 0.1, { mode: 'simplified' }), logPartition('log', 0.1));
  });

  test('normal transforms are the Gaussian moment generating function', () => {
    assert.equal(logPartition('normal-icdf', 0.5), 2);
    assertRelative(logPartition('scaled-normal-icdf', 0.5, { sigma: 2, mu: 0.3 }), 0.6 + 8, 1e-15);
    assertRelative(logPartition('scaled-normal-icdf', 0.1, { sigma: 0.5 }), 12.5, 1e-15);
  });

  test('sqrt and square match 50-digit values at every scale of β', () => {
    // mpmath: log(2β(β + (1−β)e^{1/β})) and log(√(πβ)/2·erfi(1/√β)).
    const values: [number, number, number][] = [
      [1e-6, 999986.877635622595, 999985.491342761476],
      [1e-4, 9991.48270680358343, 9990.09656245371541],
      [0.0249, 37.135687026188531, 35.7874716268118236],
      [0.025, 36.9789499184617191, 35.6308905248360002],
      [0.0251, 36.8234768205678384, 35.4755734585405334],
      [0.3, 2.48100592314463, 1.65384864602101134],
      [0.999, 0.693866205189184447, 0.380680763668042068],
      [1, 0.693147180559945309, 0.380251052626649826],
      [1.001, 0.692429640003491728, 0.37982230119348472],
      [100, 0.00666944320910640791, 0.00333778059681855633],
      [1e6, 6.6666669444444321e-7, 3.333333777777806e-7],
    ];
    for (const [beta, sqrt, square] of values) {
      assertRelative(logPartition('sqrt', beta), sqrt, 1e-13, `sqrt at β = ${beta}`);
      assertRelative(logPartition('square', beta), square, 1e-13, `square at β = ${beta}`);
    }
  });

  test('identity and log stay accurate at β = 1e-6, 1e-4, 100 and 1e6', () => {
    const values: [number, number, number][] = [
      [1e-6, 999986.184489442036, -13.8155115579637741],
      [1e-4, 9990.78965962802382, -9.21044036697651604],
      [100, 0.00500416666319444996, -0.00995033085316808285],
      [1e6, 5.00000041666666667e-7, -9.99999500000333333e-7],
    ];
    for (const [beta, identity, log] of values) {
      assertRelative(logPartition('identity', beta), identity, 1e-13, `identity at β = ${beta}`);
      assertRelative(logPartition('log', beta), log, 1e-13, `log at β = ${beta}`);
    }
  });

  test('is finite and follows its asymptotics at β = 1e-4 and β = 100', () => {
    for (const transform of QUANTILE_TRANSFORMS) {
      for (const beta of [1e-4, 100]) {
        assert.ok(Number.isFinite(logPartition(transform, beta, { sigma: 1 })), `${transform} at β = ${beta}`);
      }
    }
    // β → 0: Z ≈ e^{f(1)/β}·β/f'(1), so log Z − 1/β → log(β/f'(1)) (f'(1) = 1, 1/2, 2 for identity, sqrt, square).
    const beta = 1e-4;
    assertClose(logPartition('identity', beta) - 1 / beta, Math.log(beta), 2e-4);
    assertClose(logPartition('sqrt', beta) - 1 / beta, Math.log(2 * beta), 4e-4);
    assertClose(logPartition('square', beta) - 1 / beta, Math.log(beta / 2), 2e-4);
    // β → ∞: log Z → E[f(U)]/β for U ~ Uniform(0, 1).
    assertRelative(logPartition('identity', 100) * 100, 1 / 2, 1e-2);
    assertRelative(logPartition('sqrt', 100) * 100, 2 / 3, 1e-2);
    assertRelative(logPartition('square', 100) * 100, 1 / 3, 1e-2);
    assertRelative(logPartition('log', 100) * 100, -1, 1e-2);
  });

  test('gives the optimum of qrpo.md §5 at β = 0.1', () => {
    const beta = 0.1;
    const expectedQuantile = 1 / -Math.expm1(-1 / beta) - beta;
    assertClose(expectedQuantile, 0.900045402, 1e-10);
    assertClose(expectedQuantile / beta - logPartition('identity', beta), 1.3030845139, 1e-10);
    // Log transform: π* is best-of-N with N = 1 + 1/β; E[log q] = −1/N, KL = log N − (N−1)/N.
    const n = 1 + 1 / beta;
    assertClose(-1 / n / beta - logPartition('log', beta), Math.log(n) - (n - 1) / n, 1e-14);
  });

  test('every transform matches quadrature for β in [1e-3, 10]', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...QUANTILE_TRANSFORMS),
        fc.double({ min: Math.log(1e-3), max: Math.log(10), noNaN: true }),
        fc.double({ min: -1, max: 1, noNaN: true }),
        fc.double({ min: 0.2, max: 3, noNaN: true }),
        (transform, logBeta, mu, sigma) => {
          const beta = Math.exp(logBeta);
          const exact = logPartition(transform, beta, { mu, sigma });
          const numeric = quadratureLogPartition(transform, beta, mu, sigma);
          // An error δ in log Z is a relative error δ in Z; the Gaussian exponents carry ~eps·(1/β)² of rounding.
          const roundoff = transform.includes('normal') ? 1e-15 * (sigma / beta) ** 2 : 0;
          assertClose(exact, numeric, 1e-11 + roundoff, `${transform} at β = ${beta}`);
        },
      ),
      { numRuns: 150 },
    );
  });

  test('refuses invalid β, mode and σ', () => {
    assertArgumentError(() => logPartition('identity', -1), 'beta must be a positive finite number, got -1');
    assertArgumentError(() => logPartition('identity', 0), 'beta must be a positive finite number, got 0');
    assertArgumentError(() => logPartition('square', NaN), 'beta must be a positive finite number, got NaN');
    assertArgumentError(() => logPartition('log', Infinity), 'beta must be a positive finite number, got Infinity');
    assertArgumentError(
      () => logPartition('identity', 0.1, { mode: 'rough' as never }),
      'log-partition mode must be "exact" or "simplified", got "rough"',
    );
    assertArgumentError(
      () => logPartition('normal-icdf', 1e-160),
      'log Z of the normal-icdf transform overflows float64 at beta = 1e-160; use a larger beta',
    );
    assertArgumentError(
      () => logPartition('scaled-normal-icdf', 0.1),
      'the scaled-normal-icdf transform needs sigma, a positive finite number, got undefined',
    );
  });
});
