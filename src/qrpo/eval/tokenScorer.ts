// Per-token log-probs of given completion tokens under a model folder, from its scoring graph (model/graphs). The
// evaluation scores each sampled completion with the policy's and the reference's scoring graph alike, so that the
// KL estimates and the implicit reward compare two numbers computed the same way: the log-probs generation reports
// come from the decoding graph, whose float32 rounding differs from the scoring graph's by ~1e-6.
import { resolve } from 'node:path';
import { loadFrozenModelWeights, readDecoderConfig, type DecoderConfig } from '../model';
import { buildScoringGraph, logSoftmaxFormFor, packScoringBatch, scoringFeeds, type TokenizedSequence } from '../model/graphs';
import { checkVocabulary, loadTokenizer } from '../model/tokenizer';
import { GraphSession, type ExecutionProvider } from '../runtime';

export interface TokenScorer {
  readonly dir: string;
  readonly config: DecoderConfig;
  /** log π(completion[t] | prompt, completion[<t]) for every completion token of every sequence. */
  score(sequences: readonly TokenizedSequence[], onBatch?: (sequences: number) => void): Promise<number[][]>;
  release(): Promise<void>;
}

export interface TokenScorerOptions {
  readonly executionProvider?: ExecutionProvider;
  readonly threads?: number;
  /** Sequences per forward pass; default 8. */
  readonly batchSize?: number;
}

export async function loadTokenScorer(folder: string, options: TokenScorerOptions = {}): Promise<TokenScorer> {
  const dir = resolve(folder);
  const config = await readDecoderConfig(dir);
  const tokenizer = await loadTokenizer(dir);
  checkVocabulary(tokenizer, config);
  const weights = await loadFrozenModelWeights(dir, config, { tokenizerVocabSize: tokenizer.vocabSize });
  const provider = options.executionProvider ?? 'cpu';
  const { graph } = buildScoringGraph(config, weights, { logSoftmax: logSoftmaxFormFor(provider) });
  const session = await GraphSession.create(graph, { executionProvider: provider, threads: options.threads, outputs: ['token_logps'] });
  const batchSize = options.batchSize ?? 8;
  const padTokenId = tokenizer.padTokenId ?? 0;

  async function scoreBatch(batch: readonly TokenizedSequence[]): Promise<number[][]> {
    const packed = packScoringBatch(batch, { padding: 'right', padTokenId });
    const out = await session.run(scoringFeeds(packed));
    const tokenLogps = out.token_logps.data as Float32Array;
    const width = packed.dims[1] - 1;
    // Right padding: completion token t sits at position |prompt| + t and is scored by entry |prompt| + t − 1.
    return batch.map((sequence, b) => {
      const first = b * width + sequence.prompt.length - 1;
      return Array.from(tokenLogps.subarray(first, first + sequence.completion.length));
    });
  }

  return {
    dir,
    config,
    async score(sequences, onBatch) {
      const scores: number[][] = [];
      for (let first = 0; first < sequences.length; first += batchSize) {
        const batch = sequences.slice(first, first + batchSize);
        scores.push(...(await scoreBatch(batch)));
        onBatch?.(batch.length);
      }
      return scores;
    },
    release: () => session.release(),
  };
}
