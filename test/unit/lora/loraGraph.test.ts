// LoRA wrapped into the model graphs: with B = 0 the wrapped model scores exactly like the base; with B ≠ 0, full
// weights merged from the adapter score (and decode, and reward) like the wrapped model; in the training graph only
// A and B are session inputs and get gradients, while the base weights stay initializers inside the model.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { toModelProto } from '../../../src/qrpo/graph';
import {
  buildDecodingGraph,
  buildRewardGraph,
  buildScoringGraph,
  buildTrainingGraph,
  packScoringBatch,
  pastKeyName,
  pastValueName,
  positionIdsForStep,
  scoringFeeds,
} from '../../../src/qrpo/model/graphs';
import { type LoraAdapter, loraFeeds, loraParameters, loraProjections, mergeLoraWeights } from '../../../src/qrpo/model/lora';
import { GraphSession, type TensorValue } from '../../../src/qrpo/runtime/session';
import { type LoadedModel, sequences, tinyModel } from '../families/familyFixtures';
import { adapterFor, maxAbsDifference, parameterCount, runOnce, withRandomB } from './loraFixtures';

const batch = packScoringBatch(sequences(4, 60, 7), { padding: 'left' });
const QRPO_FEEDS: Record<string, TensorValue> = {
  targets: { data: Float32Array.of(0.3, -0.5, 0.1, 0.8), dims: [4] },
  ref_logps: { data: Float32Array.of(-20, -15, -25, -10), dims: [4] },
  beta: { data: Float32Array.of(0.1), dims: [] },
};

async function logps(model: LoadedModel, weights: LoadedModel['weights'], adapter?: LoraAdapter): Promise<Float32Array> {
  const graph = buildScoringGraph(model.config, weights, adapter ? { adapter: loraProjections(adapter) } : {});
  return (await runOnce(graph, batch, adapter ? loraFeeds(adapter) : {})).logp.data as Float32Array;
}

describe('LoRA-wrapped model graphs', () => {
  for (const [kind, targetModules] of [['gpt2', ['c_attn']], ['llama', ['q_proj', 'v_proj']], ['qwen2', 'all-linear']] as const) {
    test(`${kind} ${JSON.stringify(targetModules)}: with B = 0 the wrapped model scores exactly like the base`, async (t) => {
      const model = await tinyModel(kind);
      const adapter = adapterFor(model, { targetModules });
      const base = await logps(model, model.weights);
      const wrapped = await logps(model, model.weights, adapter);
      const difference = maxAbsDifference(base, wrapped);
      t.diagnostic(`max |Δ logp| ${difference.toExponential(2)} over ${adapter.targets.length} wrapped projections`);
      assert.ok(difference <= 1e-6, `B = 0 changed logp by ${difference}`);
    });

    test(`${kind} ${JSON.stringify(targetModules)}: after a random B, merged weights score like the wrapped model`, async (t) => {
      const model = await tinyModel(kind);
      const adapter = withRandomB(adapterFor(model, { targetModules }));
      const base = await logps(model, model.weights);
      const wrapped = await logps(model, model.weights, adapter);
      const merged = await logps(model, mergeLoraWeights(model.weights, adapter));
      const difference = maxAbsDifference(wrapped, merged);
      t.diagnostic(`max |Δ logp| merged vs wrapped ${difference.toExponential(2)}; the adapter moved logp by up to ${maxAbsDifference(base, wrapped).toFixed(3)}`);
      assert.ok(maxAbsDifference(base, wrapped) > 1e-2, 'the random B should change the model');
      assert.ok(difference <= 1e-5, `merged and wrapped differ by ${difference}`);
    });
  }

  test('training graph: only A and B are session inputs and get gradients; base weights stay initializers', async () => {
    const model = await tinyModel('gpt2');
    const adapter = withRandomB(adapterFor(model, { targetModules: ['c_attn', 'c_fc'] }));
    const built = buildTrainingGraph(model.config, model.weights, { loss: { kind: 'qrpo' }, adapter: loraProjections(adapter) });
    const loraNames = loraParameters(adapter).map((s) => s.name);
    assert.deepEqual(loraNames.slice(0, 2), ['h.0.attn.c_attn.lora_A.weight', 'h.0.attn.c_attn.lora_B.weight']);
    assert.deepEqual(built.parameterInputs, loraNames);

    const proto = toModelProto(built.graph).graph!;
    const inputs = proto.input!.map((i) => i.name);
    assert.deepEqual(inputs, ['input_ids', 'attention_mask', ...loraNames, 'completion_mask', 'targets', 'ref_logps', 'beta']);
    const initializerElements = proto.initializer!.reduce((n, t) => n + (t.dims ?? []).reduce((p, d) => p * Number(d), 1), 0);
    assert.ok(initializerElements >= parameterCount(model.weights), `initializers hold ${initializerElements} values, the base ${parameterCount(model.weights)}`);
    const gradOutputs = proto.output!.map((o) => o.name!).filter((n) => n.startsWith('grad.') && n !== 'grad.logp');
    assert.deepEqual(gradOutputs, loraNames.map((n) => `grad.${n}`));

    const session = await GraphSession.create(built.graph);
    assert.deepEqual(session.inputNames.sort(), [...inputs].sort() as string[]);
    const out = await session.run({ ...scoringFeeds(batch), ...loraFeeds(adapter), ...QRPO_FEEDS });
    for (const name of loraNames) {
      const grad = out[`grad.${name}`].data as Float32Array;
      assert.ok(grad.some((g) => g !== 0) && grad.every(Number.isFinite), `grad.${name} is zero or not finite`);
    }
    await session.release();
  });

  test('training graph at the PEFT init (B = 0): the loss is the base loss, ∂A = 0 and ∂B ≠ 0', async () => {
    const model = await tinyModel('llama');
    const adapter = adapterFor(model, { targetModules: ['q_proj', 'v_proj'] });
    const base = await runOnce(buildTrainingGraph(model.config, model.weights, { loss: { kind: 'qrpo' }, trainable: 'none' }), batch, QRPO_FEEDS);
    const lora = await runOnce(buildTrainingGraph(model.config, model.weights, { loss: { kind: 'qrpo' }, adapter: loraProjections(adapter) }), batch, {
      ...loraFeeds(adapter),
      ...QRPO_FEEDS,
    });
    assert.ok(Math.abs(Number(base.loss.data[0]) - Number(lora.loss.data[0])) <= 1e-6 * Math.abs(Number(base.loss.data[0])));
    const grads = (matrix: 'A' | 'B') => adapter.targets.flatMap((t) => Array.from(lora[`grad.${t.module}.lora_${matrix}.weight`].data as Float32Array));
    assert.ok(grads('A').every((g) => g === 0), 'with B = 0 nothing reaches A');
    assert.ok(grads('B').some((g) => Math.abs(g) > 1e-3), 'B learns from the first step');
  });

  test('decoding graph with a frozen adapter gives the merged model\'s logits', async () => {
    const model = await tinyModel('mistral');
    const adapter = withRandomB(adapterFor(model, { targetModules: 'all-linear' }));
    const feeds = decodingFeeds(model);
    const frozen = await GraphSession.create(buildDecodingGraph(model.config, model.weights, { adapter: loraProjections(adapter, { trainable: false }) }).graph);
    const merged = await GraphSession.create(buildDecodingGraph(model.config, mergeLoraWeights(model.weights, adapter)).graph);
    assert.deepEqual(frozen.inputNames.filter((n) => n.includes('lora')), [], 'a frozen adapter is made of initializers');
    const a = (await frozen.run(feeds)).logits.data as Float32Array;
    const b = (await merged.run(feeds)).logits.data as Float32Array;
    assert.ok(maxAbsDifference(a, b) <= 1e-5, `logits differ by ${maxAbsDifference(a, b)}`);
    await Promise.all([frozen.release(), merged.release()]);
  });

  test('reward graph (sequence classification) with an adapter scores like the merged reward model', async () => {
    const model = await tinyModel('qwen2-reward');
    const adapter = withRandomB(adapterFor(model, { targetModules: ['q_proj', 'k_proj', 'down_proj'] }));
    const { inputIds, attentionMask, dims } = batch;
    const feeds = { input_ids: { data: inputIds, dims }, attention_mask: { data: attentionMask, dims } };
    const wrapped = await GraphSession.create(buildRewardGraph(model.config, model.weights, { adapter: loraProjections(adapter) }).graph);
    const merged = await GraphSession.create(buildRewardGraph(model.config, mergeLoraWeights(model.weights, adapter)).graph);
    const a = (await wrapped.run({ ...feeds, ...loraFeeds(adapter) })).scores.data as Float32Array;
    const b = (await merged.run(feeds)).scores.data as Float32Array;
    assert.ok(maxAbsDifference(a, b) <= 1e-5, `scores differ by ${maxAbsDifference(a, b)}`);
    await Promise.all([wrapped.release(), merged.release()]);
  });
});

/** A left-padded prompt batch with an empty cache: the first decoding step. */
function decodingFeeds(model: LoadedModel): Record<string, TensorValue> {
  const prompts = packScoringBatch([{ prompt: [5, 9, 2], completion: [] }, { prompt: [7], completion: [] }], { padding: 'left' });
  const [B, S] = prompts.dims;
  const empty: TensorValue = { data: new Float32Array(0), dims: [B, model.config.numKeyValueHeads, 0, model.config.headDim] };
  const feeds: Record<string, TensorValue> = {
    input_ids: { data: prompts.inputIds, dims: [B, S] },
    attention_mask: { data: prompts.attentionMask, dims: [B, S] },
    position_ids: { data: positionIdsForStep(prompts.attentionMask, B, S), dims: [B, S] },
  };
  for (let i = 0; i < model.config.numLayers; i++) Object.assign(feeds, { [pastKeyName(i)]: empty, [pastValueName(i)]: empty });
  return feeds;
}
