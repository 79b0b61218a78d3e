// A Hugging Face *ForSequenceClassification reward model (safetensors) scored through the engine's reward graph
// (model/graphs/rewardGraph.ts): the `score` head at each row's last real token; the reward is the logit of label
// 0, and a reward model has exactly one label (num_labels = 1, as TRL's RewardTrainer writes them).
import { resolve } from 'node:path';
import { ModelFormatError } from '../errors';
import { loadFrozenModelWeights, readDecoderConfig } from '../model';
import { chatTemplateOf } from '../model/chatTemplate';
import { buildRewardGraph } from '../model/graphs';
import { checkVocabulary, loadTokenizer } from '../model/tokenizer';
import { GraphSession, type ExecutionProvider } from '../runtime';
import { displayPath } from '../run/displayPath';
import type { RewardItem, RewardSource } from './rewardSource';
import { rewardTokenizer, scoreInBatches } from './rewardTokens';

export interface RewardModelOptions {
  readonly executionProvider?: ExecutionProvider;
  readonly threads?: number;
  /** Sequences per forward pass; default 8. */
  readonly batchSize?: number;
}

export async function loadEngineRewardModel(folder: string, options: RewardModelOptions = {}): Promise<RewardSource> {
  const dir = resolve(folder);
  const config = await readDecoderConfig(dir);
  const configFile = displayPath(resolve(dir, 'config.json'));
  if (config.head !== 'sequence-classification') {
    throw new ModelFormatError(`${configFile} names ${config.architecture}, but a reward model is a *ForSequenceClassification`);
  }
  requireOneLabel(config.numLabels ?? 1, configFile);
  const tokenizer = await loadTokenizer(dir);
  checkVocabulary(tokenizer, config);
  const tokens = rewardTokenizer(tokenizer, chatTemplateOf(tokenizer), {
    model: displayPath(dir),
    vocabSize: config.vocabSize,
    // GPT-2's learned positions end at n_positions; RoPE models are not cut.
    maxLength: config.family === 'gpt2' ? config.maxPositions : undefined,
  });
  const weights = await loadFrozenModelWeights(dir, config, { tokenizerVocabSize: tokenizer.vocabSize });
  const session = await GraphSession.create(buildRewardGraph(config, weights).graph, { executionProvider: options.executionProvider, threads: options.threads });
  const description = `reward model ${displayPath(dir)} (${config.architecture})`;
  const batchSize = options.batchSize ?? 8;
  return {
    kind: 'model',
    description,
    score: (items: readonly RewardItem[]) =>
      scoreInBatches(items, tokens, batchSize, description, async (packed) => {
        const out = await session.run({ input_ids: { data: packed.inputIds, dims: packed.dims }, attention_mask: { data: packed.attentionMask, dims: packed.dims } });
        return { data: out.scores.data as Float32Array, labels: out.scores.dims[1] ?? 1 };
      }),
    dispose: () => session.release(),
  };
}

export function requireOneLabel(numLabels: number, file: string): void {
  if (numLabels !== 1) {
    throw new ModelFormatError(`${file} describes a classifier with ${numLabels} labels, but a reward model has one (num_labels = 1): its single logit is the reward`);
  }
}
