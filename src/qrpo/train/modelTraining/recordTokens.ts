// Dataset records to the token ids a model scores or trains on, one rule for `qrpo logprobs` and for training:
// TRL's tokenization (model/chatTemplate.ts), then its truncation (qrpo.md §4): the prompt's last
// max_prompt_length tokens, the completion's first max_completion_length, then the whole sequence to max_length
// (TRL's DPOConfig `truncation_mode`: keep_end, its default, drops tokens from the start; keep_start from the end).
// Ids the embedding has no row for, and GPT-2 sequences past its learned positions, are errors naming the record.
import { resolve } from 'node:path';
import type { PointwiseRecord } from '../../data';
import { ConfigError, DatasetError, ModelFormatError } from '../../errors';
import type { DecoderConfig } from '../../model/config';
import { type ChatTemplate, type EncodedExample, chatTemplateOf, encodePromptAndCompletion, truncateExample } from '../../model/chatTemplate';
import type { TextTokenizer } from '../../model/tokenizer';

export interface TokenLimits {
  readonly maxPromptLength?: number;
  readonly maxCompletionLength?: number;
  /** Prompt + completion tokens at most (TRL's max_length), applied after the two limits above. */
  readonly maxLength?: number;
  /** Which end of an over-long sequence survives max_length; default `keep_end` (TRL's DPOConfig default). */
  readonly truncationMode?: 'keep_end' | 'keep_start';
}

export interface RecordTokenizer {
  readonly tokenizer: TextTokenizer;
  readonly padTokenId: number;
  /** The record's prompt and completion ids, truncated and checked against the model. */
  encode(record: PointwiseRecord): EncodedExample;
}

/** A record → ids function for one model (its folder's config.json is named in errors) and one set of limits. */
export function recordTokenizer(tokenizer: TextTokenizer, config: DecoderConfig, limits: TokenLimits = {}, template: ChatTemplate | undefined = chatTemplateOf(tokenizer)): RecordTokenizer {
  if (limits.maxLength !== undefined && !(Number.isInteger(limits.maxLength) && limits.maxLength >= 1)) {
    throw new ConfigError(`max_length must be a positive integer, got ${limits.maxLength}`);
  }
  const encode = (record: PointwiseRecord): EncodedExample => {
    const example = truncateToLength(truncateExample(encodePromptAndCompletion(tokenizer, template, record.prompt, record.completion), limits), limits);
    const where = `${record.source.file} ${record.source.unit} ${record.source.line}`;
    const ids = [...example.promptIds, ...example.completionIds];
    const outOfRange = ids.find((id) => id >= config.vocabSize);
    if (outOfRange !== undefined) {
      throw new ModelFormatError(`${where} tokenizes to id ${outOfRange}, but ${resolve(tokenizer.folder, 'config.json')} has vocab_size ${config.vocabSize}`);
    }
    // GPT-2's learned positions stop at n_positions; RoPE models extrapolate but were not trained beyond it either.
    if (config.family === 'gpt2' && ids.length > config.maxPositions) {
      throw new DatasetError(`prompt + completion is ${ids.length} tokens, more than the model's ${config.maxPositions} positions`, record.source.file, record.source.line, undefined, {
        unit: record.source.unit,
        hint: 'Limit it with max_length (or max_prompt_length and max_completion_length)',
      });
    }
    return example;
  };
  return { tokenizer, padTokenId: tokenizer.padTokenId ?? 0, encode };
}

/** TRL's max_length cut of prompt + completion, by `truncationMode`. */
export function truncateToLength(example: EncodedExample, limits: Pick<TokenLimits, 'maxLength' | 'truncationMode'>): EncodedExample {
  const { maxLength } = limits;
  const { promptIds, completionIds } = example;
  if (maxLength === undefined || promptIds.length + completionIds.length <= maxLength) return example;
  if ((limits.truncationMode ?? 'keep_end') === 'keep_start') {
    const prompt = promptIds.slice(0, maxLength);
    return { promptIds: prompt, completionIds: completionIds.slice(0, maxLength - prompt.length) };
  }
  const completion = completionIds.slice(Math.max(0, completionIds.length - maxLength));
  return { promptIds: promptIds.slice(promptIds.length - (maxLength - completion.length)), completionIds: completion };
}
