// The evaluation's statistics on hand-made samples, checked against src/qrpo/math applied to the same numbers.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluationStatistics, QUANTILE_HISTOGRAM_BINS, type SampleScores } from '../../../src/qrpo/eval';
import { klEstimates, lengthControlledReward, linearFit, mean, quantileReward, spearman, std } from '../../../src/qrpo/math';

const refA = { refRewards: [0.1, 0.2, 0.2, 0.5, 0.9], refLengths: [3, 5, 4, 8, 10] };
const refB = { refRewards: [1, 2, 3], refLengths: [6, 6, 9] };
const refFlat = { refRewards: [0.4, 0.6], refLengths: [5, 5] };

const samples: SampleScores[] = [
  { split: 'selection', reward: 0.2, length: 4, policyTokenLogps: [-1, -2, -0.5, -0.1], refTokenLogps: [-1.2, -1.5, -0.7, -0.3], ...refA },
  { split: 'selection', reward: 0.95, length: 9, policyTokenLogps: [-0.3, -0.2], refTokenLogps: [-0.9, -0.4], ...refA },
  { split: 'selection', reward: -1, length: 2, policyTokenLogps: [-2], refTokenLogps: [-1], ...refA },
  { split: 'reporting', reward: 2.5, length: 7, policyTokenLogps: [-0.1, -0.1, -0.2], refTokenLogps: [-0.4, -0.3, -0.6], ...refB },
  { split: 'reporting', reward: 1, length: 12, policyTokenLogps: [-3, -0.5], refTokenLogps: [-2.5, -0.5], ...refB },
  { split: 'reporting', reward: 0.5, length: 5, policyTokenLogps: [-0.7], refTokenLogps: [-0.6], ...refFlat },
  { split: 'reporting', reward: 0.7, length: 8, policyTokenLogps: [-0.2, -0.9], refTokenLogps: [-0.25, -1.1], ...refFlat },
];
const promptIndex = [0, 0, 0, 1, 1, 2, 2];
const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) < 1e-12, `${what}: ${actual} ≠ ${expected}`);
const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

describe('evaluationStatistics', () => {
  const stats = evaluationStatistics(samples, promptIndex);

  test('each sample: quantile against its prompt\'s reference rewards, log-probs summed, implicit reward, standardised length', () => {
    samples.forEach((sample, i) => {
      const s = stats.samples[i];
      assert.equal(s.quantile, quantileReward(sample.refRewards, sample.reward));
      close(s.logpPolicy, sum(sample.policyTokenLogps), 'logp policy');
      close(s.logpRef, sum(sample.refTokenLogps), 'logp ref');
      close(s.implicitReward, s.logpPolicy - s.logpRef, 'implicit reward');
      const sigma = std(sample.refLengths, 1);
      if (sigma === 0) assert.equal(s.lengthZ, null);
      else close(s.lengthZ!, (sample.length - mean(sample.refLengths)) / sigma, 'length z');
    });
    assert.deepEqual(stats.samples.slice(0, 3).map((s) => s.quantile), [0.6, 1, 0], 'qrpo.md §2: ties count as wins');
  });

  test('each split is summarised on its own samples with the math module\'s estimators', () => {
    for (const split of ['selection', 'reporting', 'all'] as const) {
      const members = samples.map((_, i) => i).filter((i) => split === 'all' || samples[i].split === split);
      const chosen = members.map((i) => samples[i]);
      const summary = stats.splits[split]!;
      assert.equal(summary.samples, chosen.length);
      assert.equal(summary.prompts, new Set(members.map((i) => promptIndex[i])).size);
      close(summary.meanReward, mean(chosen.map((s) => s.reward)), 'mean reward');
      close(summary.meanQuantile, mean(chosen.map((s) => quantileReward(s.refRewards, s.reward))), 'mean quantile');
      close(summary.meanLength, mean(chosen.map((s) => s.length)), 'mean length');
      const kl = klEstimates({ policyTokenLogps: chosen.map((s) => s.policyTokenLogps), refTokenLogps: chosen.map((s) => s.refTokenLogps) });
      assert.deepEqual(summary.kl, kl);
      const lc = lengthControlledReward(chosen);
      close(summary.lcReward.slope, lc.slope, 'LC slope');
      close(summary.lcReward.mean, mean(lc.lcRewards), 'LC mean');
      if (split !== 'all') members.forEach((i, k) => close(stats.samples[i].lcReward, lc.lcRewards[k], 'sample LC reward'));
      const points = members.filter((i) => stats.samples[i].lengthZ !== null);
      const x = points.map((i) => stats.samples[i].lengthZ!);
      const y = points.map((i) => stats.samples[i].implicitReward);
      assert.deepEqual(summary.lengthBias, { ...linearFit(x, y), spearman: spearman(x, y), samples: points.length });
      assert.equal(summary.quantileHistogram.length, QUANTILE_HISTOGRAM_BINS);
      assert.equal(sum(summary.quantileHistogram), chosen.length);
    }
    // Prompt 2's reference lengths are all 5: its samples stay out of the length-bias fit.
    assert.equal(stats.splits.reporting!.lengthBias!.samples, 2);
  });

  test('the histogram bins quantiles in 20 equal bins over [0, 1], 1 in the last', () => {
    const selection = stats.splits.selection!.quantileHistogram;
    assert.equal(selection[0], 1, 'q = 0');
    assert.equal(selection[12], 1, 'q = 0.6');
    assert.equal(selection[19], 1, 'q = 1');
  });

  test('the reference\'s mean reward and length are over each prompt\'s references once, not once per sample', () => {
    close(stats.splits.selection!.meanRefReward, mean(refA.refRewards), 'ref reward');
    close(stats.splits.reporting!.meanRefLength, mean([...refB.refLengths, ...refFlat.refLengths]), 'ref length');
  });

  test('a policy equal to the reference has KL exactly 0 and no length bias to speak of', () => {
    const same = samples.map((s) => ({ ...s, refTokenLogps: s.policyTokenLogps }));
    const { splits, samples: rows } = evaluationStatistics(same, promptIndex);
    for (const split of ['selection', 'reporting', 'all'] as const) {
      assert.deepEqual(splits[split]!.kl, { k1: { perSequence: 0, perToken: 0 }, k3: { perSequence: 0, perToken: 0 } });
      assert.equal(splits[split]!.lengthBias!.slope, 0);
      assert.equal(splits[split]!.lengthBias!.spearman, 0);
    }
    assert.ok(rows.every((r) => r.implicitReward === 0));
  });

  test('an empty split is null; prompts with one reference keep their reward uncorrected and have no length z', () => {
    const one = samples.slice(0, 3).map((s) => ({ ...s, split: 'reporting' as const, refRewards: [0.3], refLengths: [4] }));
    const { splits, samples: rows } = evaluationStatistics(one, [0, 0, 0]);
    assert.equal(splits.selection, null);
    assert.deepEqual(rows.map((r) => r.lcReward), one.map((s) => s.reward));
    assert.ok(rows.every((r) => r.lengthZ === null));
    assert.equal(splits.reporting!.lengthBias, null);
    assert.equal(splits.reporting!.lcReward.slope, 0);
  });
});
