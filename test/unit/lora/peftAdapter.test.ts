// PEFT adapter folders: tensor names exactly as PEFT's save_pretrained writes them (expected strings written by
// hand), the adapter_config.json fields, a save → load round trip, and clear errors for broken folders: wrong shapes,
// a module the config does not select or the base lacks, a missing tensor, unsupported PEFT options.
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ModelFormatError } from '../../../src/qrpo/errors';
import { SafetensorsFile } from '../../../src/qrpo/model/safetensors';
import { type WritableTensor, writeSafetensors } from '../../../src/qrpo/model/safetensorsWriter';
import { type LoraAdapter, loadLoraAdapter, loraProjections, mergeLoraWeights, saveLoraAdapter } from '../../../src/qrpo/model/lora';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';
import { type LoadedModel, tinyModel } from '../families/familyFixtures';
import { adapterFor, withRandomB } from './loraFixtures';

const root = temporaryFolder('qrpo-lora-');
let folders = 0;

async function saved(model: LoadedModel, adapter: LoraAdapter): Promise<string> {
  const folder = join(root, `adapter-${folders++}`);
  await saveLoraAdapter(folder, model.config, adapter, { baseModelNameOrPath: model.dir });
  return folder;
}

async function storedShapes(folder: string): Promise<Record<string, readonly number[]>> {
  const file = await SafetensorsFile.open(join(folder, 'adapter_model.safetensors'));
  return Object.fromEntries(file.names().sort().map((n) => [n, file.info(n)!.shape]));
}

/** Rewrites adapter_model.safetensors through `edit` (tensors by stored name). */
async function editTensors(folder: string, edit: (tensors: Map<string, WritableTensor>) => void): Promise<void> {
  const path = join(folder, 'adapter_model.safetensors');
  const file = await SafetensorsFile.open(path);
  const tensors = new Map<string, WritableTensor>();
  for (const name of file.names()) tensors.set(name, { dtype: 'F32', shape: file.info(name)!.shape, data: await file.readFloat32(name) });
  edit(tensors);
  await writeSafetensors(path, Object.fromEntries(tensors));
}

async function editConfig(folder: string, edit: (config: Record<string, unknown>) => void): Promise<void> {
  const path = join(folder, 'adapter_config.json');
  const config = JSON.parse(await fs.readFile(path, 'utf8'));
  edit(config);
  await fs.writeFile(path, JSON.stringify(config));
}

const refusal = (pattern: RegExp) => (e: Error) => {
  assert.ok(e instanceof ModelFormatError, `${e.name}: ${e.message}`);
  assert.match(e.message, pattern);
  return true;
};

describe('PEFT adapter folders', () => {
  test('GPT-2: names, shapes and adapter_config.json as PEFT writes them (fan_in_fan_out for Conv1D)', async () => {
    const model = await tinyModel('gpt2');
    const folder = await saved(model, adapterFor(model, { targetModules: ['c_attn'] }));
    assert.deepEqual(await storedShapes(folder), {
      'base_model.model.transformer.h.0.attn.c_attn.lora_A.weight': [4, 32],
      'base_model.model.transformer.h.0.attn.c_attn.lora_B.weight': [96, 4],
      'base_model.model.transformer.h.1.attn.c_attn.lora_A.weight': [4, 32],
      'base_model.model.transformer.h.1.attn.c_attn.lora_B.weight': [96, 4],
    });
    const config = JSON.parse(await fs.readFile(join(folder, 'adapter_config.json'), 'utf8'));
    assert.deepEqual(
      {
        peft_type: config.peft_type,
        task_type: config.task_type,
        r: config.r,
        lora_alpha: config.lora_alpha,
        lora_dropout: config.lora_dropout,
        target_modules: config.target_modules,
        bias: config.bias,
        fan_in_fan_out: config.fan_in_fan_out,
        base_model_name_or_path: config.base_model_name_or_path,
        inference_mode: config.inference_mode,
        modules_to_save: config.modules_to_save,
      },
      {
        peft_type: 'LORA',
        task_type: 'CAUSAL_LM',
        r: 4,
        lora_alpha: 8,
        lora_dropout: 0,
        target_modules: ['c_attn'],
        bias: 'none',
        fan_in_fan_out: true,
        base_model_name_or_path: model.dir,
        inference_mode: true,
        modules_to_save: null,
      },
    );
    const header = (await SafetensorsFile.open(join(folder, 'adapter_model.safetensors'))).metadata;
    assert.deepEqual(header, { format: 'pt' });
  });

  test('Llama (GQA) and a Qwen2 reward model: names under model., task types, resolved all-linear', async () => {
    const llama = await tinyModel('llama');
    const folder = await saved(llama, adapterFor(llama, { targetModules: ['q_proj', 'v_proj'], r: 2 }));
    assert.deepEqual(await storedShapes(folder), {
      'base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight': [2, 32],
      'base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight': [32, 2],
      'base_model.model.model.layers.0.self_attn.v_proj.lora_A.weight': [2, 32],
      'base_model.model.model.layers.0.self_attn.v_proj.lora_B.weight': [16, 2],
      'base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight': [2, 32],
      'base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight': [32, 2],
      'base_model.model.model.layers.1.self_attn.v_proj.lora_A.weight': [2, 32],
      'base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight': [16, 2],
    });
    const llamaConfig = JSON.parse(await fs.readFile(join(folder, 'adapter_config.json'), 'utf8'));
    assert.equal(llamaConfig.fan_in_fan_out, false);

    const reward = await tinyModel('qwen2-reward');
    const rewardFolder = await saved(reward, adapterFor(reward, { targetModules: 'all-linear' }));
    const names = Object.keys(await storedShapes(rewardFolder));
    assert.equal(names.length, 28);
    assert.ok(names.includes('base_model.model.model.layers.1.mlp.down_proj.lora_B.weight'));
    const rewardConfig = JSON.parse(await fs.readFile(join(rewardFolder, 'adapter_config.json'), 'utf8'));
    assert.equal(rewardConfig.task_type, 'SEQ_CLS');
    assert.deepEqual(rewardConfig.target_modules, ['down_proj', 'gate_proj', 'k_proj', 'o_proj', 'q_proj', 'up_proj', 'v_proj']);
  });

  test('save → load round trip gives the same config, targets and values; the merge of the loaded adapter agrees', async () => {
    for (const kind of ['gpt2', 'mistral'] as const) {
      const model = await tinyModel(kind);
      const adapter = withRandomB(adapterFor(model, { targetModules: 'all-linear', r: 3, alpha: 5 }));
      const loaded = await loadLoraAdapter(await saved(model, adapter), model.config);
      assert.deepEqual(loaded.targets, adapter.targets);
      assert.deepEqual({ ...loaded.config, targetModules: [] }, { ...adapter.config, targetModules: [] });
      assert.deepEqual([...loaded.weights.keys()].sort(), [...adapter.weights.keys()].sort());
      for (const [name, value] of adapter.weights) assert.deepEqual(loaded.weights.get(name), value, name);
      const [a, b] = [mergeLoraWeights(model.weights, adapter), mergeLoraWeights(model.weights, loaded)];
      for (const [name, value] of a) assert.deepEqual(b.get(name)!.data, value.data, name);
    }
  });

  test('wrong shapes are refused, naming the file, the tensor and the shape r and the module imply', async () => {
    const model = await tinyModel('llama');
    const folder = await saved(model, adapterFor(model, { targetModules: ['q_proj', 'v_proj'] }));
    await editTensors(folder, (t) => t.set('base_model.model.model.layers.1.self_attn.v_proj.lora_B.weight', { dtype: 'F32', shape: [32, 4], data: new Float32Array(128) }));
    await assert.rejects(
      loadLoraAdapter(folder, model.config),
      refusal(/adapter_model\.safetensors: tensor "base_model\.model\.model\.layers\.1\.self_attn\.v_proj\.lora_B\.weight" has shape \[32, 4\], but r = 4 and model\.layers\.1\.self_attn\.v_proj \(32 in, 16 out\) imply \[out_features, r\] = \[16, 4\]/),
    );
    const rank = await saved(model, adapterFor(model, { targetModules: ['q_proj', 'v_proj'] }));
    await editConfig(rank, (c) => (c.r = 8));
    await assert.rejects(loadLoraAdapter(rank, model.config), refusal(/has shape \[4, 32\], but r = 8 .* imply \[r, in_features\] = \[8, 32\]/));
  });

  test('a tensor for a module the config does not select, or the base does not have, is refused', async () => {
    const model = await tinyModel('gpt2');
    const adapter = adapterFor(model, { targetModules: ['c_attn'] });
    const unselected = await saved(model, adapter);
    await editTensors(unselected, (t) => t.set('base_model.model.transformer.h.0.mlp.c_fc.lora_A.weight', { dtype: 'F32', shape: [4, 32], data: new Float32Array(128) }));
    await assert.rejects(loadLoraAdapter(unselected, model.config), refusal(/module transformer\.h\.0\.mlp\.c_fc, which target_modules \["c_attn"\] does not select/));
    const foreign = await saved(model, adapter);
    await editTensors(foreign, (t) => t.set('base_model.model.transformer.h.7.attn.c_attn.lora_A.weight', { dtype: 'F32', shape: [4, 32], data: new Float32Array(128) }));
    await assert.rejects(loadLoraAdapter(foreign, model.config), refusal(/module transformer\.h\.7\.attn\.c_attn, which the base model GPT2LMHeadModel does not have/));
    const unknownConfig = await saved(model, adapter);
    await editConfig(unknownConfig, (c) => (c.target_modules = ['c_attn', 'query_key_value']));
    await assert.rejects(loadLoraAdapter(unknownConfig, model.config), refusal(/adapter_config\.json: LoRA targetModules "query_key_value" match no projection of GPT2LMHeadModel/));
  });

  test('a missing tensor, a missing file and unsupported PEFT options are refused by name', async () => {
    const model = await tinyModel('qwen2');
    const adapter = adapterFor(model, { targetModules: ['q_proj'] });
    const missing = await saved(model, adapter);
    await editTensors(missing, (t) => t.delete('base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight'));
    await assert.rejects(loadLoraAdapter(missing, model.config), refusal(/adapter_model\.safetensors has no tensor "base_model\.model\.model\.layers\.0\.self_attn\.q_proj\.lora_B\.weight"/));

    const noConfig = await saved(model, adapter);
    await fs.rm(join(noConfig, 'adapter_config.json'));
    await assert.rejects(loadLoraAdapter(noConfig, model.config), refusal(/adapter_config\.json does not exist/));
    const noWeights = await saved(model, adapter);
    await fs.rm(join(noWeights, 'adapter_model.safetensors'));
    await assert.rejects(loadLoraAdapter(noWeights, model.config), refusal(/adapter_model\.safetensors does not exist/));

    const cases: [string, (c: Record<string, unknown>) => void, RegExp][] = [
      ['IA3', (c) => (c.peft_type = 'IA3'), /peft_type is "IA3", but only "LORA"/],
      ['DoRA', (c) => (c.use_dora = true), /sets use_dora \(DoRA\), which is not supported/],
      ['rsLoRA', (c) => (c.use_rslora = true), /use_rslora/],
      ['rank_pattern', (c) => (c.rank_pattern = { q_proj: 8 }), /rank_pattern/],
      ['modules_to_save', (c) => (c.modules_to_save = ['score']), /modules_to_save/],
      ['bias', (c) => (c.bias = 'lora_only'), /adapter_config\.json: LoRA bias "lora_only" is not supported/],
      ['task', (c) => (c.task_type = 'SEQ_CLS'), /task_type is "SEQ_CLS", but the base model Qwen2ForCausalLM needs CAUSAL_LM/],
    ];
    for (const [, edit, pattern] of cases) {
      const folder = await saved(model, adapter);
      await editConfig(folder, edit);
      await assert.rejects(loadLoraAdapter(folder, model.config), refusal(pattern));
    }
  });

  test('an adapter saved with dropout loads for inference and merging but is refused for training', async () => {
    const model = await tinyModel('gpt2');
    const folder = await saved(model, adapterFor(model, { targetModules: ['c_attn'] }));
    await editConfig(folder, (c) => (c.lora_dropout = 0.05));
    const loaded = await loadLoraAdapter(folder, model.config);
    assert.equal(loaded.config.dropout, 0.05);
    assert.doesNotThrow(() => loraProjections(loaded, { trainable: false }));
    assert.throws(() => loraProjections(loaded), /dropout 0\.05 cannot be trained: dropout would need randomness inside the graph/);
  });
});
