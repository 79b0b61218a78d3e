// Batched generation with a key/value cache: n completions per prompt, left-padded into batches, each row stopped
// by an EOS id, a stop string or max_new_tokens, as transformers' `generate` does with num_return_sequences. Every
// sampled token carries its log-probability under the sampling distribution and under the model at temperature 1.
import { ConfigError } from '../errors';
import type { DecoderStep } from './decoderStep';
import { checkSamplingParams, type SamplingParams } from './logitsProcessors';
import { chooseNextToken } from './nextToken';
import { SeededRandom } from './random';
import { StopStringMatcher, type TokenDecoder } from './stopStrings';

export type FinishReason = 'eos' | 'stop' | 'length';

export interface GenerationRequest {
  /** Token ids of each prompt (see encodePrompt), at least one token each. */
  readonly prompts: readonly (readonly number[])[];
  /** Completions per prompt (num_return_sequences); default 1. */
  readonly numReturnSequences?: number;
  readonly maxNewTokens: number;
  readonly sampling: SamplingParams;
  /** Default 0. Sequence (prompt i, sample j) draws from its own stream, so its tokens do not depend on batching. */
  readonly seed?: number;
  /** Any of these ends a row; the EOS token is kept as the completion's last token. */
  readonly eosTokenIds: readonly number[];
  /** Fills left padding and the inputs of rows that already finished. */
  readonly padTokenId: number;
  /** A row ends once its completion's text contains one of these; the tokens that produced it are kept. */
  readonly stopStrings?: readonly string[];
  /** Needed with stopStrings. */
  readonly decode?: TokenDecoder;
  /** Rows per forward batch; default 8. A prompt's samples may be split across batches. */
  readonly batchSize?: number;
  /** Checked between steps; true abandons the batch in progress and ends generation. */
  readonly cancelled?: () => boolean;
}

export interface GeneratedSequence {
  readonly promptIndex: number;
  readonly sampleIndex: number;
  /** Sampled completion tokens, the EOS that ended it included. */
  readonly tokenIds: number[];
  /** Per token, log-probability under the sampling distribution (temperature, top-k, top-p). */
  readonly samplingLogProbs: number[];
  /** Per token, log-probability under the model's softmax at temperature 1: log π(y_t | x, y_<t). */
  readonly modelLogProbs: number[];
  readonly finishReason: FinishReason;
  readonly stopString?: string;
}

const DEFAULT_BATCH_SIZE = 8;

/** Every completion, in prompt order and then sample order. */
export async function generate<Cache>(step: DecoderStep<Cache>, request: GenerationRequest): Promise<GeneratedSequence[]> {
  const all: GeneratedSequence[] = [];
  for await (const batch of generateBatches(step, request)) all.push(...batch);
  return all;
}

/** Yields each batch's completions as soon as the batch finishes, in prompt order and then sample order. */
export async function* generateBatches<Cache>(step: DecoderStep<Cache>, request: GenerationRequest): AsyncGenerator<GeneratedSequence[]> {
  checkRequest(request);
  const n = request.numReturnSequences ?? 1;
  const rows: { promptIndex: number; sampleIndex: number }[] = [];
  request.prompts.forEach((_, promptIndex) => {
    for (let sampleIndex = 0; sampleIndex < n; sampleIndex++) rows.push({ promptIndex, sampleIndex });
  });
  const batchSize = request.batchSize ?? DEFAULT_BATCH_SIZE;
  const matcher = request.stopStrings?.length ? new StopStringMatcher(request.stopStrings, request.decode!) : undefined;
  for (let first = 0; first < rows.length; first += batchSize) {
    if (request.cancelled?.()) return;
    const batch = await generateBatch(step, request, rows.slice(first, first + batchSize), matcher);
    if (batch === undefined) return;
    yield batch;
  }
}

interface RowState {
  readonly promptIndex: number;
  readonly sampleIndex: number;
  readonly random: SeededRandom;
  readonly tokenIds: number[];
  readonly samplingLogProbs: number[];
  readonly modelLogProbs: number[];
  finishReason?: FinishReason;
  stopString?: string;
  /** Position id of the row's last token. */
  lastPosition: number;
}

async function generateBatch<Cache>(
  step: DecoderStep<Cache>,
  request: GenerationRequest,
  rows: readonly { promptIndex: number; sampleIndex: number }[],
  matcher: StopStringMatcher | undefined,
): Promise<GeneratedSequence[] | undefined> {
  const batchSize = rows.length;
  const eos = new Set(request.eosTokenIds);
  const pad = BigInt(request.padTokenId);
  const prompts = rows.map((r) => request.prompts[r.promptIndex]);
  const promptLength = Math.max(...prompts.map((p) => p.length));
  const states: RowState[] = rows.map((r, b) => ({
    ...r,
    random: new SeededRandom(request.seed ?? 0, r.promptIndex, r.sampleIndex),
    tokenIds: [],
    samplingLogProbs: [],
    modelLogProbs: [],
    lastPosition: prompts[b].length - 1,
  }));

  // Prefill: prompts left-padded to a common length; padding positions are 1, as transformers fills them.
  const inputIds = new BigInt64Array(batchSize * promptLength).fill(pad);
  let attentionMask = new BigInt64Array(batchSize * promptLength);
  const positionIds = new BigInt64Array(batchSize * promptLength).fill(1n);
  prompts.forEach((prompt, b) => {
    const offset = b * promptLength + promptLength - prompt.length;
    prompt.forEach((id, j) => {
      inputIds[offset + j] = BigInt(id);
      attentionMask[offset + j] = 1n;
      positionIds[offset + j] = BigInt(j);
    });
  });
  let output = await step({ inputIds, attentionMask, positionIds, batchSize, newLength: promptLength, pastLength: 0, past: undefined });
  let totalLength = promptLength;

  for (let t = 0; ; t++) {
    const { logits, vocabSize } = output;
    if (logits.length !== batchSize * vocabSize) {
      throw new Error(`decoder step returned ${logits.length} logits for a batch of ${batchSize} rows of ${vocabSize}`);
    }
    for (const [b, state] of states.entries()) {
      if (state.finishReason) continue;
      const choice = chooseNextToken(logits.subarray(b * vocabSize, (b + 1) * vocabSize), request.sampling, state.random);
      state.tokenIds.push(choice.tokenId);
      state.samplingLogProbs.push(choice.samplingLogProb);
      state.modelLogProbs.push(choice.modelLogProb);
      if (eos.has(choice.tokenId)) {
        state.finishReason = 'eos';
        continue;
      }
      state.stopString = matcher?.match(state.tokenIds);
      if (state.stopString !== undefined) state.finishReason = 'stop';
      else if (state.tokenIds.length >= request.maxNewTokens) state.finishReason = 'length';
    }
    const done = states.every((s) => s.finishReason);
    if (done || request.cancelled?.()) {
      step.release?.(output.present);
      if (!done) return undefined;
      break;
    }

    // One new token per row; rows that finished earlier feed padding, which no later logits of theirs depend on.
    const nextIds = new BigInt64Array(batchSize);
    const nextPositions = new BigInt64Array(batchSize);
    const grown = new BigInt64Array(batchSize * (totalLength + 1));
    for (const [b, state] of states.entries()) {
      const justSampled = state.tokenIds.length === t + 1;
      nextIds[b] = justSampled ? BigInt(state.tokenIds[t]) : pad;
      nextPositions[b] = BigInt(++state.lastPosition);
      grown.set(attentionMask.subarray(b * totalLength, (b + 1) * totalLength), b * (totalLength + 1));
      grown[b * (totalLength + 1) + totalLength] = 1n;
    }
    attentionMask = grown;
    output = await step({
      inputIds: nextIds,
      attentionMask,
      positionIds: nextPositions,
      batchSize,
      newLength: 1,
      pastLength: totalLength,
      past: output.present,
    });
    totalLength++;
  }
  return states.map(({ promptIndex, sampleIndex, tokenIds, samplingLogProbs, modelLogProbs, finishReason, stopString }) => ({
    promptIndex,
    sampleIndex,
    tokenIds,
    samplingLogProbs,
    modelLogProbs,
    finishReason: finishReason!,
    ...(stopString === undefined ? {} : { stopString }),
  }));
}

function checkRequest(request: GenerationRequest): void {
  checkSamplingParams(request.sampling);
  const { maxNewTokens, numReturnSequences = 1, batchSize = DEFAULT_BATCH_SIZE, seed = 0 } = request;
  if (!(Number.isInteger(maxNewTokens) && maxNewTokens >= 1)) throw new ConfigError(`max new tokens must be a positive integer, got ${maxNewTokens}`);
  if (!(Number.isInteger(numReturnSequences) && numReturnSequences >= 1)) throw new ConfigError(`the number of completions per prompt must be a positive integer, got ${numReturnSequences}`);
  if (!(Number.isInteger(batchSize) && batchSize >= 1)) throw new ConfigError(`batch size must be a positive integer, got ${batchSize}`);
  if (!Number.isSafeInteger(seed)) throw new ConfigError(`seed must be an integer, got ${seed}`);
  if (request.stopStrings?.length && !request.decode) throw new ConfigError('stop strings need a decode function to read the generated text');
  request.prompts.forEach((prompt, i) => {
    if (prompt.length === 0) throw new ConfigError(`prompt ${i} has no tokens`, 'A model needs at least one token to condition on; give the prompt text, or BOS');
  });
}
