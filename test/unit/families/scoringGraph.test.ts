// The scoring and reward graphs: a sequence's log-prob does not depend on its batch-mates or on the side it is
// padded on, token log-probs sum to logp over completion tokens only, entropies are in [0, log V], and graphs for
// the wrong head or an unsupported RoPE scaling are refused with a message naming the cause.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ModelFormatError } from '../../../src/qrpo/errors';
import { inverseFrequencies } from '../../../src/qrpo/model/families';
import { buildRewardGraph, buildScoringGraph, packScoringBatch, positionIdsForStep, scoringFeeds } from '../../../src/qrpo/model/graphs';
import { GraphSession } from '../../../src/qrpo/runtime/session';
import { sequences, tinyModel } from './familyFixtures';

const data = sequences(4, 60, 5);

describe('scoring graph', () => {
  for (const kind of ['gpt2', 'mistral'] as const) {
    test(`${kind}: logp is independent of padding side and batch-mates; token log-probs and entropies are consistent`, async () => {
      const { config, weights } = await tinyModel(kind);
      const session = await GraphSession.create(buildScoringGraph(config, weights, { entropy: true }).graph);
      const left = await session.run(scoringFeeds(packScoringBatch(data, { padding: 'left' })));
      const right = await session.run(scoringFeeds(packScoringBatch(data, { padding: 'right' })));
      const alone = await Promise.all(data.map((s) => session.run(scoringFeeds(packScoringBatch([s])))));
      const batch = packScoringBatch(data, { padding: 'right' });
      const [B, T] = batch.dims;
      const tokenLogps = right.token_logps.data as Float32Array;
      const entropy = right.entropy.data as Float32Array;
      data.forEach((s, b) => {
        const logp = (right.logp.data as Float32Array)[b];
        assert.ok(Math.abs((left.logp.data as Float32Array)[b] - logp) < 1e-5, `row ${b}: left ${left.logp.data[b]} vs right ${logp}`);
        assert.ok(Math.abs((alone[b].logp.data as Float32Array)[0] - logp) < 1e-5, `row ${b} alone`);
        assert.equal(Number(right.num_tokens.data[b]), s.completion.length);
        const row = Array.from(tokenLogps.subarray(b * (T - 1), (b + 1) * (T - 1)));
        const scored = row.map((_, t) => t + 1 >= s.prompt.length && t + 1 < s.prompt.length + s.completion.length);
        row.forEach((v, t) => assert.ok(scored[t] ? v < 0 : v === 0, `token log-prob ${v} at ${t}`));
        assert.ok(Math.abs(row.reduce((a, v) => a + v, 0) - logp) < 1e-5);
        Array.from(entropy.subarray(b * (T - 1), (b + 1) * (T - 1))).forEach((e, t) => {
          if (!scored[t]) assert.ok(e === 0);
          else assert.ok(e > 0 && e <= Math.log(config.vocabSize) + 1e-5, `entropy ${e}`);
        });
      });
      assert.equal(B, data.length);
      await session.release();
    });
  }

  test('position_ids as an input give the same logp as the ones derived from the mask', async () => {
    const { config, weights } = await tinyModel('llama');
    const batch = packScoringBatch(data, { padding: 'left' });
    const derived = await GraphSession.create(buildScoringGraph(config, weights).graph);
    const given = await GraphSession.create(buildScoringGraph(config, weights, { positionIds: 'input' }).graph);
    const a = await derived.run(scoringFeeds(batch));
    const positions = positionIdsForStep(batch.attentionMask, batch.dims[0], batch.dims[1]);
    const b = await given.run({ ...scoringFeeds(batch), position_ids: { data: positions, dims: [...batch.dims] } });
    assert.deepEqual(Array.from(b.logp.data as Float32Array), Array.from(a.logp.data as Float32Array));
  });

  test('is refused for a reward model, and the reward graph for a causal LM', async () => {
    const reward = await tinyModel('qwen2-reward');
    const lm = await tinyModel('qwen2');
    assert.throws(() => buildScoringGraph(reward.config, reward.weights), (e: Error) => e instanceof ModelFormatError && /Qwen2ForSequenceClassification/.test(e.message));
    assert.throws(() => buildRewardGraph(lm.config, lm.weights), (e: Error) => e instanceof ModelFormatError && /Qwen2ForCausalLM/.test(e.message));
  });

  test('RoPE scaling: llama3 slows long wavelengths; unknown types are refused by name', async () => {
    const { config } = await tinyModel('llama');
    const plain = inverseFrequencies(config);
    const scaled = inverseFrequencies({ ...config, ropeScaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 64 } });
    assert.equal(scaled[0], plain[0]); // the shortest wavelength (2π) is kept
    assert.ok(Math.abs(scaled[plain.length - 1] - plain[plain.length - 1] / 8) < 1e-9); // the longest is slowed 8×
    assert.throws(() => inverseFrequencies({ ...config, ropeScaling: { rope_type: 'yarn', factor: 4 } }), /"yarn" is not supported/);
  });
});

describe('reward graph', () => {
  test('scores the last real token: equal for left, right and unbatched rows, with either last-token rule', async () => {
    const { config, weights } = await tinyModel('gpt2-reward');
    const byMask = await GraphSession.create(buildRewardGraph(config, weights).graph);
    const byPad = await GraphSession.create(buildRewardGraph(config, weights, { lastToken: 'pad-token' }).graph);
    const feeds = (padding: 'left' | 'right', rows = data) => {
      const { input_ids, attention_mask } = scoringFeeds(packScoringBatch(rows, { padding, padTokenId: config.padTokenId }));
      return { input_ids, attention_mask };
    };
    const reference = Array.from((await byMask.run(feeds('right'))).scores.data as Float32Array);
    assert.equal(reference.length, data.length);
    for (const [session, padding] of [[byMask, 'left'], [byPad, 'left'], [byPad, 'right']] as const) {
      const scores = Array.from((await session.run(feeds(padding))).scores.data as Float32Array);
      scores.forEach((s, i) => assert.ok(Math.abs(s - reference[i]) < 1e-5, `${padding}: ${s} vs ${reference[i]}`));
    }
    for (const [i, row] of data.entries()) {
      const alone = Number((await byMask.run(feeds('right', [row]))).scores.data[0]);
      assert.ok(Math.abs(alone - reference[i]) < 1e-5);
    }
  });
});
