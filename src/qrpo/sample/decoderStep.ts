// The one thing generation needs from a model: run new tokens through it, with the attention mask and positions
// of the whole sequence and the key/value cache of the tokens before, and get the next-token logits and the
// extended cache back. Keeping this an interface decouples sampling from how the decoding graph is built and run.

export interface DecoderStepInput<Cache> {
  /** [batchSize, newLength] token ids: the whole left-padded prompt at the first step, then one token per row. */
  readonly inputIds: BigInt64Array;
  /** [batchSize, pastLength + newLength]: 1 for real tokens, 0 for left padding. */
  readonly attentionMask: BigInt64Array;
  /** [batchSize, newLength]: each token's position among its row's real tokens (padding gets 1, as in transformers). */
  readonly positionIds: BigInt64Array;
  readonly batchSize: number;
  readonly newLength: number;
  readonly pastLength: number;
  /** The `present` of the previous step; undefined at the first step. */
  readonly past: Cache | undefined;
}

export interface DecoderStepOutput<Cache> {
  /** [batchSize, vocabSize] logits at each row's last position. */
  readonly logits: Float32Array;
  readonly vocabSize: number;
  /** The key/value cache covering past + new tokens, handed back as `past` at the next step. */
  readonly present: Cache;
}

/**
 * A step may free `past` once it has run: generation feeds each cache exactly once. `release`, when present, frees
 * the last cache of a batch, which no step receives.
 */
export type DecoderStep<Cache = unknown> = ((input: DecoderStepInput<Cache>) => Promise<DecoderStepOutput<Cache>>) & {
  release?: (cache: Cache) => void;
};
