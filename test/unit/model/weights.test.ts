import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDecoderConfig, readDecoderConfig } from '../../../src/qrpo/model/config';
import { huggingFaceTensorName } from '../../../src/qrpo/model/decoderParameters';
import { SafetensorsFile } from '../../../src/qrpo/model/safetensors';
import type { TensorSource } from '../../../src/qrpo/model/safetensors';
import { writeSafetensors } from '../../../src/qrpo/model/safetensorsWriter';
import type { WritableTensor } from '../../../src/qrpo/model/safetensorsWriter';
import { loadModelWeights, resolveWeights } from '../../../src/qrpo/model/weights';
import type { WeightResolutionOptions } from '../../../src/qrpo/model/weights';
import { writeTinyGpt2, writeTinyLlama } from '../../fixtures/models/tinyModels';
import type { TinyModel } from '../../fixtures/models/tinyModels';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';

const dir = temporaryFolder();
let folders = 0;
const freshFolder = (name: string) => join(dir, `${name}-${folders++}`);

/** Rewrites a fixture's model.safetensors after `edit` adds, removes or replaces stored tensors. */
async function rewriteWeights(model: TinyModel, edit: (tensors: Map<string, WritableTensor>) => void): Promise<string> {
  const tensors = new Map<string, WritableTensor>([...model.tensors].map(([name, t]) => [name, { dtype: 'F32', shape: t.shape, data: t.data }]));
  edit(tensors);
  const path = join(model.dir, 'model.safetensors');
  await writeSafetensors(path, Object.fromEntries(tensors));
  return path;
}

async function resolveFolder(folder: string, options?: WeightResolutionOptions) {
  return resolveWeights(await SafetensorsFile.open(join(folder, 'model.safetensors')), await readDecoderConfig(folder), options);
}

describe('weight name resolution', () => {
  test('GPT-2 names resolve with or without the transformer. prefix to the same canonical names', async () => {
    const bare = await writeTinyGpt2(freshFolder('gpt2-bare'), { seed: 1 });
    const prefixed = await writeTinyGpt2(freshFolder('gpt2-prefixed'), { seed: 1, prefixed: true });
    const a = await resolveFolder(bare.dir);
    const b = await resolveFolder(prefixed.dir);
    assert.deepEqual([...a.parameters.keys()], [...b.parameters.keys()]);
    assert.equal(a.parameters.get('h.1.attn.c_attn.weight')!.stored.name, 'h.1.attn.c_attn.weight');
    assert.equal(b.parameters.get('h.1.attn.c_attn.weight')!.stored.name, 'transformer.h.1.attn.c_attn.weight');
    assert.deepEqual(await a.read('wte.weight'), await b.read('wte.weight'));
    assert.equal(a.parameters.has('lm_head.weight'), false, 'tied head is the embedding');
    assert.equal(a.parameters.size, 2 + 2 * 12 + 2);
  });

  test('projection layouts: GPT-2 Conv1D is [in, out], Llama Linear is [out, in]', async () => {
    const gpt2 = await resolveFolder((await writeTinyGpt2(freshFolder('gpt2-layout'), { seed: 1 })).dir);
    const c_fc = gpt2.parameters.get('h.0.mlp.c_fc.weight')!;
    assert.deepEqual([c_fc.shape, c_fc.layout], [[32, 128], 'in-out']);
    const llama = await resolveFolder((await writeTinyLlama(freshFolder('llama-layout'), { seed: 1, variant: 'llama' })).dir);
    const k = llama.parameters.get('layers.0.self_attn.k_proj.weight')!;
    assert.deepEqual([k.shape, k.layout, k.shapeInConfigTerms], [[16, 32], 'out-in', '[num_key_value_heads·head_dim, hidden_size]']);
    assert.equal(llama.parameters.get('layers.0.input_layernorm.weight')!.layout, undefined);
  });

  test('non-parameter buffers are ignored; anything else unexpected is listed as unused', async () => {
    const gpt2 = await writeTinyGpt2(freshFolder('gpt2-buffers'), { seed: 2, extraBuffers: true });
    assert.deepEqual((await resolveFolder(gpt2.dir)).unusedTensors, []);
    const llama = await writeTinyLlama(freshFolder('llama-buffers'), { seed: 2, variant: 'llama', extraBuffers: true });
    assert.ok(llama.tensors.has('model.layers.0.self_attn.rotary_emb.inv_freq'));
    assert.deepEqual((await resolveFolder(llama.dir)).unusedTensors, []);
    await rewriteWeights(llama, (tensors) => tensors.set('model.layers.0.self_attn.q_proj.lora_A.weight', { dtype: 'F32', shape: [1], data: Float32Array.of(0) }));
    assert.deepEqual((await resolveFolder(llama.dir)).unusedTensors, ['model.layers.0.self_attn.q_proj.lora_A.weight']);
  });

  test('an embedding padded beyond the tokenizer is accepted; a tokenizer larger than the embedding is not', async () => {
    const model = await writeTinyLlama(freshFolder('qwen2-padded'), { seed: 3, variant: 'qwen2' });
    const config = await readDecoderConfig(model.dir);
    assert.ok(config.vocabSize > model.tokenizerVocabSize);
    const resolved = await resolveFolder(model.dir, { tokenizerVocabSize: model.tokenizerVocabSize });
    assert.deepEqual(resolved.parameters.get('embed_tokens.weight')!.shape, [config.vocabSize, 32]);
    await assert.rejects(resolveFolder(model.dir, { tokenizerVocabSize: config.vocabSize + 1 }), {
      name: 'ModelFormatError',
      message:
        `the tokenizer has ${config.vocabSize + 1} tokens but the model's embedding has ${config.vocabSize} rows (vocab_size); ` +
        `token ids from ${config.vocabSize} on would have no embedding`,
    });
  });

  test('Qwen2 q/k/v biases are parameters; a tied head stored anyway is ignored', async () => {
    const model = await writeTinyLlama(freshFolder('qwen2-stored-head'), { seed: 4, variant: 'qwen2', storeTiedHead: true });
    assert.ok(model.tensors.has('lm_head.weight'));
    const resolved = await resolveFolder(model.dir);
    assert.ok(resolved.parameters.has('layers.1.self_attn.v_proj.bias'));
    assert.equal(resolved.parameters.has('layers.1.self_attn.o_proj.bias'), false);
    assert.equal(resolved.parameters.has('lm_head.weight'), false);
    assert.deepEqual(resolved.unusedTensors, []);
  });

  test('an untied head must be stored', async () => {
    const model = await writeTinyLlama(freshFolder('mistral-untied'), { seed: 5, variant: 'mistral' });
    const resolved = await resolveFolder(model.dir);
    assert.deepEqual(resolved.parameters.get('lm_head.weight')!.shape, [(await readDecoderConfig(model.dir)).vocabSize, 32]);
    const path = await rewriteWeights(model, (tensors) => tensors.delete('lm_head.weight'));
    await assert.rejects(resolveFolder(model.dir), {
      message:
        `${path} has no tensor for "lm_head.weight" (looked for "lm_head.weight"). ` +
        'config.json sets tie_word_embeddings to false, so the output head must be stored separately',
    });
  });

  test('a missing parameter says which names were tried', async () => {
    const model = await writeTinyGpt2(freshFolder('gpt2-missing'), { seed: 6 });
    const path = await rewriteWeights(model, (tensors) => tensors.delete('h.1.mlp.c_fc.weight'));
    await assert.rejects(resolveFolder(model.dir), {
      name: 'ModelFormatError',
      message: `${path} has no tensor for "h.1.mlp.c_fc.weight" (looked for "h.1.mlp.c_fc.weight" and "transformer.h.1.mlp.c_fc.weight")`,
    });
  });

  test('a reward model needs its score head', async () => {
    const model = await writeTinyLlama(freshFolder('llama-reward'), { seed: 7, variant: 'llama', head: 'sequence-classification' });
    const resolved = await resolveFolder(model.dir);
    assert.deepEqual(resolved.parameters.get('score.weight')!.shape, [1, 32]);
    assert.equal(resolved.parameters.has('lm_head.weight'), false);
    const path = await rewriteWeights(model, (tensors) => tensors.delete('score.weight'));
    await assert.rejects(resolveFolder(model.dir), {
      message:
        `${path} has no tensor for "score.weight" (looked for "score.weight"). ` +
        'A LlamaForSequenceClassification needs its trained score head; a causal-LM checkpoint is not a reward model',
    });
  });

  test('shapes are checked against the config', async () => {
    const model = await writeTinyGpt2(freshFolder('gpt2-shapes'), { seed: 8 });
    const path = await rewriteWeights(model, (tensors) =>
      tensors.set('h.0.attn.c_attn.weight', { dtype: 'F32', shape: [96, 32], data: new Float32Array(96 * 32) }),
    );
    await assert.rejects(resolveFolder(model.dir), {
      message: `${path}: tensor "h.0.attn.c_attn.weight" has shape [96, 32], but the config implies [32, 96] ([n_embd, 3·n_embd])`,
    });
    const configPath = join(model.dir, 'config.json');
    const json = JSON.parse(readFileSync(configPath, 'utf8'));
    await rewriteWeights(model, () => {});
    writeFileSync(configPath, JSON.stringify({ ...json, vocab_size: json.vocab_size + 3 }));
    await assert.rejects(resolveFolder(model.dir), {
      message:
        `${path}: tensor "wte.weight" has shape [${json.vocab_size}, 32], but the config implies [${json.vocab_size + 3}, 32] ([vocab_size, n_embd]). ` +
        `Check that config.json's vocab_size matches the checkpoint (read from ${path})`,
    });
  });

  test('integer tensors cannot stand in for parameters', async () => {
    const model = await writeTinyGpt2(freshFolder('int-weights'), { seed: 9 });
    const source = await SafetensorsFile.open(join(model.dir, 'model.safetensors'));
    const withIntegerBias: TensorSource = {
      description: source.description,
      names: () => source.names(),
      info: (name) => {
        const info = source.info(name);
        return name === 'ln_f.bias' && info ? { ...info, dtype: 'I32' } : info;
      },
      readFloat32: (name) => source.readFloat32(name),
    };
    assert.throws(() => resolveWeights(withIntegerBias, parseDecoderConfig(model.config)), {
      message: `${source.path}: tensor "ln_f.bias" has dtype I32, not a floating-point type`,
    });
  });

  test('loadModelWeights reads every parameter as float32, from F16 shards too', async () => {
    const model = await writeTinyLlama(freshFolder('llama-f16-shards'), { seed: 10, variant: 'llama', dtype: 'F16', shards: 2 });
    const config = await readDecoderConfig(model.dir);
    const weights = await loadModelWeights(model.dir, config);
    assert.deepEqual(weights.get('norm.weight')!.data, model.tensors.get('model.norm.weight')!.data);
    assert.deepEqual(weights.get('lm_head.weight')!.shape, [config.vocabSize, 32]);
    assert.equal(huggingFaceTensorName(config, { name: 'norm.weight', inBaseModel: true }), 'model.norm.weight');
    assert.equal(huggingFaceTensorName(config, { name: 'lm_head.weight', inBaseModel: false }), 'lm_head.weight');
  });
});
