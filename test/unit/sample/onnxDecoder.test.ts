// Generation on the tiny Hugging Face fixture models through their real decoding graphs: the KV cache must not
// change what the model computes, and left padding must not change a row.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { logSoftmax, generate, OnnxDecoder, type DecoderStep, type GenerationRequest, type KvCache } from '../../../src/qrpo/sample';
import { tinyModel, type TinyKind } from '../families/familyFixtures';

const decoders: OnnxDecoder[] = [];
after(async () => {
  for (const d of decoders) await d.release();
});

/** The same model without a cache: every step runs the whole sequence so far from scratch. */
function recomputingStep(cached: DecoderStep<KvCache>): DecoderStep<undefined> {
  let ids: bigint[][] = [];
  let mask: bigint[][] = [];
  return async (input) => {
    const { batchSize: b, newLength: n, pastLength: p } = input;
    if (p === 0) {
      ids = Array.from({ length: b }, (_, r) => [...input.inputIds.subarray(r * n, (r + 1) * n)]);
      mask = Array.from({ length: b }, (_, r) => [...input.attentionMask.subarray(r * n, (r + 1) * n)]);
    } else {
      ids.forEach((row, r) => row.push(input.inputIds[r]));
      mask.forEach((row, r) => row.push(input.attentionMask[(r + 1) * (p + n) - 1]));
    }
    const total = ids[0].length;
    const positions = mask.flatMap((row) => {
      let count = 0n;
      return row.map((m) => (m === 0n ? 1n : count++));
    });
    const out = await cached({
      inputIds: BigInt64Array.from(ids.flat()),
      attentionMask: BigInt64Array.from(mask.flat()),
      positionIds: BigInt64Array.from(positions),
      batchSize: b,
      newLength: total,
      pastLength: 0,
      past: undefined,
    });
    cached.release?.(out.present);
    return { logits: out.logits, vocabSize: out.vocabSize, present: undefined };
  };
}

const KINDS: TinyKind[] = ['gpt2', 'llama', 'qwen2'];
const prompts = [[5, 17, 42], [9], [100, 3, 77, 20, 61]];

describe('OnnxDecoder on tiny HF models', () => {
  for (const kind of KINDS) {
    test(`${kind}: greedy generation with the KV cache gives the tokens and log-probs of recomputing every step`, async () => {
      const model = await tinyModel(kind);
      const decoder = await OnnxDecoder.create(model.config, model.weights);
      decoders.push(decoder);
      const request: GenerationRequest = { prompts, maxNewTokens: 10, sampling: { temperature: 0 }, eosTokenIds: [], padTokenId: 0, batchSize: 3 };
      const cached = await generate(decoder.step, request);
      const recomputed = await generate(recomputingStep(decoder.step), request);
      assert.deepEqual(cached.map((s) => s.tokenIds), recomputed.map((s) => s.tokenIds));
      cached.forEach((s, i) => s.modelLogProbs.forEach((lp, t) => assert.ok(Math.abs(lp - recomputed[i].modelLogProbs[t]) < 1e-4)));
      assert.ok(new Set(cached.flatMap((s) => s.tokenIds)).size > 3, 'the sharpened model does not repeat one token');

      // Left padding (batched with longer prompts) leaves each row's greedy path and log-probs as when it runs alone.
      for (const [i, prompt] of prompts.entries()) {
        const [alone] = await generate(decoder.step, { ...request, prompts: [prompt], batchSize: 1 });
        assert.deepEqual(alone.tokenIds, cached[i].tokenIds);
        alone.modelLogProbs.forEach((lp, t) => assert.ok(Math.abs(lp - cached[i].modelLogProbs[t]) < 1e-4));
      }
    });
  }

  test('sampled log-probs are the model\'s: one prefill of prompt + completion scores the same tokens', async () => {
    const model = await tinyModel('llama');
    const decoder = await OnnxDecoder.create(model.config, model.weights);
    decoders.push(decoder);
    const [sample] = await generate(decoder.step, { prompts: [prompts[0]], maxNewTokens: 6, sampling: { temperature: 1 }, eosTokenIds: [], padTokenId: 0, seed: 9 });
    const sequence = [...prompts[0], ...sample.tokenIds];
    for (let t = 0; t < sample.tokenIds.length; t++) {
      const n = prompts[0].length + t;
      const out = await decoder.step({
        inputIds: BigInt64Array.from(sequence.slice(0, n), BigInt),
        attentionMask: new BigInt64Array(n).fill(1n),
        positionIds: BigInt64Array.from({ length: n }, (_, j) => BigInt(j)),
        batchSize: 1,
        newLength: n,
        pastLength: 0,
        past: undefined,
      });
      decoder.step.release?.(out.present);
      assert.ok(Math.abs(logSoftmax(out.logits)[sample.tokenIds[t]] - sample.modelLogProbs[t]) < 1e-4);
    }
  });
});
