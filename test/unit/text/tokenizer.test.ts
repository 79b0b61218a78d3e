// A model folder's tokenizer: encoding, special tokens resolved as transformers and TRL resolve them, and the
// checks that name the file at fault.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelFormatError } from '../../../src/qrpo/errors';
import { checkVocabulary, loadTokenizer } from '../../../src/qrpo/model/tokenizer';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';
import { writeTinyGpt2, writeTinyLlama } from '../../fixtures/models/tinyModels';

const root = temporaryFolder('qrpo-tokenizer-');
let folders = 0;
const fresh = () => join(root, `m${folders++}`);

function editJson(dir: string, file: string, edit: (json: Record<string, unknown>) => void): void {
  const json = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  edit(json);
  writeFileSync(join(dir, file), JSON.stringify(json));
}

describe('loadTokenizer', () => {
  test('GPT-2: encodes and decodes text, no BOS added, EOS = pad = <|endoftext|>', async () => {
    const model = await writeTinyGpt2(fresh(), { seed: 1 });
    const tokenizer = await loadTokenizer(model.dir);
    const eot = model.specialIds['<|endoftext|>'];
    const ids = tokenizer.encode('The reward model scores them.');
    assert.equal(tokenizer.decode(ids), 'The reward model scores them.');
    assert.deepEqual(tokenizer.encode('The reward', { addSpecialTokens: false }), tokenizer.encode('The reward'));
    assert.equal(tokenizer.addsBos, false);
    assert.deepEqual(tokenizer.eosTokenIds, [eot]);
    assert.equal(tokenizer.eosTokenId, eot);
    assert.equal(tokenizer.padTokenId, eot);
    assert.equal(tokenizer.vocabSize, model.tokenizerVocabSize);
    assert.equal(tokenizer.decode([...ids, eot], { skipSpecialTokens: true }), 'The reward model scores them.');
  });

  test('Llama 3 style: BOS added with special tokens only; every generation_config EOS id stops', async () => {
    const model = await writeTinyLlama(fresh(), { seed: 1, variant: 'llama' });
    const tokenizer = await loadTokenizer(model.dir);
    const bos = model.specialIds['<|begin_of_text|>'];
    assert.equal(tokenizer.bosTokenId, bos);
    assert.equal(tokenizer.addsBos, true);
    assert.equal(tokenizer.encode('hi')[0], bos);
    assert.notEqual(tokenizer.encode('hi', { addSpecialTokens: false })[0], bos);
    assert.deepEqual(tokenizer.eosTokenIds, [model.specialIds['<|im_end|>'], model.specialIds['<|endoftext|>']]);
    assert.equal(tokenizer.eosTokenId, model.specialIds['<|im_end|>'], "the tokenizer's own EOS is what TRL appends");
  });

  test('without generation_config.json, EOS comes from config.json, then from tokenizer_config.json', async () => {
    const model = await writeTinyLlama(fresh(), { seed: 1, variant: 'qwen2' });
    rmSync(join(model.dir, 'generation_config.json'));
    assert.deepEqual((await loadTokenizer(model.dir)).eosTokenIds, [model.specialIds['<|im_end|>']]);
    editJson(model.dir, 'config.json', (c) => (c.eos_token_id = model.specialIds['<|endoftext|>']));
    assert.deepEqual((await loadTokenizer(model.dir)).eosTokenIds, [model.specialIds['<|endoftext|>']]);
    rmSync(join(model.dir, 'config.json'));
    assert.deepEqual((await loadTokenizer(model.dir)).eosTokenIds, [model.specialIds['<|im_end|>']]);
  });

  test('special tokens may be AddedToken objects or live in special_tokens_map.json; pad falls back to EOS', async () => {
    const model = await writeTinyGpt2(fresh(), { seed: 1 });
    editJson(model.dir, 'tokenizer_config.json', (c) => {
      c.eos_token = { content: '<|endoftext|>', lstrip: false, normalized: true, rstrip: false, single_word: false, __type: 'AddedToken' };
      delete c.pad_token;
      delete c.bos_token;
    });
    writeFileSync(join(model.dir, 'special_tokens_map.json'), JSON.stringify({ bos_token: '<|endoftext|>' }));
    rmSync(join(model.dir, 'generation_config.json'));
    const tokenizer = await loadTokenizer(model.dir);
    assert.equal(tokenizer.eosToken, '<|endoftext|>');
    assert.equal(tokenizer.bosToken, '<|endoftext|>');
    assert.equal(tokenizer.padTokenId, model.specialIds['<|endoftext|>']);
  });

  test('a missing or broken tokenizer file is a ModelFormatError naming it', async () => {
    const model = await writeTinyGpt2(fresh(), { seed: 1 });
    writeFileSync(join(model.dir, 'tokenizer_config.json'), '{"eos_token": ');
    await assert.rejects(loadTokenizer(model.dir), (e: unknown) => e instanceof ModelFormatError && /tokenizer_config\.json is not valid JSON/.test(e.message));
    rmSync(join(model.dir, 'tokenizer.json'));
    await assert.rejects(loadTokenizer(model.dir), (e: unknown) => e instanceof ModelFormatError && /tokenizer\.json does not exist/.test(e.message));
  });

  test('an EOS token the vocabulary lacks, or a malformed eos_token_id, is named with its file', async () => {
    const model = await writeTinyGpt2(fresh(), { seed: 1 });
    editJson(model.dir, 'generation_config.json', (c) => (c.eos_token_id = ['x']));
    await assert.rejects(loadTokenizer(model.dir), /generation_config\.json: "eos_token_id" is \["x"\], not a token id or a list of token ids/);
    editJson(model.dir, 'tokenizer_config.json', (c) => (c.eos_token = '</s>'));
    await assert.rejects(loadTokenizer(model.dir), /tokenizer_config\.json names eos_token "<\/s>", which .*tokenizer\.json does not contain/);
  });
});

describe('checkVocabulary', () => {
  test('an embedding padded beyond the tokenizer is fine (Qwen2 pads 151665 tokens to 151936 rows)', async () => {
    const model = await writeTinyLlama(fresh(), { seed: 1, variant: 'qwen2' });
    const tokenizer = await loadTokenizer(model.dir);
    assert.ok((model.config.vocab_size as number) > tokenizer.vocabSize);
    checkVocabulary(tokenizer, { vocabSize: model.config.vocab_size as number });
  });

  test('a token id the embedding has no row for is an error naming both files', async () => {
    const model = await writeTinyGpt2(fresh(), { seed: 1 });
    const tokenizer = await loadTokenizer(model.dir);
    assert.throws(
      () => checkVocabulary(tokenizer, { vocabSize: tokenizer.vocabSize - 1 }),
      (e: unknown) =>
        e instanceof ModelFormatError &&
        e.message.includes(`tokenizer.json has token ids up to ${tokenizer.vocabSize - 1}`) &&
        e.message.includes(`config.json has vocab_size ${tokenizer.vocabSize - 1}`),
    );
  });
});
