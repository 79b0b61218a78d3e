import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { QUANTILE_TRANSFORMS, normalIcdf, qrpoTarget, transformQuantile } from '../../../src/qrpo/math';
import { assertArgumentError, assertRelative } from './assertions';

describe('transformQuantile', () => {
  test('identity, sqrt and square do not clamp', () => {
    assert.equal(transformQuantile(0, 'identity', { numRef: 5 }), 0);
    assert.equal(transformQuantile(1, 'identity', { numRef: 5 }), 1);
    assert.equal(transformQuantile(0, 'sqrt', { numRef: 5 }), 0);
    assert.equal(transformQuantile(0.25, 'sqrt', { numRef: 5 }), 0.5);
    assert.equal(transformQuantile(0.5, 'square', { numRef: 5 }), 0.25);
    assert.equal(transformQuantile(0, 'square', { numRef: 1 }), 0);
  });

  test('log clamps q to at least 1/n', () => {
    assert.equal(transformQuantile(0, 'log', { numRef: 5 }), Math.log(0.2));
    assert.equal(transformQuantile(0.6, 'log', { numRef: 5 }), Math.log(0.6));
    assert.equal(transformQuantile(1, 'log', { numRef: 5 }), 0);
  });

  test('normal-icdf clamps q into [1/n, (n−1)/n]', () => {
    assert.equal(transformQuantile(0, 'normal-icdf', { numRef: 5 }), normalIcdf(0.2));
    assert.equal(transformQuantile(1, 'normal-icdf', { numRef: 5 }), normalIcdf(0.8));
    assert.equal(transformQuantile(0.6, 'normal-icdf', { numRef: 5 }), normalIcdf(0.6));
    assertRelative(transformQuantile(1, 'normal-icdf', { numRef: 5 }), 0.8416212335729142, 1e-15);
  });

  test('scaled-normal-icdf is mu + sigma·Φ⁻¹(clamped q)', () => {
    assert.equal(transformQuantile(0, 'scaled-normal-icdf', { numRef: 5, sigma: 2 }), 2 * normalIcdf(0.2));
    assert.equal(transformQuantile(0.4, 'scaled-normal-icdf', { numRef: 5, sigma: 0.5, mu: 1 }), 1 + 0.5 * normalIcdf(0.4));
  });

  test('every transform is non-decreasing in q', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...QUANTILE_TRANSFORMS),
        fc.integer({ min: 3, max: 60 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (transform, numRef, a, b) => {
          const options = { numRef, sigma: 1.5 };
          const [low, high] = a <= b ? [a, b] : [b, a];
          assert.ok(transformQuantile(low, transform, options) <= transformQuantile(high, transform, options));
        },
      ),
      { numRuns: 200 },
    );
  });

  test('refuses degenerate configurations and out-of-range quantiles', () => {
    assertArgumentError(
      () => transformQuantile(0.5, 'log', { numRef: 1 }),
      'the log transform needs numRef ≥ 2, got 1: with one reference reward the clamped quantile is always 1, a constant target with no learning signal',
    );
    assertArgumentError(
      () => transformQuantile(0.5, 'normal-icdf', { numRef: 2 }),
      'the normal-icdf transform needs numRef ≥ 3, got 2: q is clamped into [1/n, (n−1)/n], which leaves no spread below n = 3',
    );
    assertArgumentError(
      () => transformQuantile(0.5, 'scaled-normal-icdf', { numRef: 1, sigma: 1 }),
      'the scaled-normal-icdf transform needs numRef ≥ 3, got 1: q is clamped into [1/n, (n−1)/n], which leaves no spread below n = 3',
    );
    assertArgumentError(() => transformQuantile(1.5, 'identity', { numRef: 5 }), 'quantile must be in [0, 1], got 1.5');
    assertArgumentError(() => transformQuantile(-0.1, 'identity', { numRef: 5 }), 'quantile must be in [0, 1], got -0.1');
    assertArgumentError(() => transformQuantile(NaN, 'sqrt', { numRef: 5 }), 'quantile must be in [0, 1], got NaN');
    assertArgumentError(
      () => transformQuantile(0.5, 'identity', { numRef: 0 }),
      'numRef must be a positive integer (the number of reference rewards), got 0',
    );
    assertArgumentError(
      () => transformQuantile(0.5, 'scaled-normal-icdf', { numRef: 5 }),
      'the scaled-normal-icdf transform needs sigma, a positive finite number, got undefined',
    );
    assertArgumentError(
      () => transformQuantile(0.5, 'scaled-normal-icdf', { numRef: 5, sigma: 0 }),
      'sigma must be a positive finite number, got 0',
    );
    assertArgumentError(
      () => transformQuantile(0.5, 'cube' as never, { numRef: 5 }),
      'unknown quantile transform "cube"; valid transforms are identity, log, sqrt, square, normal-icdf, scaled-normal-icdf',
    );
  });
});

describe('qrpoTarget', () => {
  test('is f(clamp(q)) − β·log Z for the worked pair of qrpo.md §4', () => {
    const refs = [0.1, 0.2, 0.2, 0.5, 0.9];
    const chosen = qrpoTarget(refs, 0.3, { transform: 'identity', beta: 0.1, mode: 'simplified' });
    assert.equal(chosen.quantile, 0.6);
    assertRelative(chosen.logPartition, 7.697414907, 1e-10);
    assertRelative(chosen.target, 0.6 - (1 + 0.1 * Math.log(0.1)), 1e-14);
    const rejected = qrpoTarget(refs, 0.05, { transform: 'identity', beta: 0.1 });
    assert.equal(rejected.quantile, 0);
    assertRelative(rejected.target, -0.769736950602, 1e-10);
    const logTarget = qrpoTarget(refs, 0.05, { transform: 'log', beta: 0.1 });
    assertRelative(logTarget.transformed, Math.log(0.2), 1e-15);
  });
});
