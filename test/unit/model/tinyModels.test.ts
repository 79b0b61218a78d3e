import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readDecoderConfig } from '../../../src/qrpo/model/config';
import { decoderParameters } from '../../../src/qrpo/model/decoderParameters';
import { openModelWeights } from '../../../src/qrpo/model/shardedSafetensors';
import { resolveWeights } from '../../../src/qrpo/model/weights';
import { byteLevelAlphabet } from '../../fixtures/models/byteLevelBpe';
import { writeTinyGpt2, writeTinyLlama } from '../../fixtures/models/tinyModels';
import type { TinyModel } from '../../fixtures/models/tinyModels';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';

const dir = temporaryFolder();

/** Loads a fixture folder through the engine's readers and checks every parameter equals what was written. */
async function assertLoadsAsWritten(model: TinyModel): Promise<void> {
  const config = await readDecoderConfig(model.dir);
  const resolved = resolveWeights(await openModelWeights(model.dir), config, { tokenizerVocabSize: model.tokenizerVocabSize });
  const weights = await resolved.load();
  assert.equal(weights.size, decoderParameters(config).length);
  for (const [name, parameter] of resolved.parameters) {
    const written = model.tensors.get(parameter.stored.name);
    assert.ok(written, `fixture wrote ${parameter.stored.name}`);
    assert.deepEqual(weights.get(name)!.data, written.data, name);
  }
}

describe('tiny model fixtures', () => {
  test('GPT-2: folder files, config sizes, weights load as written', async () => {
    const started = performance.now();
    const model = await writeTinyGpt2(join(dir, 'gpt2'), { seed: 1 });
    assert.ok(performance.now() - started < 1000);
    assert.deepEqual(readdirSync(model.dir).sort(), ['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    const config = await readDecoderConfig(model.dir);
    assert.deepEqual([config.architecture, config.hiddenSize, config.numLayers, config.numHeads, config.maxPositions], ['GPT2LMHeadModel', 32, 2, 4, 64]);
    assert.equal(config.vocabSize, model.tokenizerVocabSize);
    assert.equal(config.eosTokenId, model.specialIds['<|endoftext|>']);
    await assertLoadsAsWritten(model);
  });

  for (const variant of ['llama', 'qwen2', 'mistral'] as const) {
    test(`${variant}: GQA config, padded embedding, weights load as written`, async () => {
      const model = await writeTinyLlama(join(dir, variant), { seed: 2, variant });
      const config = await readDecoderConfig(model.dir);
      assert.deepEqual([config.modelType, config.numHeads, config.numKeyValueHeads, config.headDim], [variant, 4, 2, 8]);
      assert.ok(config.vocabSize > model.tokenizerVocabSize && config.vocabSize % 32 === 0);
      assert.equal(config.tieWordEmbeddings, variant === 'qwen2');
      await assertLoadsAsWritten(model);
    });
  }

  test('reward models, half-precision dtypes and shards load through the same readers', async () => {
    for (const [name, write] of [
      ['gpt2-reward', () => writeTinyGpt2(join(dir, 'gpt2-reward'), { seed: 3, head: 'sequence-classification' })],
      ['qwen2-reward-bf16', () => writeTinyLlama(join(dir, 'qwen2-reward'), { seed: 3, variant: 'qwen2', head: 'sequence-classification', dtype: 'BF16' })],
      ['llama-f16-sharded', () => writeTinyLlama(join(dir, 'llama-sharded'), { seed: 3, variant: 'llama', dtype: 'F16', shards: 3 })],
    ] as const) {
      const model = await write();
      await assertLoadsAsWritten(model);
      if (name.includes('reward')) assert.equal((await readDecoderConfig(model.dir)).numLabels, 1, name);
    }
    assert.deepEqual(readdirSync(join(dir, 'llama-sharded')).filter((f) => f.includes('safetensors')).sort(), [
      'model-00001-of-00003.safetensors',
      'model-00002-of-00003.safetensors',
      'model-00003-of-00003.safetensors',
      'model.safetensors.index.json',
    ]);
  });

  test('the same seed writes the same weights; another seed does not', async () => {
    const a = await writeTinyGpt2(join(dir, 'seed-a'), { seed: 7 });
    const b = await writeTinyGpt2(join(dir, 'seed-b'), { seed: 7 });
    const c = await writeTinyGpt2(join(dir, 'seed-c'), { seed: 8 });
    assert.deepEqual(readFileSync(join(a.dir, 'model.safetensors')), readFileSync(join(b.dir, 'model.safetensors')));
    assert.notDeepEqual(a.tensors.get('wte.weight')!.data, c.tensors.get('wte.weight')!.data);
    const norm = a.tensors.get('h.0.ln_1.weight')!.data;
    assert.ok(norm.every((v) => Math.abs(v - 1) < 0.1));
  });

  test('tokenizer.json is a consistent byte-level BPE in Hugging Face format', async () => {
    const model = await writeTinyLlama(join(dir, 'tokenizer'), { seed: 4, variant: 'llama' });
    const tokenizer = JSON.parse(readFileSync(join(model.dir, 'tokenizer.json'), 'utf8'));
    for (const key of ['version', 'added_tokens', 'normalizer', 'pre_tokenizer', 'post_processor', 'decoder', 'model']) assert.ok(key in tokenizer, key);
    assert.equal(tokenizer.model.type, 'BPE');
    assert.equal(tokenizer.pre_tokenizer.type, 'ByteLevel');
    assert.equal(tokenizer.decoder.type, 'ByteLevel');
    const vocab: Record<string, number> = tokenizer.model.vocab;
    // Ids 0–255 are the byte symbols in GPT-2's order; every merge joins two known tokens into the next new id.
    byteLevelAlphabet().forEach(({ symbol }, id) => assert.equal(vocab[symbol], id));
    assert.deepEqual([vocab['!'], vocab['Ġ'], vocab['Ċ']], [0, 220, 198]); // as in GPT-2's vocab.json: '!', space, newline
    (tokenizer.model.merges as [string, string][]).forEach(([left, right], i) => {
      assert.ok(left in vocab && right in vocab, `merge ${i} joins known tokens`);
      assert.equal(vocab[left + right], 256 + i);
    });
    assert.ok(tokenizer.model.merges.length >= 20);
    const added = tokenizer.added_tokens.map((t: { id: number; content: string }) => [t.content, t.id]);
    assert.deepEqual(Object.fromEntries(added), model.specialIds);
    assert.equal(Math.max(...Object.values(vocab), ...Object.values(model.specialIds)) + 1, model.tokenizerVocabSize);

    const tokenizerConfig = JSON.parse(readFileSync(join(model.dir, 'tokenizer_config.json'), 'utf8'));
    assert.equal(tokenizerConfig.eos_token, '<|im_end|>');
    assert.equal(tokenizerConfig.bos_token, '<|begin_of_text|>');
    assert.match(tokenizerConfig.chat_template, /<\|im_start\|>/);
    assert.deepEqual(tokenizerConfig.added_tokens_decoder[String(model.specialIds['<|im_end|>'])].content, '<|im_end|>');
    const generation = JSON.parse(readFileSync(join(model.dir, 'generation_config.json'), 'utf8'));
    assert.deepEqual(generation.eos_token_id, [model.specialIds['<|im_end|>'], model.specialIds['<|endoftext|>']]);
  });
});
