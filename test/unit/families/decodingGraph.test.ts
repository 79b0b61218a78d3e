// The KV-cache decoding graph agrees with the scoring graph: feeding a left-padded batch's prompts with an empty
// cache, then one token per call with the present keys/values fed back, gives next-token log-probs equal to the
// scoring graph's log-probs of the same tokens over the whole sequence (the decoding contract a sampler relies on).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  buildDecodingGraph,
  buildScoringGraph,
  packScoringBatch,
  pastKeyName,
  pastValueName,
  positionIdsForStep,
  presentKeyName,
  presentValueName,
  scoringFeeds,
} from '../../../src/qrpo/model/graphs';
import { GraphSession, type TensorValue } from '../../../src/qrpo/runtime/session';
import { type TinyKind, tinyModel } from './familyFixtures';

const prompts = [[5, 9, 2], [7], [3, 3, 8, 1]];
const completions = [[4, 6, 1], [2, 9, 9], [5, 5, 7]]; // equal lengths: one new token per row per step
const STEPS = 3;

function logSoftmaxAt(logits: Float32Array, row: number, vocab: number, id: number): number {
  const z = logits.subarray(row * vocab, (row + 1) * vocab);
  const max = Math.max(...z);
  const sum = z.reduce((s, v) => s + Math.exp(v - max), 0);
  return z[id] - max - Math.log(sum);
}

async function decodeAgreesWithScoring(kind: TinyKind): Promise<number> {
  const { config, weights } = await tinyModel(kind);
  const B = prompts.length;
  const vocab = config.vocabSize;
  const scoring = await GraphSession.create(buildScoringGraph(config, weights).graph);
  const full = packScoringBatch(prompts.map((p, i) => ({ prompt: p, completion: completions[i] })), { padding: 'left' });
  const tokenLogps = (await scoring.run(scoringFeeds(full))).token_logps.data as Float32Array;
  const seq = full.dims[1];

  const decoder = await GraphSession.create(buildDecodingGraph(config, weights).graph);
  const promptBatch = packScoringBatch(prompts.map((p) => ({ prompt: p, completion: [] })), { padding: 'left' });
  let mask = Array.from(promptBatch.attentionMask, Number);
  let ids = Array.from(promptBatch.inputIds, Number);
  let width = promptBatch.dims[1];
  const emptyCache: TensorValue = { data: new Float32Array(0), dims: [B, config.numKeyValueHeads, 0, config.headDim] };
  let cache: Record<string, TensorValue> = {};
  for (let i = 0; i < config.numLayers; i++) cache = { ...cache, [pastKeyName(i)]: emptyCache, [pastValueName(i)]: emptyCache };

  let worst = 0;
  for (let step = 0; step <= STEPS; step++) {
    const newTokens = ids.length / B;
    const out = await decoder.run({
      input_ids: { data: BigInt64Array.from(ids, BigInt), dims: [B, newTokens] },
      attention_mask: { data: BigInt64Array.from(mask, BigInt), dims: [B, width] },
      position_ids: { data: positionIdsForStep(mask, B, newTokens), dims: [B, newTokens] },
      ...cache,
    });
    assert.deepEqual(out.logits.dims, [B, vocab]);
    if (step === STEPS) break;
    // The next token of each row is its completion token `step`; its log-prob is the scoring graph's entry at
    // the position that predicts it (full sequence, left-padded: completion token `step` sits at seq − 3 + step).
    for (let b = 0; b < B; b++) {
      const next = completions[b][step];
      const expected = tokenLogps[b * (seq - 1) + (seq - 1 - STEPS + step)];
      worst = Math.max(worst, Math.abs(logSoftmaxAt(out.logits.data as Float32Array, b, vocab, next) - expected));
    }
    ids = completions.map((c) => c[step]);
    mask = Array.from({ length: B }, (_, b) => [...mask.slice(b * width, (b + 1) * width), 1]).flat();
    width++;
    for (let i = 0; i < config.numLayers; i++) {
      cache[pastKeyName(i)] = out[presentKeyName(i)];
      cache[pastValueName(i)] = out[presentValueName(i)];
      assert.deepEqual(out[presentKeyName(i)].dims, [B, config.numKeyValueHeads, width - 1, config.headDim]);
    }
  }
  await scoring.release();
  await decoder.release();
  return worst;
}

test("logits: 'all' gives every new position's logits (a prefill that scores the prompt)", async () => {
  const { config, weights } = await tinyModel('llama');
  const batch = packScoringBatch(prompts.map((p, i) => ({ prompt: p, completion: completions[i] })), { padding: 'right' });
  const [B, T] = batch.dims;
  const scoring = await GraphSession.create(buildScoringGraph(config, weights).graph);
  const tokenLogps = (await scoring.run(scoringFeeds(batch))).token_logps.data as Float32Array;
  const decoder = await GraphSession.create(buildDecodingGraph(config, weights, { logits: 'all' }).graph);
  const empty: TensorValue = { data: new Float32Array(0), dims: [B, config.numKeyValueHeads, 0, config.headDim] };
  const caches = Object.fromEntries(Array.from({ length: config.numLayers }, (_, i) => [[pastKeyName(i), empty], [pastValueName(i), empty]]).flat());
  const out = await decoder.run({
    input_ids: { data: batch.inputIds, dims: [B, T] },
    attention_mask: { data: batch.attentionMask, dims: [B, T] },
    position_ids: { data: positionIdsForStep(batch.attentionMask, B, T), dims: [B, T] },
    ...caches,
  });
  assert.deepEqual(out.logits.dims, [B, T, config.vocabSize]);
  for (let b = 0; b < B; b++) {
    for (let t = prompts[b].length - 1; t < prompts[b].length + completions[b].length - 1; t++) {
      const expected = tokenLogps[b * (T - 1) + t];
      const got = logSoftmaxAt(out.logits.data as Float32Array, b * T + t, config.vocabSize, Number(batch.inputIds[b * T + t + 1]));
      assert.ok(Math.abs(got - expected) < 1e-4, `row ${b} position ${t}: ${got} vs ${expected}`);
    }
  }
});

describe('KV-cache decoding reproduces the scoring graph token by token (left-padded batch)', () => {
  for (const kind of ['gpt2', 'llama', 'qwen2'] as const) {
    test(kind, async (t) => {
      const worst = await decodeAgreesWithScoring(kind);
      t.diagnostic(`max |Δ log-prob| ${worst.toExponential(2)}`);
      assert.ok(worst < 1e-4, `decoded log-probs differ from scoring by ${worst}`);
    });
  }
});
