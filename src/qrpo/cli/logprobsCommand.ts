// `qrpo logprobs`: each dataset record's summed completion log-probability under a causal LM (qrpo.md §4: a sum over
// completion tokens, labels shifted, prompt masked), written as JSONL: the record's fields plus logp and num_tokens.
// Tokenization is TRL's (model/chatTemplate.ts): chat templates for message lists, EOS after a plain completion.
import { resolve } from 'node:path';
import { readDataset, type PointwiseRecord } from '../data';
import { ConfigError } from '../errors';
import { loadFrozenModelWeights, readDecoderConfig } from '../model';
import type { EncodedExample } from '../model/chatTemplate';
import { buildScoringGraph, logSoftmaxFormFor, packScoringBatch, scoringFeeds } from '../model/graphs';
import { checkVocabulary, loadTokenizer } from '../model/tokenizer';
import { writeLinesAtomic } from '../run/atomicFile';
import { GraphSession } from '../runtime/session';
import { recordTokenizer } from '../train/modelTraining/recordTokens';
import { choiceOption, numberOption, parseCommandLine, requireOption } from './arguments';
import type { CommandOutput } from './output';

export const logprobsUsage = `qrpo logprobs --model DIR --data FILE [options]

Scores each record's completion under a causal LM: logp = Σ log π(completion token | prefix) over completion
tokens, with num_tokens, written as JSONL (each input record's fields plus logp and num_tokens).

  --model DIR                  Hugging Face model folder (config.json, *.safetensors, tokenizer.json)
  --data FILE                  JSONL, JSON, CSV, Parquet, or a Hugging Face datasets folder (folder:split)
  --device D                   cpu (default) | webgpu | cuda
  --batch-size N               sequences per forward pass (default 8)
  --max-prompt-length N        keep the prompt's last N tokens
  --max-completion-length N    keep the completion's first N tokens
  --max-length N               then keep the last N tokens of prompt + completion (TRL's max_length)
  --out FILE                   write JSONL atomically to FILE (default: stdout)`;

const options = {
  model: { type: 'string' },
  data: { type: 'string' },
  device: { type: 'string' },
  'batch-size': { type: 'string' },
  'max-prompt-length': { type: 'string' },
  'max-completion-length': { type: 'string' },
  'max-length': { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface Scored {
  record: PointwiseRecord;
  example: EncodedExample;
}

function outputLine({ record }: Scored, logp: number, numTokens: number): string {
  return `${JSON.stringify({
    ...record.extra,
    prompt: record.prompt,
    completion: record.completion,
    ...(record.reward === undefined ? {} : { reward: record.reward }),
    ...(record.refRewards === undefined ? {} : { ref_rewards: record.refRewards }),
    ...(record.side === undefined ? {} : { side: record.side, pair_id: record.pairId }),
    logp,
    num_tokens: numTokens,
  })}\n`;
}

export async function logprobsCommand(argv: string[], output: CommandOutput): Promise<number> {
  const { values, positionals } = parseCommandLine('logprobs', argv, options);
  if (values.help) {
    output.text(logprobsUsage);
    return 0;
  }
  if (positionals.length > 0) throw new ConfigError(`'qrpo logprobs' takes no positional arguments, got '${positionals[0]}'`, `Usage: ${logprobsUsage.split('\n')[0]}`);
  const example = 'qrpo logprobs --model models/tiny --data data.jsonl --out logps.jsonl';
  const modelDir = resolve(requireOption('model', values.model, example));
  const data = requireOption('data', values.data, example);
  const device = choiceOption('device', values.device, ['cpu', 'webgpu', 'cuda'] as const) ?? 'cpu';
  const batchSize = numberOption('batch-size', values['batch-size'], 'positive-integer') ?? 8;
  const limits = {
    maxPromptLength: numberOption('max-prompt-length', values['max-prompt-length'], 'positive-integer'),
    maxCompletionLength: numberOption('max-completion-length', values['max-completion-length'], 'positive-integer'),
    maxLength: numberOption('max-length', values['max-length'], 'positive-integer'),
  };

  const config = await readDecoderConfig(modelDir);
  const tokenizer = await loadTokenizer(modelDir);
  checkVocabulary(tokenizer, config);
  const records = recordTokenizer(tokenizer, config, limits);
  const weights = await loadFrozenModelWeights(modelDir, config, { tokenizerVocabSize: tokenizer.vocabSize });
  const graph = buildScoringGraph(config, weights, { logSoftmax: logSoftmaxFormFor(device) }).graph;
  const session = await GraphSession.create(graph, { executionProvider: device });
  const { padTokenId } = records;
  const encode = (record: PointwiseRecord): Scored => ({ record, example: records.encode(record) });

  async function* score(batch: Scored[]): AsyncGenerator<string> {
    const packed = packScoringBatch(batch.map((s) => ({ prompt: s.example.promptIds, completion: s.example.completionIds })), { padding: 'right', padTokenId });
    const out = await session.run(scoringFeeds(packed));
    for (const [i, scored] of batch.entries()) yield outputLine(scored, Number(out.logp.data[i]), Number(out.num_tokens.data[i]));
  }

  async function* lines(): AsyncGenerator<string> {
    let batch: Scored[] = [];
    for await (const record of readDataset(data)) {
      batch.push(encode(record));
      if (batch.length === batchSize) {
        yield* score(batch);
        batch = [];
      }
    }
    if (batch.length > 0) yield* score(batch);
  }

  try {
    if (values.out === undefined) {
      for await (const line of lines()) output.text(line.slice(0, -1));
    } else {
      await writeLinesAtomic(resolve(values.out), lines());
    }
  } finally {
    await session.release();
  }
  return 0;
}
