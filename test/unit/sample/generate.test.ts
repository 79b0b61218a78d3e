// Batched, KV-cached generation on a real onnxruntime session (the bigram graph of bigramDecoder.ts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generate, logSoftmax, type DecoderStep, type GenerationRequest } from '../../../src/qrpo/sample';
import { bigramDecoder, randomBigram, type BigramDecoder, type BigramModel } from './bigramDecoder';

const V = 12;
const EOS = 11;
const PAD = 0;
const model: BigramModel = randomBigram(V, 7);
let decoder: BigramDecoder;

before(async () => {
  decoder = await bigramDecoder(model);
});
after(() => decoder.release());

/** log π(y | x) of the bigram model at temperature 1, computed from the table directly. */
function exactLogProb(prompt: readonly number[], completion: readonly number[]): number[] {
  let last = prompt.at(-1)!;
  let position = prompt.length - 1;
  return completion.map((token) => {
    const logits = Array.from({ length: V }, (_, v) => model.table[last * V + v] + model.positionBias[position * V + v]);
    last = token;
    position++;
    return logSoftmax(logits)[token];
  });
}

function request(overrides: Partial<GenerationRequest>): GenerationRequest {
  return { prompts: [[1, 2, 3]], maxNewTokens: 6, sampling: { temperature: 1 }, eosTokenIds: [EOS], padTokenId: PAD, seed: 3, ...overrides };
}

describe('generate', () => {
  test('the same seed gives the same completions; another seed gives others', async () => {
    const a = await generate(decoder.step, request({ numReturnSequences: 4 }));
    const b = await generate(decoder.step, request({ numReturnSequences: 4 }));
    const c = await generate(decoder.step, request({ numReturnSequences: 4, seed: 4 }));
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.map((s) => s.tokenIds), c.map((s) => s.tokenIds));
  });

  test('a sequence does not depend on the batch it shares: left padding and positions are right for every row', async () => {
    const prompts = [[5], [1, 2, 3, 4, 5, 6, 7], [9, 9, 4]];
    const generateIn = (batchSize: number) => generate(decoder.step, request({ prompts, numReturnSequences: 3, batchSize, maxNewTokens: 8 }));
    const alone = await generateIn(1);
    assert.deepEqual(await generateIn(9), alone);
    assert.deepEqual(await generateIn(4), alone);
  });

  test('prefill left-pads shorter prompts, then each step feeds one token per row and grows the mask by one', async () => {
    decoder.calls.length = 0;
    await generate(decoder.step, request({ prompts: [[4], [1, 2, 3]], maxNewTokens: 3, eosTokenIds: [] }));
    const [prefill, ...steps] = decoder.calls;
    assert.deepEqual(prefill.inputIds, [0n, 0n, 4n, 1n, 2n, 3n]);
    assert.deepEqual(prefill.attentionMask, [0n, 0n, 1n, 1n, 1n, 1n]);
    assert.deepEqual(prefill.positionIds, [1n, 1n, 0n, 0n, 1n, 2n]);
    assert.equal(steps.length, 2, 'no model call after the last token');
    assert.deepEqual(steps.map((s) => [s.newLength, s.pastLength]), [[1, 3], [1, 4]]);
    assert.deepEqual(steps[1].positionIds, [2n, 4n]);
  });

  test('the cache handed back each step is the one the model returned (prompt, then the sampled tokens)', async () => {
    decoder.calls.length = 0;
    let lastPresent: BigInt64Array | undefined;
    const checking: DecoderStep<BigInt64Array> = async (input) => {
      if (input.past !== undefined) assert.equal(input.past, lastPresent);
      const out = await decoder.step(input);
      lastPresent = out.present;
      return out;
    };
    const [sequence] = await generate(checking, request({ maxNewTokens: 5, eosTokenIds: [] }));
    assert.deepEqual([...lastPresent!], [1n, 2n, 3n, ...sequence.tokenIds.slice(0, -1).map(BigInt)]);
  });

  test('every token carries log π at temperature 1, whatever the sampling temperature and truncation', async () => {
    for (const sampling of [{ temperature: 1 }, { temperature: 0.7, topK: 5, topP: 0.9 }, { temperature: 0 }]) {
      const sequences = await generate(decoder.step, request({ numReturnSequences: 3, sampling }));
      for (const s of sequences) {
        const exact = exactLogProb([1, 2, 3], s.tokenIds);
        s.modelLogProbs.forEach((lp, t) => assert.ok(Math.abs(lp - exact[t]) < 1e-5, `${lp} vs ${exact[t]}`));
        if (sampling.temperature === 1 && !('topK' in sampling)) assert.deepEqual(s.samplingLogProbs, s.modelLogProbs);
      }
    }
  });

  test('temperature 0 decodes greedily: every token is the argmax, and sampling log-probs are 0', async () => {
    const [a, b] = await generate(decoder.step, request({ sampling: { temperature: 0 }, numReturnSequences: 2, eosTokenIds: [] }));
    assert.deepEqual(a.tokenIds, b.tokenIds);
    assert.ok(a.samplingLogProbs.every((lp) => lp === 0));
    let last = 3;
    a.tokenIds.forEach((token, t) => {
      const logits = Array.from({ length: V }, (_, v) => model.table[last * V + v] + model.positionBias[(2 + t) * V + v]);
      assert.equal(token, logits.indexOf(Math.max(...logits)));
      last = token;
    });
  });

  test('a row ends at an EOS id (kept as its last token), others run to max_new_tokens', async () => {
    const sequences = await generate(decoder.step, request({ numReturnSequences: 40, maxNewTokens: 5 }));
    const reasons = new Set(sequences.map((s) => s.finishReason));
    assert.deepEqual([...reasons].sort(), ['eos', 'length'], 'this seed and table give both');
    for (const s of sequences) {
      if (s.finishReason === 'eos') {
        assert.equal(s.tokenIds.at(-1), EOS);
        assert.ok(s.tokenIds.slice(0, -1).every((t) => t !== EOS));
      } else assert.equal(s.tokenIds.length, 5);
      assert.equal(s.modelLogProbs.length, s.tokenIds.length);
    }
  });

  test('stop strings end a row once the decoded completion contains them, across token boundaries', async () => {
    const letters = 'abcdefghijkl';
    const decode = (ids: readonly number[]) => ids.map((id) => letters[id]).join('');
    const free = await generate(decoder.step, request({ numReturnSequences: 30, maxNewTokens: 10, eosTokenIds: [] }));
    const pairs = free.flatMap((s) => s.tokenIds.slice(1).map((t, i) => decode([s.tokenIds[i], t])));
    const stop = pairs.sort((a, b) => pairs.filter((p) => p === b).length - pairs.filter((p) => p === a).length)[0]; // the most frequent pair
    const stopped = await generate(decoder.step, request({ numReturnSequences: 30, maxNewTokens: 10, eosTokenIds: [], stopStrings: [stop], decode }));
    for (const [i, s] of stopped.entries()) {
      const text = decode(s.tokenIds);
      const at = decode(free[i].tokenIds).indexOf(stop);
      if (at < 0) assert.equal(s.finishReason, 'length');
      else {
        assert.equal(s.finishReason, 'stop');
        assert.equal(s.stopString, stop);
        assert.ok(text.endsWith(stop), 'one letter per token: the text ends exactly at the stop string');
        assert.deepEqual(s.tokenIds, free[i].tokenIds.slice(0, at + stop.length), 'the same draws up to the stop');
      }
    }
    assert.ok(stopped.filter((s) => s.finishReason === 'stop').length >= 2);
  });

  test('two-token completions follow the model distribution (chi-square over all V² outcomes)', async () => {
    const draws = 6000;
    const sequences = await generate(decoder.step, request({ prompts: [[2]], numReturnSequences: draws, maxNewTokens: 2, eosTokenIds: [], batchSize: 2000 }));
    const counts = new Map<string, number>();
    for (const s of sequences) counts.set(s.tokenIds.join(','), (counts.get(s.tokenIds.join(',')) ?? 0) + 1);
    let chiSquare = 0;
    let cells = 0;
    for (let a = 0; a < V; a++) {
      for (let b = 0; b < V; b++) {
        const expected = draws * Math.exp(exactLogProb([2], [a, b]).reduce((x, y) => x + y));
        chiSquare += ((counts.get(`${a},${b}`) ?? 0) - expected) ** 2 / expected;
        cells++;
      }
    }
    // χ² with 143 degrees of freedom: mean 143, sd ≈ 17; 6 sd above the mean only fails for a biased sampler.
    assert.ok(chiSquare < cells - 1 + 6 * Math.sqrt(2 * (cells - 1)), `χ² = ${chiSquare.toFixed(1)}`);
  });

  test('bad requests are refused with the value that is wrong', async () => {
    await assert.rejects(generate(decoder.step, request({ prompts: [[1], []] })), /prompt 1 has no tokens/);
    await assert.rejects(generate(decoder.step, request({ maxNewTokens: 0 })), /max new tokens must be a positive integer, got 0/);
    await assert.rejects(generate(decoder.step, request({ sampling: { temperature: -1 } })), /temperature must be a number ≥ 0/);
    await assert.rejects(generate(decoder.step, request({ sampling: { temperature: 1, topP: 0 } })), /top-p must be in \(0, 1\], got 0/);
    await assert.rejects(generate(decoder.step, request({ stopStrings: ['x'] })), /stop strings need a decode function/);
  });
});
