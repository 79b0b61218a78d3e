import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { normalCdf, normalIcdf, normalPdf } from '../../../src/qrpo/math';
import { assertArgumentError, assertRelative } from './assertions';

// Reference values: mpmath at 50 digits, evaluated at the double nearest each decimal argument.
const ICDF: [number, number][] = [
  [1e-300, -37.047096299361199237],
  [1e-10, -6.3613409024040561991],
  [0.001, -3.0902323061678135354],
  [0.1, -1.2815515655446004353],
  [0.2, -0.84162123357291416552],
  [0.75, 0.6744897501960817432],
  [0.975, 1.9599639845400538556],
  [0.999999, 4.7534243088170877657],
];
const CDF: [number, number][] = [
  [-38, 2.8854283600687843084e-316],
  [-10, 7.619853024160526066e-24],
  [-5, 2.8665157187919391167e-7],
  [-1, 0.15865525393145705141],
  [-0.3, 0.38208857781104736693],
  [0.5, 0.69146246127401310364],
  [1.96, 0.97500210485177956379],
  [3, 0.99865010196836990547],
  [8, 0.9999999999999993779],
];

describe('normal distribution', () => {
  test('normalIcdf matches 50-digit values to 1e-15 relative, tails included', () => {
    for (const [p, z] of ICDF) assertRelative(normalIcdf(p), z, 2e-15, `Φ⁻¹(${p})`);
    assert.equal(normalIcdf(0.5), 0);
    assert.equal(normalIcdf(0), -Infinity);
    assert.equal(normalIcdf(1), Infinity);
  });

  test('normalCdf matches 50-digit values to 1e-15 relative, deep lower tail included', () => {
    for (const [x, p] of CDF) assertRelative(normalCdf(x), p, 3e-15, `Φ(${x})`);
    assert.equal(normalCdf(0), 0.5);
    assert.equal(normalCdf(-Infinity), 0);
    assert.equal(normalCdf(Infinity), 1);
  });

  test('normalCdf inverts normalIcdf over (1e-300, 1)', () => {
    fc.assert(
      fc.property(fc.double({ min: -690, max: -1e-3, noNaN: true }), (logP) => {
        const p = Math.exp(logP);
        const z = normalIcdf(p);
        // A relative error ε in z moves Φ(z) by a relative z²·ε, so the round trip is only as good as 1e-15·z².
        assertRelative(normalCdf(z), p, 4e-15 * (1 + z * z), `Φ(Φ⁻¹(${p}))`);
      }),
      { numRuns: 200 },
    );
  });

  test('normalIcdf is antisymmetric about 1/2 and normalPdf is the density', () => {
    fc.assert(
      // Dyadic p keeps 1 − p exact, so any asymmetry is the algorithm's own.
      fc.property(fc.integer({ min: 1, max: 2 ** 29 }), (k) => {
        const p = k / 2 ** 30;
        assertRelative(-normalIcdf(1 - p), normalIcdf(p), 1e-15);
      }),
      { numRuns: 100 },
    );
    assertRelative(normalPdf(1), Math.exp(-0.5) / Math.sqrt(2 * Math.PI), 1e-15);
  });

  test('normalIcdf refuses probabilities outside [0, 1]', () => {
    assertArgumentError(() => normalIcdf(1.5), 'probability must be in [0, 1], got 1.5');
    assertArgumentError(() => normalIcdf(NaN), 'probability must be in [0, 1], got NaN');
  });
});
