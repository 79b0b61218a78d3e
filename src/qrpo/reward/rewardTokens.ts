// The token ids a reward model scores for one (prompt, completion): the conversation rendered with the reward
// model's own chat template and tokenized without special tokens, as transformers' apply_chat_template(tokenize=True)
// does and as reward models (Skywork, ArmoRM, the QRPO reference code's) are applied; a string becomes a user or
// assistant message. A reward model without a template scores the plain text prompt + completion, with the
// tokenizer's special tokens (BOS where it adds one).
import type { ChatMessage, Text } from '../data';
import { ConfigError } from '../errors';
import type { ChatTemplate } from '../model/chatTemplate';
import type { TextTokenizer } from '../model/tokenizer';
import { batchesOf, describeItem, requireFiniteRewards, type RewardItem } from './rewardSource';

export interface RewardTokenizer {
  readonly tokenizer: TextTokenizer;
  readonly padTokenId: number;
  /** Ids of item `index` of `items`, cut to the first maxLength tokens (transformers' default truncation side). */
  encode(items: readonly RewardItem[], index: number): number[];
}

function asMessages(text: Text, role: 'user' | 'assistant'): ChatMessage[] {
  return typeof text === 'string' ? [{ role, content: text }] : text;
}

export function rewardTokenizer(tokenizer: TextTokenizer, template: ChatTemplate | undefined, options: { maxLength?: number; vocabSize?: number; model: string }): RewardTokenizer {
  const encode = (items: readonly RewardItem[], index: number): number[] => {
    const { prompt, completion } = items[index];
    let ids: number[];
    if (template) {
      ids = tokenizer.encode(template.render([...asMessages(prompt, 'user'), ...asMessages(completion, 'assistant')]), { addSpecialTokens: false });
    } else if (typeof prompt === 'string' && typeof completion === 'string') {
      ids = tokenizer.encode(prompt + completion, { addSpecialTokens: true });
    } else {
      throw new ConfigError(
        `the reward model ${options.model} has no chat template, so the conversation of ${describeItem(items, index)} cannot be rendered for it`,
        'Use a reward model whose tokenizer_config.json has "chat_template", or plain-string prompts and completions',
      );
    }
    if (ids.length === 0) throw new ConfigError(`${describeItem(items, index)} tokenizes to no tokens for the reward model ${options.model}`);
    if (options.vocabSize !== undefined) {
      const outOfRange = ids.find((id) => id >= options.vocabSize!);
      if (outOfRange !== undefined) throw new ConfigError(`${describeItem(items, index)} tokenizes to id ${outOfRange}, but the reward model ${options.model} has vocab_size ${options.vocabSize}`);
    }
    return options.maxLength !== undefined && ids.length > options.maxLength ? ids.slice(0, options.maxLength) : ids;
  };
  return { tokenizer, padTokenId: tokenizer.padTokenId ?? 0, encode };
}

/** input_ids and attention_mask of a right-padded batch (a reward graph reads each row's last real token). */
export function packRewardBatch(sequences: readonly (readonly number[])[], padTokenId: number): { dims: [number, number]; inputIds: BigInt64Array; attentionMask: BigInt64Array } {
  const seq = Math.max(1, ...sequences.map((s) => s.length));
  const inputIds = new BigInt64Array(sequences.length * seq).fill(BigInt(padTokenId));
  const attentionMask = new BigInt64Array(sequences.length * seq);
  sequences.forEach((ids, b) => {
    ids.forEach((id, t) => {
      inputIds[b * seq + t] = BigInt(id);
      attentionMask[b * seq + t] = 1n;
    });
  });
  return { dims: [sequences.length, seq], inputIds, attentionMask };
}

export type PackedRewardBatch = ReturnType<typeof packRewardBatch>;

/** A classifier's logits for one batch: [batch, labels] row-major, `labels` columns (1 for a reward model). */
export interface BatchLogits {
  readonly data: ArrayLike<number>;
  readonly labels: number;
}

/**
 * Rewards for `items`, `batchSize` at a time: each batch tokenized and right-padded as a reward model reads it,
 * run by `runBatch`, each row's first logit taken as its reward and every reward checked to be finite.
 */
export async function scoreInBatches(
  items: readonly RewardItem[],
  tokens: RewardTokenizer,
  batchSize: number,
  description: string,
  runBatch: (packed: PackedRewardBatch) => Promise<BatchLogits>,
): Promise<number[]> {
  const rewards: number[] = [];
  let offset = 0;
  for (const batch of batchesOf(items, batchSize)) {
    const { data, labels } = await runBatch(packRewardBatch(batch.map((_, i) => tokens.encode(items, offset + i)), tokens.padTokenId));
    for (let b = 0; b < batch.length; b++) rewards.push(Number(data[b * labels]));
    offset += batch.length;
  }
  return requireFiniteRewards(rewards, items, description);
}
