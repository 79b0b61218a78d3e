// Drawing one token: frequencies follow the sampling distribution, and both log-probabilities are reported.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SeededRandom, chooseNextToken, logSoftmax, samplingLogProbs, type SamplingParams } from '../../../src/qrpo/sample';

const logits = Float32Array.from([1.5, -0.5, 0.2, 2.4, -3, 0.9, 0, 1.1]);

/** Pearson χ² of counts against probabilities, over the cells with positive probability. */
function chiSquare(counts: number[], probs: number[], draws: number): number {
  return probs.reduce((sum, p, i) => (p > 0 ? sum + (counts[i] - draws * p) ** 2 / (draws * p) : sum), 0);
}

function frequencies(params: SamplingParams, draws: number, seed = 1): number[] {
  const random = new SeededRandom(seed);
  const counts = new Array<number>(logits.length).fill(0);
  for (let i = 0; i < draws; i++) counts[chooseNextToken(logits, params, random).tokenId]++;
  return counts;
}

describe('chooseNextToken', () => {
  for (const params of [{ temperature: 1 }, { temperature: 0.6 }, { temperature: 1.8, topK: 4 }, { temperature: 1, topP: 0.8 }]) {
    test(`empirical frequencies match the sampling distribution (${JSON.stringify(params)})`, () => {
      const draws = 20000;
      const probs = [...samplingLogProbs(logits, params)].map(Math.exp);
      const counts = frequencies(params, draws);
      const cells = probs.filter((p) => p > 0).length;
      // χ² with cells − 1 degrees of freedom; 6 sd above its mean only fails for a biased draw.
      assert.ok(chiSquare(counts, probs, draws) < cells - 1 + 6 * Math.sqrt(2 * (cells - 1)));
      probs.forEach((p, i) => p === 0 && assert.equal(counts[i], 0, `token ${i} is truncated away and never drawn`));
    });
  }

  test('reports log-probs under the sampling distribution and under the model at temperature 1', () => {
    const params = { temperature: 0.7, topK: 3 };
    const model = logSoftmax(logits);
    const sampling = samplingLogProbs(logits, params);
    const random = new SeededRandom(5);
    for (let i = 0; i < 50; i++) {
      const choice = chooseNextToken(logits, params, random);
      assert.equal(choice.modelLogProb, model[choice.tokenId]);
      assert.equal(choice.samplingLogProb, sampling[choice.tokenId]);
    }
  });

  test('temperature 0 is greedy: the argmax (first on ties), sampling log-prob 0', () => {
    const choice = chooseNextToken(logits, { temperature: 0 }, new SeededRandom(1));
    assert.deepEqual(choice, { tokenId: 3, samplingLogProb: 0, modelLogProb: logSoftmax(logits)[3] });
    assert.equal(chooseNextToken([1, 4, 4], { temperature: 0 }, new SeededRandom(1)).tokenId, 1);
  });
});
