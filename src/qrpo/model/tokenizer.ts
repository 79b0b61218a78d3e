// A model folder's tokenizer as the engine uses it: encode and decode through @huggingface/tokenizers, plus the
// special tokens generation and training need (EOS ids to stop on, BOS, the pad id), resolved the way
// transformers and TRL resolve them. Files are read by tokenizerFiles.ts.
import { Tokenizer } from '@huggingface/tokenizers';
import { join } from 'node:path';
import { ModelFormatError } from '../errors';
import type { DecoderConfig } from './config';
import { readTokenizerFiles, type TokenizerFiles } from './tokenizerFiles';

export interface EncodeOptions {
  /** Let the tokenizer's post-processor add its special tokens (Llama 3's BOS). Default true, as in transformers. */
  readonly addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  /** Drop special tokens (EOS, chat markers) from the text. Default false, as in transformers. */
  readonly skipSpecialTokens?: boolean;
}

export class TextTokenizer {
  /** Ids `generate` stops on: generation_config.json's eos_token_id (one id or a list), else config.json's, else the tokenizer's EOS. */
  readonly eosTokenIds: readonly number[];
  /** The tokenizer's own EOS (tokenizer.eos_token_id in transformers): what TRL appends to a completion. */
  readonly eosTokenId: number | undefined;
  readonly eosToken: string | undefined;
  readonly bosTokenId: number | undefined;
  readonly bosToken: string | undefined;
  /** The pad token, else generation_config's pad_token_id, else EOS (TRL sets `pad_token = eos_token` when unset). */
  readonly padTokenId: number | undefined;
  /** Largest token id + 1, added tokens included (`len(tokenizer)`); the model's embedding needs at least as many rows. */
  readonly vocabSize: number;
  /** Whether encoding with special tokens puts BOS first (Llama 3, Gemma; not GPT-2 or Qwen2). */
  readonly addsBos: boolean;
  /** Special token strings by role (bos_token, eos_token, pad_token, unk_token), for chat templates. */
  readonly specialTokens: Readonly<Record<string, string>>;

  constructor(
    private readonly tokenizer: Tokenizer,
    readonly files: TokenizerFiles,
  ) {
    const config = files.tokenizerConfig;
    const map = files.specialTokensMap ?? {};
    const special: Record<string, string> = {};
    for (const role of ['bos_token', 'eos_token', 'pad_token', 'unk_token']) {
      const content = tokenContent(config[role]) ?? tokenContent(map[role]);
      if (content !== undefined) special[role] = content;
    }
    this.specialTokens = special;
    this.eosToken = special.eos_token;
    this.bosToken = special.bos_token;
    this.eosTokenId = this.specialTokenId('eos_token');
    this.bosTokenId = this.specialTokenId('bos_token');
    this.eosTokenIds = this.stopIds();
    this.padTokenId = this.specialTokenId('pad_token') ?? idField(files.generationConfig, 'pad_token_id') ?? this.eosTokenId ?? this.eosTokenIds[0];
    this.vocabSize = Math.max(-1, ...tokenizer.get_vocab(true).values()) + 1;
    const probe = tokenizer.encode('a', { add_special_tokens: true }).ids;
    this.addsBos = this.bosTokenId !== undefined && probe[0] === this.bosTokenId;
  }

  get folder(): string {
    return this.files.folder;
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: options.addSpecialTokens ?? true }).ids;
  }

  decode(ids: ArrayLike<number>, options: DecodeOptions = {}): string {
    if (ids.length === 0) return ''; // @huggingface/tokenizers rejects an empty list
    return this.tokenizer.decode(Array.from(ids), { skip_special_tokens: options.skipSpecialTokens ?? false, clean_up_tokenization_spaces: false });
  }

  tokenToId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.tokenizer.id_to_token(id);
  }

  /** Ids of tokens marked special (added tokens with `special: true`). */
  get specialIds(): number[] {
    return [...this.tokenizer.get_added_tokens_decoder()].filter(([, token]) => token.special).map(([id]) => id);
  }

  private specialTokenId(role: string): number | undefined {
    const content = this.specialTokens[role];
    if (content === undefined) return undefined;
    const id = this.tokenizer.token_to_id(content);
    if (id === undefined) {
      throw new ModelFormatError(
        `${join(this.folder, 'tokenizer_config.json')} names ${role} ${JSON.stringify(content)}, which ${join(this.folder, 'tokenizer.json')} does not contain`,
      );
    }
    return id;
  }

  private stopIds(): number[] {
    const fromGeneration = idList(this.files.generationConfig, 'eos_token_id', join(this.folder, 'generation_config.json'));
    if (fromGeneration) return fromGeneration;
    const fromModel = idList(this.files.modelConfig, 'eos_token_id', join(this.folder, 'config.json'));
    if (fromModel) return fromModel;
    return this.eosTokenId === undefined ? [] : [this.eosTokenId];
  }
}

/** Reads a model folder's tokenizer; ModelFormatError names the file that is missing or wrong. */
export async function loadTokenizer(folder: string): Promise<TextTokenizer> {
  const files = await readTokenizerFiles(folder);
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(files.tokenizerJson, files.tokenizerConfig);
  } catch (error) {
    throw new ModelFormatError(`${join(folder, 'tokenizer.json')} is not a tokenizer @huggingface/tokenizers can load (${(error as Error).message})`);
  }
  return new TextTokenizer(tokenizer, files);
}

/**
 * A tokenizer id the embedding cannot look up is an error; an embedding larger than the tokenizer is fine (Qwen2
 * pads 151665 tokens to 151936 rows).
 */
export function checkVocabulary(tokenizer: TextTokenizer, config: Pick<DecoderConfig, 'vocabSize'>): void {
  if (tokenizer.vocabSize > config.vocabSize) {
    throw new ModelFormatError(
      `${join(tokenizer.folder, 'tokenizer.json')} has token ids up to ${tokenizer.vocabSize - 1}, but ${join(tokenizer.folder, 'config.json')} ` +
        `has vocab_size ${config.vocabSize}, so the embedding has no row for ids ≥ ${config.vocabSize}`,
      'The tokenizer and the weights come from different models, or tokens were added without resize_token_embeddings',
    );
  }
}

/** tokenizer_config.json writes a special token as a string or as an AddedToken object `{content, …}`. */
function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

function idField(json: Record<string, unknown> | undefined, key: string): number | undefined {
  const value = json?.[key];
  return Number.isInteger(value) && (value as number) >= 0 ? (value as number) : undefined;
}

function idList(json: Record<string, unknown> | undefined, key: string, file: string): number[] | undefined {
  const value = json?.[key];
  if (value === undefined || value === null) return undefined;
  const ids = Array.isArray(value) ? value : [value];
  if (!ids.every((id) => Number.isInteger(id) && id >= 0)) {
    throw new ModelFormatError(`${file}: "${key}" is ${JSON.stringify(value)}, not a token id or a list of token ids`);
  }
  return ids as number[];
}
