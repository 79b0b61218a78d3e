// The two log-softmax forms of completionLogps.ts: the composed one (max shift, log Σ exp, label picked before the
// normaliser) has the right gradient by autodiff (central differences, float64, also for logits far from 0), and
// both forms give the same scores, entropies and training gradients on a tiny model.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { mul } from '../../../src/qrpo/graph';
import { buildScoringGraph, buildTrainingGraph, labelLogps, packScoringBatch, scoringFeeds } from '../../../src/qrpo/model/graphs';
import { GraphSession, type TensorValue } from '../../../src/qrpo/runtime/session';
import { sequences, tinyModel } from '../families/familyFixtures';
import { gradTest } from '../graph/gradcheck';
import { maxAbsoluteDifference } from './trainingFixtures';

describe('composed log-softmax', () => {
  const labels = { name: 'labels', shape: [2, 3, 1], dtype: 'int64' as const, values: [5, 0, 2, 2, 3, 1] };
  gradTest('label log-probs: max shift, log Σ exp, gather', {
    dtype: 'float64',
    inputs: [{ name: 'logits', shape: [2, 3, 6] }, labels],
    build: (logits, ids) => labelLogps(logits, ids, 'composed').picked,
  });
  gradTest('label log-probs of logits near ±100 stay finite and exact', {
    dtype: 'float64',
    inputs: [{ name: 'logits', shape: [2, 3, 6], range: [-1, 1] }, labels],
    build: (logits, ids) => labelLogps(mul(logits, 100), ids, 'composed').picked,
    tolerance: 1e-6,
  });

  test('scores, entropies and training gradients equal the LogSoftmax form on a tiny Llama', async () => {
    const model = await tinyModel('llama');
    const feeds = scoringFeeds(packScoringBatch(sequences(4, 60, 5), { padding: 'right' }));
    const score = async (form: 'onnx' | 'composed') => {
      const session = await GraphSession.create(buildScoringGraph(model.config, model.weights, { entropy: true, logSoftmax: form }).graph);
      const out = await session.run(feeds);
      await session.release();
      return out;
    };
    const [onnx, composed] = [await score('onnx'), await score('composed')];
    for (const key of ['logp', 'token_logps', 'entropy']) {
      assert.ok(maxAbsoluteDifference(composed[key].data as Float32Array, onnx[key].data as Float32Array) < 1e-4, key);
    }
    const params = Object.fromEntries([...model.weights].map(([n, w]) => [n, { data: w.data, dims: [...w.shape] }]));
    const gradients = async (form: 'onnx' | 'composed') => {
      const session = await GraphSession.create(buildTrainingGraph(model.config, undefined, { loss: { kind: 'sft' }, logSoftmax: form }).graph);
      const out = await session.run({ ...feeds, ...params });
      await session.release();
      return out;
    };
    const [a, b] = [await gradients('onnx'), await gradients('composed')];
    for (const [name, value] of Object.entries(a) as [string, TensorValue][]) {
      if (!name.startsWith('grad.')) continue;
      const scale = Math.max(...Array.from(value.data as Float32Array, Math.abs));
      assert.ok(maxAbsoluteDifference(b[name].data as Float32Array, value.data as Float32Array) <= 1e-4 * scale, name);
    }
  });
});
