// Parity with an independent PyTorch implementation of the Hugging Face forwards (test/parity/hf_reference.py, in
// float64): summed completion log-probs within 1e-4 absolute, and the gradients of a QRPO loss (and of a weighted
// sum of reward-model scores) within 1e-3 relative to the largest |gradient| of each parameter tensor, for tiny
// GPT-2 (tied, untied), Llama (GQA; untied, tied), Qwen2 (q/k/v biases, tied) and Mistral, on left- and
// right-padded batches.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { Graph, gradients, mul, reduceSum } from '../../../src/qrpo/graph';
import { bindParameters, decoderForward, sequenceScores } from '../../../src/qrpo/model/families';
import { buildTrainingGraph, packScoringBatch, scoringFeeds, type ScoringBatch } from '../../../src/qrpo/model/graphs';
import { GraphSession, type TensorValue } from '../../../src/qrpo/runtime/session';
import { type ReferenceCase, type ReferenceResult, runReference } from '../../parity/hfReference';
import { type LoadedModel, type TinyKind, sequences, tinyModel } from './familyFixtures';

const LM_KINDS: TinyKind[] = ['gpt2', 'gpt2-untied', 'llama', 'llama-tied', 'qwen2', 'mistral'];
const REWARD_KINDS: TinyKind[] = ['gpt2-reward', 'qwen2-reward'];
const PADDINGS = ['left', 'right'] as const;
const QRPO = { targets: [0.3, -0.5, 0.1, 0.8, -0.2], ref_logps: [-20, -15, -25, -10, -12], beta: 0.1 };
const SCORE_WEIGHTS = [[1], [-0.5], [2], [0.25], [-1]];
const LOGP_TOLERANCE = 1e-4;
const GRAD_TOLERANCE = 1e-3;

interface Ours {
  logp?: number[];
  scores?: number[][];
  loss: number;
  grads: Record<string, Float32Array>;
}

const rows = (data: BigInt64Array, [batch, seq]: readonly number[]): number[][] =>
  Array.from({ length: batch }, (_, b) => Array.from(data.subarray(b * seq, (b + 1) * seq), Number));

function parameterFeeds(model: LoadedModel): Record<string, TensorValue> {
  return Object.fromEntries([...model.weights].map(([name, w]) => [name, { data: w.data, dims: w.shape }]));
}

async function ourTraining(model: LoadedModel, batches: ScoringBatch[]): Promise<Ours[]> {
  const { graph, parameterInputs } = buildTrainingGraph(model.config, undefined, { loss: { kind: 'qrpo' } });
  const session = await GraphSession.create(graph);
  const results: Ours[] = [];
  for (const batch of batches) {
    const out = await session.run({
      ...scoringFeeds(batch),
      ...parameterFeeds(model),
      targets: { data: Float32Array.from(QRPO.targets), dims: [5] },
      ref_logps: { data: Float32Array.from(QRPO.ref_logps), dims: [5] },
      beta: { data: Float32Array.of(QRPO.beta), dims: [] },
    });
    const grads = Object.fromEntries(parameterInputs.map((name) => [name, out[`grad.${name}`].data as Float32Array]));
    results.push({ logp: Array.from(out.logp.data as Float32Array), loss: Number(out.loss.data[0]), grads });
  }
  await session.release();
  return results;
}

/** Reward models: scores and the gradient of Σ scores ⊙ w, built from the family API with every weight trainable. */
async function ourReward(model: LoadedModel, batches: ScoringBatch[]): Promise<Ours[]> {
  const graph = new Graph();
  const inputIds = graph.input('input_ids', 'int64', ['batch', 'seq']);
  const attentionMask = graph.input('attention_mask', 'int64', ['batch', 'seq']);
  const weights = graph.input('score_weights', 'float32', ['batch', 1]);
  const params = bindParameters(graph, model.config, undefined, 'all');
  const { hidden } = decoderForward(model.config, params, { inputIds, attentionMask });
  const scores = sequenceScores(model.config, params, hidden, inputIds, attentionMask);
  const loss = reduceSum(mul(scores, weights));
  graph.output('scores', scores);
  graph.output('loss', loss);
  gradients(loss, params.trainable.map((p) => p.tensor)).forEach((g, i) => graph.output(`grad.${params.trainable[i].name}`, g));
  const session = await GraphSession.create(graph);
  const results: Ours[] = [];
  for (const batch of batches) {
    const { input_ids, attention_mask } = scoringFeeds(batch);
    const out = await session.run({ input_ids, attention_mask, ...parameterFeeds(model), score_weights: { data: Float32Array.from(SCORE_WEIGHTS.flat()), dims: [5, 1] } });
    const flat = Array.from(out.scores.data as Float32Array);
    const grads = Object.fromEntries(params.trainable.map((p) => [p.name, out[`grad.${p.name}`].data as Float32Array]));
    results.push({ scores: flat.map((v) => [v]), loss: Number(out.loss.data[0]), grads });
  }
  await session.release();
  return results;
}

/** Worst |ours − reference| / max |reference| over the tensors, and the tensor where it occurs. */
function gradientError(ours: Record<string, Float32Array>, reference: Record<string, number[]>): { worst: number; where: string } {
  let worst = 0;
  let where = '';
  for (const [name, expected] of Object.entries(reference)) {
    const got = ours[name];
    assert.ok(got, `no gradient output for ${name}`);
    assert.equal(got.length, expected.length, `gradient of ${name} has ${got.length} values, PyTorch ${expected.length}`);
    const scale = Math.max(1e-12, ...expected.map(Math.abs));
    const error = Math.max(...expected.map((e, i) => Math.abs(got[i] - e))) / scale;
    if (error > worst) [worst, where] = [error, name];
  }
  return { worst, where };
}

describe('model graphs match an independent PyTorch implementation of the HF forwards', () => {
  const kinds = [...LM_KINDS, ...REWARD_KINDS];
  const ours = new Map<string, Ours>();
  const reference = new Map<string, ReferenceResult>();

  before(async () => {
    const cases: ReferenceCase[] = [];
    const keys: string[] = [];
    for (const kind of kinds) {
      const model = await tinyModel(kind);
      const data = sequences(5, 60, kind.length);
      const batches = PADDINGS.map((padding) => packScoringBatch(data, { padding, padTokenId: model.config.padTokenId ?? 0 }));
      const results = kind.endsWith('-reward') ? await ourReward(model, batches) : await ourTraining(model, batches);
      batches.forEach((batch, i) => {
        const key = `${kind} ${PADDINGS[i]}`;
        keys.push(key);
        ours.set(key, results[i]);
        cases.push({
          model_dir: model.dir,
          input_ids: rows(batch.inputIds, batch.dims),
          attention_mask: rows(batch.attentionMask, batch.dims),
          ...(kind.endsWith('-reward') ? { score_weights: SCORE_WEIGHTS } : { completion_mask: rows(batch.completionMask, batch.dims), qrpo: QRPO }),
        });
      });
    }
    runReference(cases).results.forEach((r, i) => reference.set(keys[i], r));
  });

  for (const kind of kinds) {
    for (const padding of PADDINGS) {
      const key = `${kind} ${padding}`;
      const what = kind.endsWith('-reward') ? 'reward scores' : 'completion log-probs, QRPO loss';
      test(`${key}-padded: ${what} and every parameter's gradient`, (t) => {
        const [mine, theirs] = [ours.get(key)!, reference.get(key)!];
        const values = mine.logp ?? mine.scores!.flat();
        const expected = theirs.logp ?? theirs.scores!.flat();
        const valueError = Math.max(...values.map((v, i) => Math.abs(v - expected[i])));
        const lossError = Math.abs(mine.loss - theirs.loss) / Math.max(1, Math.abs(theirs.loss));
        const { worst, where } = gradientError(mine.grads, theirs.grads);
        t.diagnostic(`max |Δ ${mine.logp ? 'logp' : 'score'}| ${valueError.toExponential(2)}, loss rel ${lossError.toExponential(2)}, worst grad rel ${worst.toExponential(2)} (${where})`);
        assert.ok(valueError <= LOGP_TOLERANCE, `${key}: |Δ| ${valueError} > ${LOGP_TOLERANCE}: ours ${values}, PyTorch ${expected}`);
        assert.ok(lossError <= 1e-5, `${key}: loss ${mine.loss} vs PyTorch ${theirs.loss}`);
        assert.ok(worst <= GRAD_TOLERANCE, `${key}: gradient of ${where} off by ${worst} of its largest component`);
        assert.equal(Object.keys(mine.grads).length, Object.keys(theirs.grads).length, 'every parameter has a gradient on both sides');
      });
    }
  }
});
