// The sampling distribution: transformers' temperature → top-k → top-p warpers, with their tie and minimum rules.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { logSoftmax, samplingLogProbs, type SamplingParams } from '../../../src/qrpo/sample';

/** Token ids the distribution keeps (probability > 0). */
function kept(logits: number[], params: SamplingParams): number[] {
  return [...samplingLogProbs(logits, params)].flatMap((lp, i) => (lp > -Infinity ? [i] : []));
}

const logitsOf = (probs: number[]) => probs.map(Math.log);

/** TopPLogitsWarper, written as transformers writes it: ascending sort, cumulative sum, remove ≤ 1 − p, keep the top minKeep. */
function referenceTopP(logits: number[], p: number, minKeep: number): number[] {
  const probs = [...logSoftmax(logits)].map(Math.exp);
  const ascending = probs.map((_, i) => i).sort((a, b) => probs[a] - probs[b] || b - a);
  let cumulative = 0;
  const removed = new Set<number>();
  ascending.forEach((id, rank) => {
    cumulative += probs[id];
    if (cumulative <= 1 - p && rank < ascending.length - minKeep) removed.add(id);
  });
  return probs.flatMap((_, i) => (removed.has(i) ? [] : [i]));
}

describe('samplingLogProbs', () => {
  test('temperature 1 without truncation is the model softmax', () => {
    const logits = [2, -1, 0.5, 3];
    assert.deepEqual(samplingLogProbs(logits, { temperature: 1 }), logSoftmax(logits));
  });

  test('temperature divides the logits: 0.5 sharpens, 2 flattens', () => {
    const logits = [2, -1, 0.5];
    assert.deepEqual(samplingLogProbs(logits, { temperature: 0.5 }), logSoftmax(logits.map((x) => x / 0.5)));
    const flat = samplingLogProbs(logits, { temperature: 2 });
    assert.ok(Math.exp(flat[0]) < Math.exp(logSoftmax(logits)[0]));
  });

  test('top-k keeps the k highest scores, and every token tied with the k-th', () => {
    assert.deepEqual(kept([1, 5, 3, 4, 2], { temperature: 1, topK: 2 }), [1, 3]);
    assert.deepEqual(kept([1, 5, 3, 3, 2], { temperature: 1, topK: 2 }), [1, 2, 3]);
    assert.deepEqual(kept([1, 5, 3], { temperature: 1, topK: 10 }), [0, 1, 2]);
  });

  test('top-p keeps the smallest most-likely set whose probability reaches p', () => {
    const logits = logitsOf([0.05, 0.5, 0.15, 0.3]);
    assert.deepEqual(kept(logits, { temperature: 1, topP: 0.5 }), [1]);
    assert.deepEqual(kept(logits, { temperature: 1, topP: 0.79 }), [1, 3]);
    assert.deepEqual(kept(logits, { temperature: 1, topP: 0.81 }), [1, 2, 3]);
    assert.deepEqual(kept(logits, { temperature: 1, topP: 0.96 }), [0, 1, 2, 3]);
    assert.deepEqual(kept(logits, { temperature: 1, topP: 1e-9 }), [1], 'always at least one token');
  });

  test('kept tokens are renormalised to sum to 1', () => {
    const lp = samplingLogProbs(logitsOf([0.05, 0.5, 0.15, 0.3]), { temperature: 1, topP: 0.79 });
    assert.ok(Math.abs(Math.exp(lp[1]) - 0.5 / 0.8) < 1e-12);
    assert.ok(Math.abs(Math.exp(lp[3]) - 0.3 / 0.8) < 1e-12);
  });

  test('min_tokens_to_keep overrides both truncations', () => {
    assert.deepEqual(kept(logitsOf([0.05, 0.5, 0.15, 0.3]), { temperature: 1, topP: 0.1, minTokensToKeep: 3 }), [1, 2, 3]);
    assert.deepEqual(kept([1, 5, 3, 4, 2], { temperature: 1, topK: 1, minTokensToKeep: 2 }), [1, 3]);
  });

  test('the order is temperature, then top-k, then top-p: top-p measures mass after both', () => {
    const logits = logitsOf([0.05, 0.5, 0.15, 0.3]);
    // At T=1, p=0.79 keeps 2 tokens; flattened by T=4 the same p needs 3.
    assert.equal(kept(logits, { temperature: 4, topP: 0.79 }).length, 3);
    // top-k=2 first leaves {0.5, 0.3} → {0.625, 0.375}; p=0.6 then keeps only the first.
    assert.deepEqual(kept(logits, { temperature: 1, topK: 2, topP: 0.6 }), [1]);
  });

  test('top-p matches transformers\' algorithm on random logits, large vocabularies included', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -20, max: 20, noNaN: true }), { minLength: 1, maxLength: 400 }),
        fc.double({ min: 0.01, max: 0.999, noNaN: true }),
        fc.integer({ min: 1, max: 3 }),
        (logits, p, minKeep) => {
          assert.deepEqual(kept(logits, { temperature: 1, topP: p, minTokensToKeep: minKeep }), referenceTopP(logits, p, minKeep));
        },
      ),
      { seed: 20261101, numRuns: 300 },
    );
  });
});
