// Chat templates and example token ids, as TRL builds them for conversational and plain-text data.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, ModelFormatError } from '../../../src/qrpo/errors';
import { ChatTemplateError, chatTemplateOf, encodePrompt, encodePromptAndCompletion, truncateExample } from '../../../src/qrpo/model/chatTemplate';
import { loadTokenizer, type TextTokenizer } from '../../../src/qrpo/model/tokenizer';
import { temporaryFolder } from '../../fixtures/models/temporaryFolder';
import { writeTinyGpt2, writeTinyLlama } from '../../fixtures/models/tinyModels';

const root = temporaryFolder('qrpo-chat-');
let folders = 0;
const fresh = () => join(root, `m${folders++}`);
const question = [{ role: 'user', content: 'What is a quantile reward?' }];
const answer = [{ role: 'assistant', content: 'The fraction of reference rewards it beats.' }];

async function tokenizerOf(variant: 'gpt2' | 'llama' | 'qwen2'): Promise<TextTokenizer> {
  const dir = fresh();
  if (variant === 'gpt2') await writeTinyGpt2(dir, { seed: 1 });
  else await writeTinyLlama(dir, { seed: 1, variant });
  return loadTokenizer(dir);
}

describe('ChatTemplate', () => {
  test('renders tokenizer_config.json\'s template with messages, the generation prompt and BOS', async () => {
    const template = chatTemplateOf(await tokenizerOf('llama'))!;
    assert.equal(template.render(question, { addGenerationPrompt: true }), '<|begin_of_text|><|im_start|>user\nWhat is a quantile reward?<|im_end|>\n<|im_start|>assistant\n');
    assert.equal(template.render([...question, ...answer]).endsWith('beats.<|im_end|>\n'), true);
  });

  test('eos_token is available to the template (GPT-2 style transcript)', async () => {
    const template = chatTemplateOf(await tokenizerOf('gpt2'))!;
    assert.equal(template.render([...question, ...answer]), 'user: What is a quantile reward?\nassistant: The fraction of reference rewards it beats.<|endoftext|>\n');
  });

  test('a list of named templates picks "default"; a missing name lists the ones there are', async () => {
    const tokenizer = await tokenizerOf('qwen2');
    const file = join(tokenizer.folder, 'tokenizer_config.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    config.chat_template = [{ name: 'tool_use', template: 'TOOLS' }, { name: 'default', template: '{{ messages[0].content }}' }];
    writeFileSync(file, JSON.stringify(config));
    const reloaded = await loadTokenizer(tokenizer.folder);
    assert.equal(chatTemplateOf(reloaded)!.render(question), 'What is a quantile reward?');
    assert.equal(chatTemplateOf(reloaded, 'tool_use')!.render(question), 'TOOLS');
    assert.throws(() => chatTemplateOf(reloaded, 'rag'), (e: unknown) => e instanceof ModelFormatError && /no chat template named 'rag'.*'tool_use', 'default'/.test(e.message));
  });

  test('chat_template.jinja beside the config wins over tokenizer_config.json', async () => {
    const tokenizer = await tokenizerOf('qwen2');
    writeFileSync(join(tokenizer.folder, 'chat_template.jinja'), '{% for m in messages %}[{{ m.role }}]{% endfor %}');
    assert.equal(chatTemplateOf(await loadTokenizer(tokenizer.folder))!.render(question), '[user]');
  });

  test('raise_exception in a template becomes a ChatTemplateError with the template\'s words', async () => {
    const tokenizer = await tokenizerOf('qwen2');
    writeFileSync(join(tokenizer.folder, 'chat_template.jinja'), "{% if messages[0].role != 'system' %}{{ raise_exception('Conversation must start with a system message') }}{% endif %}");
    const template = chatTemplateOf(await loadTokenizer(tokenizer.folder))!;
    assert.throws(() => template.render(question), (e: unknown) => e instanceof ChatTemplateError && /rejects this conversation: Conversation must start with a system message/.test(e.message));
  });

  test('a model without a template has none, and conversational prompts say so', async () => {
    const tokenizer = await tokenizerOf('gpt2');
    const file = join(tokenizer.folder, 'tokenizer_config.json');
    const config = JSON.parse(readFileSync(file, 'utf8'));
    delete config.chat_template;
    writeFileSync(file, JSON.stringify(config));
    const base = await loadTokenizer(tokenizer.folder);
    assert.equal(chatTemplateOf(base), undefined);
    assert.throws(() => encodePrompt(base, undefined, question), (e: unknown) => e instanceof ConfigError && /has no chat template/.test(e.message));
  });
});

describe('encodePromptAndCompletion', () => {
  test('conversations: prompt = rendered with the generation prompt, completion = the rest of the conversation\'s tokens', async () => {
    const tokenizer = await tokenizerOf('qwen2');
    const template = chatTemplateOf(tokenizer);
    const { promptIds, completionIds } = encodePromptAndCompletion(tokenizer, template, question, answer);
    const conversation = tokenizer.encode(template!.render([...question, ...answer]), { addSpecialTokens: false });
    assert.deepEqual([...promptIds, ...completionIds], conversation);
    assert.deepEqual(promptIds, encodePrompt(tokenizer, template, question));
    assert.equal(tokenizer.decode(completionIds), 'The fraction of reference rewards it beats.<|im_end|>\n');
  });

  test('the template writes BOS once; tokenizing it adds no second one', async () => {
    const tokenizer = await tokenizerOf('llama');
    const { promptIds } = encodePromptAndCompletion(tokenizer, chatTemplateOf(tokenizer), question, answer);
    assert.equal(promptIds.filter((id) => id === tokenizer.bosTokenId).length, 1);
  });

  test('when BPE merges across the boundary, the completion text after the prompt is tokenized on its own (TRL)', async () => {
    // The GPT-2 transcript's generation prompt ends in "assistant: "; in the conversation that space merges with
    // the answer's first word (" the" is one token), so the prompt's tokens are not a prefix of the conversation's.
    const tokenizer = await tokenizerOf('gpt2');
    const template = chatTemplateOf(tokenizer)!;
    const reply = [{ role: 'assistant', content: 'the fraction it beats.' }];
    const promptText = template.render(question, { addGenerationPrompt: true });
    const conversation = tokenizer.encode(template.render([...question, ...reply]), { addSpecialTokens: false });
    const promptTokens = tokenizer.encode(promptText, { addSpecialTokens: false });
    assert.notDeepEqual(conversation.slice(0, promptTokens.length), promptTokens, 'the fixture shows the merge');
    const { promptIds, completionIds } = encodePromptAndCompletion(tokenizer, template, question, reply);
    assert.deepEqual(promptIds, promptTokens);
    assert.equal(tokenizer.decode(completionIds), 'the fraction it beats.<|endoftext|>\n');
  });

  test('a string completion of a conversational prompt is the assistant\'s reply', async () => {
    const tokenizer = await tokenizerOf('qwen2');
    const template = chatTemplateOf(tokenizer);
    assert.deepEqual(encodePromptAndCompletion(tokenizer, template, question, answer[0].content), encodePromptAndCompletion(tokenizer, template, question, answer));
  });

  test('plain strings: prompt with BOS where the tokenizer adds one, completion without it and ending in EOS', async () => {
    for (const variant of ['gpt2', 'llama'] as const) {
      const tokenizer = await tokenizerOf(variant);
      const { promptIds, completionIds } = encodePromptAndCompletion(tokenizer, chatTemplateOf(tokenizer), 'The policy', ' samples completions.');
      assert.deepEqual(promptIds, tokenizer.encode('The policy'), `${variant}: as the tokenizer encodes with special tokens`);
      assert.equal(promptIds[0] === tokenizer.bosTokenId, variant === 'llama');
      assert.deepEqual(completionIds, [...tokenizer.encode(' samples completions.', { addSpecialTokens: false }), tokenizer.eosTokenId]);
    }
  });
});

describe('truncateExample', () => {
  test('keeps the prompt\'s last tokens and the completion\'s first (qrpo.md §4)', () => {
    const example = { promptIds: [1, 2, 3, 4, 5], completionIds: [6, 7, 8, 9] };
    assert.deepEqual(truncateExample(example, { maxPromptLength: 2, maxCompletionLength: 3 }), { promptIds: [4, 5], completionIds: [6, 7, 8] });
    assert.deepEqual(truncateExample(example, {}), example);
    assert.deepEqual(truncateExample(example, { maxPromptLength: 0 }).promptIds, []);
    assert.throws(() => truncateExample(example, { maxPromptLength: -1 }), /maxPromptLength must be a non-negative integer, got -1/);
  });
});
