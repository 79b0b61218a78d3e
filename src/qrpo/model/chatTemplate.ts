// Chat templates and the token ids of (prompt, completion) examples, as TRL builds them. A conversation is rendered
// with the model's Jinja `chat_template` (@huggingface/jinja, with the variables transformers'
// apply_chat_template passes); a plain string is tokenized as it is.
import { Template } from '@huggingface/jinja';
import { join } from 'node:path';
import type { ChatMessage, Text } from '../data';
import { ConfigError, ModelFormatError } from '../errors';
import type { TextTokenizer } from './tokenizer';

export interface RenderOptions {
  /** End with the header of an assistant turn, so that the model writes the reply (prompts for generation). */
  readonly addGenerationPrompt?: boolean;
}

/** The template rejected the conversation through `raise_exception` (e.g. roles that do not alternate). */
export class ChatTemplateError extends ConfigError {}

export class ChatTemplate {
  private readonly template: Template;

  constructor(
    readonly source: string,
    /** Where the template came from, for error messages. */
    readonly file: string,
    private readonly specialTokens: Readonly<Record<string, string>> = {},
  ) {
    try {
      this.template = new Template(source);
    } catch (error) {
      throw new ModelFormatError(`the chat template in ${file} does not parse (${(error as Error).message})`);
    }
  }

  render(messages: readonly ChatMessage[], options: RenderOptions = {}): string {
    try {
      // @huggingface/jinja defines raise_exception itself (it throws the template's message), like transformers.
      return this.template.render({
        ...this.specialTokens,
        messages: messages.map((m) => ({ ...m })),
        add_generation_prompt: options.addGenerationPrompt ?? false,
      });
    } catch (error) {
      throw new ChatTemplateError(`the chat template in ${this.file} rejects this conversation: ${(error as Error).message}`);
    }
  }
}

/**
 * The tokenizer's chat template: chat_template.jinja or chat_template.json if present, else tokenizer_config.json's
 * `chat_template`, which is a string or a list of named templates (`name` picks one; transformers uses 'default').
 * Undefined when the model has none (base models).
 */
export function chatTemplateOf(tokenizer: TextTokenizer, name = 'default'): ChatTemplate | undefined {
  const { chatTemplateFile, tokenizerConfig, folder } = tokenizer.files;
  const { file, value } = chatTemplateFile ?? { file: join(folder, 'tokenizer_config.json'), value: tokenizerConfig.chat_template };
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return new ChatTemplate(value, file, tokenizer.specialTokens);
  if (Array.isArray(value)) {
    const named = value.filter((t): t is { name: string; template: string } => typeof t?.name === 'string' && typeof t?.template === 'string');
    const chosen = named.find((t) => t.name === name);
    if (!chosen) {
      throw new ModelFormatError(`${file} has no chat template named '${name}'`, `It has ${named.map((t) => `'${t.name}'`).join(', ') || 'none that are well formed'}`);
    }
    return new ChatTemplate(chosen.template, `${file} (template '${name}')`, tokenizer.specialTokens);
  }
  throw new ModelFormatError(`${file}: "chat_template" is neither a string nor a list of {name, template}`);
}

export interface EncodedExample {
  readonly promptIds: number[];
  readonly completionIds: number[];
}

/** A string turns into one message when the other side of the example is a conversation. */
function asMessages(text: Text, role: 'user' | 'assistant'): ChatMessage[] {
  return typeof text === 'string' ? [{ role, content: text }] : text;
}

function requireTemplate(tokenizer: TextTokenizer, template: ChatTemplate | undefined): ChatTemplate {
  if (template) return template;
  throw new ConfigError(
    `the model in ${tokenizer.folder} has no chat template, so conversational prompts cannot be rendered`,
    'Use plain-string prompts with a base model, or a model whose tokenizer_config.json has "chat_template"',
  );
}

/**
 * Prompt ids for generation. A conversation is rendered with add_generation_prompt and tokenized without special
 * tokens (the template writes BOS itself where the model wants one); a string gets BOS if the tokenizer adds one.
 */
export function encodePrompt(tokenizer: TextTokenizer, template: ChatTemplate | undefined, prompt: Text): number[] {
  if (typeof prompt !== 'string') {
    return tokenizer.encode(requireTemplate(tokenizer, template).render(prompt, { addGenerationPrompt: true }), { addSpecialTokens: false });
  }
  return withBos(tokenizer, tokenizer.encode(prompt, { addSpecialTokens: false }));
}

/**
 * Token ids of one example as TRL's DPO/QRPO data collation builds them.
 *
 * Conversational (either side is a message list; a string on the other side becomes a user or assistant message):
 * the prompt is rendered with add_generation_prompt=true and the whole conversation without it; where they diverge
 * (templates that write the generation header differently from a finished turn), the prompt is their common text
 * prefix, as TRL's maybe_apply_chat_template does. Completion ids are the conversation's tokens after the prompt's
 * tokens when the prompt's tokens are a prefix of the conversation's; when BPE merges across the boundary they are
 * not, and the completion text after the prompt text is tokenized on its own (TRL's way, always). The template's
 * end-of-turn token ends the completion; no EOS is appended.
 *
 * Plain strings: prompt ids with BOS if the tokenizer adds one, completion ids without special tokens followed by
 * EOS, as TRL's DPOTrainer.tokenize_row appends it (not twice when the text already ends with it).
 */
export function encodePromptAndCompletion(tokenizer: TextTokenizer, template: ChatTemplate | undefined, prompt: Text, completion: Text): EncodedExample {
  if (typeof prompt === 'string' && typeof completion === 'string') {
    const completionIds = tokenizer.encode(completion, { addSpecialTokens: false });
    const eos = tokenizer.eosTokenId;
    if (eos !== undefined && completionIds.at(-1) !== eos) completionIds.push(eos);
    return { promptIds: encodePrompt(tokenizer, template, prompt), completionIds };
  }
  const chat = requireTemplate(tokenizer, template);
  const promptMessages = asMessages(prompt, 'user');
  const generationPrompt = chat.render(promptMessages, { addGenerationPrompt: true });
  const conversation = chat.render([...promptMessages, ...asMessages(completion, 'assistant')]);
  const promptText = generationPrompt.slice(0, commonPrefixLength(generationPrompt, conversation));
  const promptIds = tokenizer.encode(promptText, { addSpecialTokens: false });
  const conversationIds = tokenizer.encode(conversation, { addSpecialTokens: false });
  if (startsWith(conversationIds, promptIds)) return { promptIds, completionIds: conversationIds.slice(promptIds.length) };
  return { promptIds, completionIds: tokenizer.encode(conversation.slice(promptText.length), { addSpecialTokens: false }) };
}

export interface TruncationLimits {
  readonly maxPromptLength?: number;
  readonly maxCompletionLength?: number;
}

/** qrpo.md §4: keep the prompt's last max_prompt_length tokens and the completion's first max_completion_length. */
export function truncateExample(example: EncodedExample, limits: TruncationLimits): EncodedExample {
  const { maxPromptLength, maxCompletionLength } = limits;
  for (const [name, value] of [['maxPromptLength', maxPromptLength], ['maxCompletionLength', maxCompletionLength]] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= 0)) throw new ConfigError(`${name} must be a non-negative integer, got ${value}`);
  }
  const { promptIds, completionIds } = example;
  return {
    promptIds: maxPromptLength === undefined || promptIds.length <= maxPromptLength ? promptIds : promptIds.slice(promptIds.length - maxPromptLength),
    completionIds: maxCompletionLength === undefined ? completionIds : completionIds.slice(0, maxCompletionLength),
  };
}

function withBos(tokenizer: TextTokenizer, ids: number[]): number[] {
  const bos = tokenizer.bosTokenId;
  return tokenizer.addsBos && bos !== undefined && ids[0] !== bos ? [bos, ...ids] : ids;
}

function commonPrefixLength(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

function startsWith(ids: readonly number[], prefix: readonly number[]): boolean {
  return prefix.length <= ids.length && prefix.every((id, i) => ids[i] === id);
}
