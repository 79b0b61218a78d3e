// LoRA configuration and target matching with PEFT's semantics: list entries match a module whose full HF name
// equals them or ends with `.entry`, a string is a full-match regular expression, 'all-linear' is every projection
// but the head; mistakes (unmatched names, the head, dropout, bias) are refused with messages that say why.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError } from '../../../src/qrpo/errors';
import { initLoraAdapter, loraConfig, loraProjections, loraScaling, loraTargets } from '../../../src/qrpo/model/lora';
import { tinyModel } from '../families/familyFixtures';

const modules = (targets: { peftModule: string }[]) => targets.map((t) => t.peftModule);

describe('LoRA config and target modules', () => {
  test('list entries match by full name or by a ".name" suffix, as PEFT check_target_module_exists does', async () => {
    const llama = (await tinyModel('llama')).config;
    const gpt2 = (await tinyModel('gpt2')).config;
    assert.deepEqual(modules(loraTargets(llama, { targetModules: ['q_proj', 'v_proj'] })), [
      'model.layers.0.self_attn.q_proj',
      'model.layers.0.self_attn.v_proj',
      'model.layers.1.self_attn.q_proj',
      'model.layers.1.self_attn.v_proj',
    ]);
    assert.deepEqual(modules(loraTargets(gpt2, { targetModules: ['c_attn'] })), ['transformer.h.0.attn.c_attn', 'transformer.h.1.attn.c_attn']);
    assert.deepEqual(modules(loraTargets(gpt2, { targetModules: ['c_proj'] })), [
      'transformer.h.0.attn.c_proj',
      'transformer.h.0.mlp.c_proj',
      'transformer.h.1.attn.c_proj',
      'transformer.h.1.mlp.c_proj',
    ]);
    assert.deepEqual(modules(loraTargets(gpt2, { targetModules: ['mlp.c_proj', 'transformer.h.0.attn.c_attn'] })), [
      'transformer.h.0.attn.c_attn',
      'transformer.h.0.mlp.c_proj',
      'transformer.h.1.mlp.c_proj',
    ]);
    // "proj" alone is not a suffix after a dot of "q_proj": PEFT would not match it either.
    assert.throws(() => loraTargets(llama, { targetModules: ['proj'] }), /"proj" match no projection of LlamaForCausalLM/);
  });

  test('shapes: GPT-2 Conv1D is in-out, Llama Linear out-in; in/out features come from the layout', async () => {
    const gpt2 = (await tinyModel('gpt2')).config;
    const llama = (await tinyModel('llama')).config;
    const [cAttn] = loraTargets(gpt2, { targetModules: ['c_attn'] });
    assert.deepEqual(cAttn, { module: 'h.0.attn.c_attn', peftModule: 'transformer.h.0.attn.c_attn', inFeatures: 32, outFeatures: 96, layout: 'in-out' });
    const [, vProj] = loraTargets(llama, { targetModules: ['q_proj', 'v_proj'] });
    assert.deepEqual(vProj, { module: 'layers.0.self_attn.v_proj', peftModule: 'model.layers.0.self_attn.v_proj', inFeatures: 32, outFeatures: 16, layout: 'out-in' });
  });

  test("'all-linear' takes every projection but the head; a string is a full-match regular expression", async () => {
    const gpt2 = (await tinyModel('gpt2')).config;
    const llama = (await tinyModel('llama-reward')).config;
    assert.equal(loraTargets(gpt2, { targetModules: 'all-linear' }).length, 8);
    assert.equal(loraTargets(llama, { targetModules: 'ALL-LINEAR' }).length, 14);
    assert.deepEqual(modules(loraTargets(llama, { targetModules: String.raw`.*\.1\.self_attn\.(q|k)_proj` })), [
      'model.layers.1.self_attn.q_proj',
      'model.layers.1.self_attn.k_proj',
    ]);
    assert.throws(() => loraTargets(llama, { targetModules: 'q_proj' }), /"q_proj" match no projection/, 'a regex must match the whole name');
  });

  test('the output head and unknown names are refused, naming what exists', async () => {
    const gpt2 = (await tinyModel('gpt2')).config;
    const reward = (await tinyModel('qwen2-reward')).config;
    assert.throws(() => loraTargets(gpt2, { targetModules: ['c_attn', 'lm_head'] }), (e: Error) => e instanceof ConfigError && /output head "lm_head"/.test(e.message));
    assert.throws(() => loraTargets(reward, { targetModules: ['score'] }), /output head "score"/);
    assert.throws(
      () => loraTargets(gpt2, { targetModules: ['c_attn', 'q_proj'] }),
      (e: Error) => e instanceof ConfigError && /"q_proj" match no projection of GPT2LMHeadModel/.test(e.message) && /attn\.c_attn, attn\.c_proj, mlp\.c_fc, mlp\.c_proj/.test(e.message),
    );
  });

  test('dropout other than 0 is refused for training because the graph has no randomness; bias must be none', async () => {
    assert.throws(() => loraConfig({ r: 8, alpha: 16, dropout: 0.05, targetModules: ['q_proj'] }), (e: Error) => e instanceof ConfigError && /dropout 0\.05.*randomness inside the graph/.test(e.message));
    assert.throws(() => loraConfig({ r: 8, alpha: 16, targetModules: ['q_proj'], bias: 'all' }), /bias "all" is not supported/);
    assert.throws(() => loraConfig({ r: 0, alpha: 16, targetModules: ['q_proj'] }), /rank r must be a positive integer/);
    assert.throws(() => loraConfig({ r: 8, alpha: 16, targetModules: [] }), /non-empty list/);
    const config = loraConfig({ r: 8, alpha: 16, targetModules: ['q_proj'] });
    assert.deepEqual(config, { r: 8, alpha: 16, dropout: 0, targetModules: ['q_proj'], bias: 'none' });
    assert.equal(loraScaling(config), 2);
    // An adapter read from disk may carry a dropout (it is the identity at inference); training it is refused.
    const llama = (await tinyModel('llama')).config;
    const adapter = { ...initLoraAdapter(llama, config, 1), config: { ...config, dropout: 0.1 } };
    assert.doesNotThrow(() => loraProjections(adapter, { trainable: false }));
    assert.throws(() => loraProjections(adapter), /dropout 0\.1 cannot be trained/);
  });

  test('initialisation follows PEFT: A uniform within ±1/√in_features (kaiming_uniform_, a=√5), B zero, seeded', async () => {
    const llama = (await tinyModel('llama')).config;
    const config = loraConfig({ r: 8, alpha: 16, targetModules: ['q_proj', 'down_proj'] });
    const adapter = initLoraAdapter(llama, config, 42);
    const again = initLoraAdapter(llama, config, 42);
    const other = initLoraAdapter(llama, config, 43);
    const a = adapter.weights.get('layers.0.mlp.down_proj.lora_A.weight')!;
    assert.deepEqual(a.shape, [8, 64]);
    const bound = 1 / Math.sqrt(64);
    assert.ok(a.data.every((v) => Math.abs(v) <= bound));
    assert.ok(Math.max(...a.data.map(Math.abs)) > 0.9 * bound, 'draws fill the range');
    const mean = a.data.reduce((s, v) => s + v, 0) / a.data.length;
    const variance = a.data.reduce((s, v) => s + v * v, 0) / a.data.length - mean * mean;
    assert.ok(Math.abs(variance / (bound * bound / 3) - 1) < 0.2, `variance ${variance} vs uniform ${(bound * bound) / 3}`);
    assert.deepEqual(adapter.weights.get('layers.0.mlp.down_proj.lora_B.weight')!.shape, [32, 8]);
    for (const [name, value] of adapter.weights) if (name.endsWith('lora_B.weight')) assert.ok(value.data.every((v) => v === 0), name);
    assert.deepEqual(again.weights.get('layers.1.self_attn.q_proj.lora_A.weight'), adapter.weights.get('layers.1.self_attn.q_proj.lora_A.weight'));
    assert.notDeepEqual(other.weights.get('layers.1.self_attn.q_proj.lora_A.weight'), adapter.weights.get('layers.1.self_attn.q_proj.lora_A.weight'));
  });
});
