import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { quantileReward, quantileRewards } from '../../../src/qrpo/math';
import { assertArgumentError } from './assertions';

const REFS = [0.1, 0.2, 0.2, 0.5, 0.9];
const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true });

describe('quantileReward', () => {
  test('reproduces the qrpo.md §2 example', () => {
    const cases: [number, number][] = [
      [-1, 0],
      [0.1, 0.2],
      [0.2, 0.6],
      [0.3, 0.6],
      [0.9, 1],
      [5, 1],
    ];
    for (const [reward, q] of cases) assert.equal(quantileReward(REFS, reward), q, `reward ${reward}`);
  });

  test('counts ties as wins', () => {
    assert.equal(quantileReward([1, 1, 1], 1), 1);
    assert.equal(quantileReward([0, 1, 1, 2], 1), 0.75);
  });

  test('lies in [0, 1] on the grid {0, 1/n, …, 1}', () => {
    fc.assert(
      fc.property(fc.array(finite, { minLength: 1, maxLength: 30 }), finite, (refs, reward) => {
        const q = quantileReward(refs, reward);
        assert.ok(q >= 0 && q <= 1);
        assert.ok(Number.isInteger(Math.round(q * refs.length)) && Math.abs(q * refs.length - Math.round(q * refs.length)) < 1e-9);
      }),
      { numRuns: 200 },
    );
  });

  test('is monotone non-decreasing in the reward', () => {
    fc.assert(
      fc.property(fc.array(finite, { minLength: 1, maxLength: 30 }), finite, finite, (refs, a, b) => {
        const [low, high] = a <= b ? [a, b] : [b, a];
        assert.ok(quantileReward(refs, low) <= quantileReward(refs, high));
      }),
      { numRuns: 200 },
    );
  });

  test('quantileRewards agrees with quantileReward one reward at a time', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: -6, max: 6 }), { maxLength: 20 }),
        (refs, rewards) => {
          assert.deepEqual(quantileRewards(refs, rewards), rewards.map((r) => quantileReward(refs, r)));
        },
      ),
      { numRuns: 200 },
    );
  });

  test('refuses an empty reference set and non-finite rewards', () => {
    assertArgumentError(() => quantileReward([], 1), 'refRewards is empty; a quantile needs at least one reference reward');
    assertArgumentError(() => quantileReward([0.1, NaN], 1), 'refRewards[1] must be a finite number, got NaN');
    assertArgumentError(() => quantileReward([0.1, Infinity], 1), 'refRewards[1] must be a finite number, got Infinity');
    assertArgumentError(() => quantileReward(REFS, NaN), 'reward must be a finite number, got NaN');
    assertArgumentError(() => quantileReward(REFS, -Infinity), 'reward must be a finite number, got -Infinity');
    assertArgumentError(() => quantileRewards(REFS, [1, NaN]), 'rewards[1] must be a finite number, got NaN');
  });
});
