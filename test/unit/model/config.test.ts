import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseDecoderConfig, readDecoderConfig, SUPPORTED_ARCHITECTURES } from '../../../src/qrpo/model/config';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';

const dir = temporaryFolder();

/** openai-community/gpt2's config.json, trimmed of fields the engine does not read. */
const gpt2 = {
  activation_function: 'gelu_new',
  architectures: ['GPT2LMHeadModel'],
  bos_token_id: 50256,
  eos_token_id: 50256,
  layer_norm_epsilon: 1e-5,
  model_type: 'gpt2',
  n_ctx: 1024,
  n_embd: 768,
  n_head: 12,
  n_layer: 12,
  n_positions: 1024,
  vocab_size: 50257,
};

/** Qwen/Qwen2.5-0.5B-Instruct's config.json, trimmed. */
const qwen2 = {
  architectures: ['Qwen2ForCausalLM'],
  bos_token_id: 151643,
  eos_token_id: 151645,
  hidden_act: 'silu',
  hidden_size: 896,
  intermediate_size: 4864,
  max_position_embeddings: 32768,
  model_type: 'qwen2',
  num_attention_heads: 14,
  num_hidden_layers: 24,
  num_key_value_heads: 2,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000.0,
  sliding_window: 32768,
  tie_word_embeddings: true,
  use_sliding_window: false,
  vocab_size: 151936,
};

/** meta-llama/Llama-3.2-1B's config.json, trimmed. */
const llama = {
  architectures: ['LlamaForCausalLM'],
  attention_bias: false,
  bos_token_id: 128000,
  eos_token_id: [128001, 128008, 128009],
  head_dim: 64,
  hidden_act: 'silu',
  hidden_size: 2048,
  intermediate_size: 8192,
  max_position_embeddings: 131072,
  mlp_bias: false,
  model_type: 'llama',
  num_attention_heads: 32,
  num_hidden_layers: 16,
  num_key_value_heads: 8,
  rms_norm_eps: 1e-5,
  rope_scaling: { factor: 32.0, high_freq_factor: 4.0, low_freq_factor: 1.0, original_max_position_embeddings: 8192, rope_type: 'llama3' },
  rope_theta: 500000.0,
  tie_word_embeddings: true,
  vocab_size: 128256,
};

/** mistralai/Mistral-7B-v0.1's config.json, trimmed. */
const mistral = {
  architectures: ['MistralForCausalLM'],
  bos_token_id: 1,
  eos_token_id: 2,
  hidden_act: 'silu',
  hidden_size: 4096,
  intermediate_size: 14336,
  max_position_embeddings: 32768,
  model_type: 'mistral',
  num_attention_heads: 32,
  num_hidden_layers: 32,
  num_key_value_heads: 8,
  rms_norm_eps: 1e-5,
  rope_theta: 10000.0,
  sliding_window: 4096,
  tie_word_embeddings: false,
  vocab_size: 32000,
};

const without = (json: Record<string, unknown>, ...keys: string[]) =>
  Object.fromEntries(Object.entries(json).filter(([key]) => !keys.includes(key)));

describe('config.json', () => {
  test('GPT-2: sizes, defaults for n_inner and tied embeddings, biases everywhere', () => {
    assert.deepEqual(parseDecoderConfig(gpt2), {
      family: 'gpt2',
      modelType: 'gpt2',
      architecture: 'GPT2LMHeadModel',
      head: 'causal-lm',
      hiddenSize: 768,
      numLayers: 12,
      numHeads: 12,
      numKeyValueHeads: 12,
      headDim: 64,
      intermediateSize: 3072,
      vocabSize: 50257,
      maxPositions: 1024,
      normEpsilon: 1e-5,
      activation: 'gelu_new',
      tieWordEmbeddings: true,
      attentionBias: true,
      attentionOutputBias: true,
      mlpBias: true,
      padTokenId: undefined,
      bosTokenId: 50256,
      eosTokenId: 50256,
    });
  });

  test('Qwen2: grouped KV heads, head_dim from hidden/heads, q/k/v biases always on, no output bias', () => {
    const config = parseDecoderConfig(qwen2);
    assert.equal(config.family, 'llama');
    assert.equal(config.modelType, 'qwen2');
    assert.equal(config.numKeyValueHeads, 2);
    assert.equal(config.headDim, 64);
    assert.equal(config.ropeTheta, 1000000);
    assert.equal(config.maxPositions, 32768);
    assert.equal(config.tieWordEmbeddings, true);
    assert.deepEqual([config.attentionBias, config.attentionOutputBias, config.mlpBias], [true, false, false]);
    assert.equal(config.activation, 'silu');
    assert.equal(config.ropeScaling, undefined);
  });

  test('Llama 3: explicit head_dim, eos list, rope_scaling passed through, no biases', () => {
    const config = parseDecoderConfig(llama);
    assert.equal(config.headDim, 64);
    assert.equal(config.numKeyValueHeads, 8);
    assert.deepEqual(config.eosTokenId, [128001, 128008, 128009]);
    assert.deepEqual(config.ropeScaling, llama.rope_scaling);
    assert.equal(config.ropeTheta, 500000);
    assert.equal(config.normEpsilon, 1e-5);
    assert.deepEqual([config.attentionBias, config.attentionOutputBias, config.mlpBias], [false, false, false]);
  });

  test('Llama with attention_bias has biases on q, k, v and o; mlp_bias on the MLP', () => {
    const config = parseDecoderConfig({ ...llama, attention_bias: true, mlp_bias: true });
    assert.deepEqual([config.attentionBias, config.attentionOutputBias, config.mlpBias], [true, true, true]);
  });

  test('Mistral: sliding_window ignored, untied head', () => {
    const config = parseDecoderConfig(mistral);
    assert.equal(config.modelType, 'mistral');
    assert.equal(config.headDim, 128);
    assert.equal(config.tieWordEmbeddings, false);
    assert.equal(config.attentionBias, false);
  });

  test('Llama-family defaults follow transformers: kv heads = heads, rope_theta 10000, eps 1e-6, untied', () => {
    const minimal = { architectures: ['LlamaForCausalLM'], hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4, vocab_size: 100 };
    const config = parseDecoderConfig(minimal);
    assert.deepEqual(
      [config.numKeyValueHeads, config.headDim, config.ropeTheta, config.normEpsilon, config.tieWordEmbeddings, config.maxPositions],
      [4, 16, 10000, 1e-6, false, 2048],
    );
    assert.equal(parseDecoderConfig({ ...minimal, architectures: ['Qwen2ForCausalLM'] }).maxPositions, 32768);
  });

  test('transformers 5 rope_parameters stand in for rope_theta and rope_scaling', () => {
    const config = parseDecoderConfig({ ...without(llama, 'rope_theta', 'rope_scaling'), rope_parameters: { rope_theta: 250000, rope_type: 'default' } });
    assert.equal(config.ropeTheta, 250000);
    assert.equal(config.ropeScaling, undefined);
  });

  test('sequence classification: num_labels from num_labels, else id2label, else 2; pad token kept', () => {
    const reward = { ...qwen2, architectures: ['Qwen2ForSequenceClassification'], id2label: { '0': 'LABEL_0' }, pad_token_id: 151643 };
    const config = parseDecoderConfig(reward);
    assert.deepEqual([config.head, config.numLabels, config.padTokenId], ['sequence-classification', 1, 151643]);
    assert.equal(parseDecoderConfig({ ...reward, num_labels: 3 }).numLabels, 3);
    assert.equal(parseDecoderConfig(without(reward, 'id2label')).numLabels, 2);
    const gpt2Reward = parseDecoderConfig({ ...gpt2, architectures: ['GPT2ForSequenceClassification'], id2label: { '0': 'LABEL_0' }, pad_token_id: 50256 });
    assert.deepEqual([gpt2Reward.family, gpt2Reward.head, gpt2Reward.numLabels], ['gpt2', 'sequence-classification', 1]);
    assert.equal(parseDecoderConfig(gpt2).numLabels, undefined);
  });

  test('model_type alone stands for the causal LM', () => {
    assert.equal(parseDecoderConfig(without(gpt2, 'architectures')).architecture, 'GPT2LMHeadModel');
  });

  test('an unsupported architecture names the file and lists the supported ones', () => {
    const supported =
      'GPT2LMHeadModel, GPT2ForSequenceClassification, LlamaForCausalLM, LlamaForSequenceClassification, ' +
      'Qwen2ForCausalLM, Qwen2ForSequenceClassification, MistralForCausalLM, MistralForSequenceClassification';
    assert.equal(SUPPORTED_ARCHITECTURES.join(', '), supported);
    assert.throws(() => parseDecoderConfig({ architectures: ['BertForMaskedLM'], model_type: 'bert' }), {
      name: 'ModelFormatError',
      message: `config.json names architecture "BertForMaskedLM", which the engine does not support (supported: ${supported})`,
    });
    assert.throws(() => parseDecoderConfig({ model_type: 'phi3' }), {
      message: `config.json has model_type "phi3", which the engine does not support (supported: ${supported})`,
    });
    assert.throws(() => parseDecoderConfig({ hidden_size: 8 }), {
      message: `config.json has neither "architectures" nor "model_type", so its architecture is unknown (supported: ${supported})`,
    });
  });

  test('a missing or malformed field is named', () => {
    assert.throws(() => parseDecoderConfig(without(gpt2, 'n_embd')), {
      name: 'ModelFormatError',
      message: 'config.json has no "n_embd", which GPT2LMHeadModel needs',
    });
    assert.throws(() => parseDecoderConfig(without(qwen2, 'intermediate_size')), {
      message: 'config.json has no "intermediate_size", which Qwen2ForCausalLM needs',
    });
    assert.throws(() => parseDecoderConfig({ ...gpt2, n_head: '12' }), { message: 'config.json: "n_head" is "12", not a positive integer' });
    assert.throws(() => parseDecoderConfig({ ...gpt2, n_head: 5 }), { message: 'config.json: "n_embd" (768) is not divisible by "n_head" (5)' });
    assert.throws(() => parseDecoderConfig({ ...qwen2, num_key_value_heads: 3 }), {
      message: 'config.json: "num_attention_heads" (14) is not divisible by "num_key_value_heads" (3)',
    });
    assert.throws(() => parseDecoderConfig({ ...gpt2, activation_function: 'relu6' }), {
      message: 'config.json: "activation_function" is "relu6", which the engine does not support (supported: gelu_new, gelu_pytorch_tanh, gelu, silu, swish, relu)',
    });
    assert.throws(() => parseDecoderConfig({ ...gpt2, scale_attn_by_inverse_layer_idx: true }), {
      message: 'config.json sets "scale_attn_by_inverse_layer_idx" to true, which the engine\'s GPT2LMHeadModel does not implement',
    });
    assert.throws(() => parseDecoderConfig({ ...gpt2, eos_token_id: [1, 'x'] }), {
      message: 'config.json: "eos_token_id" is [1,"x"], not a token id or a list of token ids',
    });
    assert.throws(() => parseDecoderConfig([gpt2]), { message: 'config.json is not a JSON object' });
  });

  test('readDecoderConfig names the file it read', async () => {
    const folder = join(dir, 'model');
    mkdirSync(folder, { recursive: true });
    await assert.rejects(readDecoderConfig(folder), {
      name: 'ModelFormatError',
      message: `${join(folder, 'config.json')} does not exist or cannot be read. A Hugging Face model folder holds config.json beside its weights`,
    });
    writeFileSync(join(folder, 'config.json'), JSON.stringify(without(mistral, 'hidden_size')));
    await assert.rejects(readDecoderConfig(folder), { message: `${join(folder, 'config.json')} has no "hidden_size", which MistralForCausalLM needs` });
    writeFileSync(join(folder, 'config.json'), JSON.stringify(mistral));
    assert.equal((await readDecoderConfig(folder)).hiddenSize, 4096);
  });
});
